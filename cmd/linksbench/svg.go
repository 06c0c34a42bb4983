package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"os"
	"slices"
	"time"
)

// style is how a tool's line is drawn: links solid, floors dashed, other
// tools dotted.
type style struct {
	color string
	dash  string
	width float64
}

var styles = map[string]style{
	toolPlan:          {"#1f77b4", "", 2.5},
	toolVerify:        {"#2ca02c", "", 2.5},
	toolApply:         {"#d62728", "", 2.5},
	toolReplace:       {"#9467bd", "", 2.5},
	toolScan:          {"#17becf", "", 2.5},
	toolScanJSON:      {"#17becf", "6 3", 1.6},
	toolScanOne:       {"#17becf", "2 2", 1.6},
	toolYAML:          {"#6baed6", "6 3", 1.6},
	toolObserve:       {"#08306b", "6 3", 1.6},
	toolCreate:        {"#fc9272", "6 3", 1.6},
	toolCreateSync:    {"#a50f15", "6 3", 1.6},
	toolReplaceFl:     {"#bcbddc", "6 3", 1.6},
	toolReplaceFlSync: {"#54278f", "6 3", 1.6},
	toolReplaceExSync: {"#3f007d", "2 2", 1.6},
	toolLnCreate:      {"#8c564b", "1.5 3", 2},
	toolLnReplace:     {"#c49c94", "1.5 3", 2},
	toolStow:          {"#ff7f0e", "1.5 3", 2},
	toolRestow:        {"#bcbd22", "1.5 3", 2},
	toolFind:          {"#7f7f7f", "1.5 3", 2},
	toolTreePlan:      {"#2ca02c", "2 2", 2},
	toolTreeApply:     {"#d62728", "2 2", 2},
	toolCreateMkSync:  {"#67000d", "6 3", 1.6},
	toolCreateSyncFS:  {"#08306b", "6 3", 1.6},
	toolStowN:         {"#e7ba52", "1.5 3", 2},
}

type point struct {
	n int
	s float64 // median seconds
}

// writeSVG draws median wall time against N, log-log, one line per tool,
// for one scenario.
func writeSVG(file string, rep *Report, scenario string) error {
	type series struct {
		tool  string
		label string
		pts   []point
	}
	var all []series
	for _, tool := range toolOrder {
		if _, ok := styles[tool]; !ok {
			continue
		}
		s := series{tool: tool, label: tool}
		for _, r := range rep.Results {
			if r.Scenario == scenario && r.Tool == tool && r.MedianNS > 0 {
				s.pts = append(s.pts, point{r.N, float64(r.MedianNS) / 1e9})
				if r.Extrapolated {
					s.label = tool + " (extrapolated)"
				}
			}
		}
		if len(s.pts) == 0 {
			continue
		}
		slices.SortFunc(s.pts, func(a, b point) int { return a.n - b.n })
		all = append(all, s)
	}
	if len(all) == 0 {
		return fmt.Errorf("svg: nothing measured for %s", scenario)
	}
	minN, maxN, minS, maxS := math.MaxInt, 0, math.Inf(1), 0.0
	for _, s := range all {
		for _, p := range s.pts {
			minN, maxN = min(minN, p.n), max(maxN, p.n)
			minS, maxS = math.Min(minS, p.s), math.Max(maxS, p.s)
		}
	}
	const (
		width, height          = 980, 620
		left, right, top, bott = 80, 700, 60, 550
	)
	xlo, xhi := math.Log10(float64(minN))-0.25, math.Log10(float64(maxN))+0.25
	ylo, yhi := math.Floor(math.Log10(minS)), math.Ceil(math.Log10(maxS))
	if yhi <= ylo {
		yhi = ylo + 1
	}
	x := func(n int) float64 {
		return left + (math.Log10(float64(n))-xlo)/(xhi-xlo)*(right-left)
	}
	y := func(s float64) float64 {
		return bott - (math.Log10(s)-ylo)/(yhi-ylo)*(bott-top)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">links against the syscall floor and other tools: median wall time for N links</text>`+"\n", left)
	fmt.Fprintf(&b, `<text x="%d" y="42" fill="#555">%s; log-log; %s, %d CPUs; load %s; cmd/linksbench %s</text>`+"\n",
		left, html.EscapeString(scenario), html.EscapeString(rep.Host.Filesystem), rep.Host.CPUs, html.EscapeString(shortLoad(rep.Host.LoadBefore)), rep.Started.Format(time.DateOnly))
	// Grid and axes.
	for d := math.Ceil(xlo); d <= xhi; d++ {
		for _, m := range []float64{1, 2, 5} {
			v := math.Log10(m) + d
			if v < xlo || v > xhi {
				continue
			}
			px := left + (v-xlo)/(xhi-xlo)*(right-left)
			stroke := "#eee"
			if m == 1 {
				stroke = "#ccc"
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", px, bott+18, countShort(math.Pow(10, d)))
			}
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", px, top, px, bott, stroke)
		}
	}
	for d := ylo; d <= yhi; d++ {
		py := y(math.Pow(10, d))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ccc"/>`+"\n", left, py, right, py)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, py+4, secondsShort(math.Pow(10, d)))
		if d < yhi {
			for _, m := range []float64{2, 5} {
				py := y(m * math.Pow(10, d))
				fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`+"\n", left, py, right, py)
			}
		}
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", left, top, right-left, bott-top)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">N links</text>`+"\n", (left+right)/2, bott+40)
	fmt.Fprintf(&b, `<text transform="translate(22 %d) rotate(-90)" text-anchor="middle">median wall time</text>`+"\n", (top+bott)/2)
	// Lines, then the legend.
	for _, s := range all {
		st := styles[s.tool]
		dash := ""
		if st.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
		}
		if len(s.pts) > 1 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="%.1f"%s points="`, st.color, st.width, dash)
			for i, p := range s.pts {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%.1f,%.1f", x(p.n), y(p.s))
			}
			b.WriteString(`"/>` + "\n")
		}
		for _, p := range s.pts {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s, %s links: %s</title></circle>`+"\n",
				x(p.n), y(p.s), st.color, html.EscapeString(s.label), count(p.n), fmtDur(time.Duration(p.s*1e9)))
		}
	}
	ly := top + 6
	for _, s := range all {
		st := styles[s.tool]
		dash := ""
		if st.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%.1f"%s/>`+"\n", right+20, ly, right+50, ly, st.color, st.width, dash)
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3" fill="%s"/>`+"\n", right+35, ly, st.color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", right+58, ly+4, html.EscapeString(s.label))
		ly += 22
	}
	ly += 10
	notes := []string{"solid: links", "dashed: raw-syscall floor, 2 workers;", "    yaml.v3 Node parse of the manifest", "dotted: other tools"}
	if len(rep.LargeSizes) > 0 {
		notes = append(notes, fmt.Sprintf("at %s: plan, verify and their floors;", countShort(float64(rep.LargeSizes[0]))), "    apply timed once (it builds the tree)")
	}
	for _, line := range notes {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">%s</text>`+"\n", right+20, ly, html.EscapeString(line))
		ly += 16
	}
	b.WriteString("</svg>\n")
	return os.WriteFile(file, b.Bytes(), 0o644)
}

func countShort(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func secondsShort(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%g s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%g ms", math.Round(s*1e6)/1e3)
	}
	return fmt.Sprintf("%g µs", math.Round(s*1e9)/1e3)
}

// shortLoad keeps the three numbers of "load average: a, b, c".
func shortLoad(s string) string {
	if i := bytes.IndexByte([]byte(s), ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}
