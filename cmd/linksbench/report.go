package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// A reference is what a tool's row is compared with: another tool, or the
// sum of two (the plan floor: load + observe).
type reference struct {
	label string
	tools []string
}

// references says, per tool, what its ratio column divides by.
var references = func() map[string]reference {
	var (
		plan        = reference{"links plan", []string{toolPlan}}
		createFloor = reference{"floor create + fsync", []string{toolCreateSync}}
		find        = reference{"find -xtype l", []string{toolFind}}
		create      = reference{"links apply (create)", []string{toolApply}}
	)
	return map[string]reference{
		toolPlan:      {"yaml parse + floor observe", []string{toolYAML, toolObserve}},
		toolVerify:    plan,
		toolApply:     createFloor,
		toolReplace:   {"floor replace + fsync", []string{toolReplaceFlSync}},
		toolScan:      find,
		toolScanJSON:  find,
		toolScanOne:   find,
		toolRestow:    plan,
		toolStow:      create,
		toolLnCreate:  create,
		toolLnReplace: {"links apply (replace)", []string{toolReplace}},
		toolTreePlan:  {"links plan (written out)", []string{toolPlan}},
		toolTreeApply: createFloor,
		toolStowN:     {"links plan (tree)", []string{toolTreePlan}},
	}
}()

// sum returns the sum of the tools' median wall and CPU times, or false
// when one was not measured.
func (rep *Report) sum(n int, scenario string, tools []string) (wall, cpu time.Duration, ok bool) {
	for _, tool := range tools {
		r := rep.get(n, scenario, tool)
		if r == nil {
			return 0, 0, false
		}
		wall += time.Duration(r.MedianNS)
		cpu += time.Duration(r.CPUMedianNS)
	}
	return wall, cpu, true
}

// ratio is a/b on medians, wall and CPU.
func (rep *Report) ratio(n int, scenario string, a, b []string) (wall, cpu float64, ok bool) {
	aw, ac, ok1 := rep.sum(n, scenario, a)
	bw, bc, ok2 := rep.sum(n, scenario, b)
	if !ok1 || !ok2 || bw <= 0 {
		return 0, 0, false
	}
	if bc > 0 {
		cpu = float64(ac) / float64(bc)
	}
	return float64(aw) / float64(bw), cpu, true
}

// allSizes lists every size measured, ascending.
func (b *bench) allSizes() []int {
	s := append(slices.Clone(b.cfg.sizes), b.cfg.large...)
	slices.Sort(s)
	return slices.Compact(s)
}

// statedN is the size the issue states its ratio targets at.
const statedN = 100_000

// treeN are the sizes issue 17 states the tree targets at: a tree of
// 10,000 files (all of them), and of 100,000 (plan and its memory).
var treeN = []int{10_000, 100_000}

// evalTargets checks the targets on the main scenario at every
// size where both sides were measured (ratios at sizes other than statedN
// for reference).
func (b *bench) evalTargets() {
	rep, sc := b.rep, b.mainScenario()
	add := func(t Target) {
		if t.AtLeast {
			t.Holds = t.Measured >= t.Limit
		} else {
			t.Holds = t.Measured <= t.Limit
		}
		rep.Targets = append(rep.Targets, t)
	}
	// ratioAt is a ratio target stated at the sizes stated (the first is
	// named where n is not one of them).
	ratioAt := func(n int, stated []int, name string, a, b []string, limit float64, atLeast bool) {
		w, c, ok := rep.ratio(n, sc, a, b)
		if !ok {
			return
		}
		t := Target{Name: name, N: n, Scenario: sc, Measured: w, CPU: c, Limit: limit, AtLeast: atLeast, Unit: "×"}
		if !slices.Contains(stated, n) {
			t.Reference = "the target is stated at " + count(stated[0])
		}
		add(t)
	}
	ratioTarget := func(n int, name string, a, b []string, limit float64, atLeast bool) {
		ratioAt(n, []int{statedN}, name, a, b, limit, atLeast)
	}
	// reported is a ratio against another floor than the issue's, shown
	// beside the target with why it is not that target.
	reported := func(n int, name string, a, b []string, why string) {
		if w, c, ok := rep.ratio(n, sc, a, b); ok {
			add(Target{Name: name, N: n, Scenario: sc, Measured: w, CPU: c, Limit: 1.5, Unit: "×", Reference: "not the issue's floor: " + why})
		}
	}
	const syncFSWhy = "made durable with one syncfs, as links apply is on ext4 without a journal"
	sizes := b.allSizes()
	for _, n := range sizes {
		ratioTarget(n, "links plan (no-op) ≤ 2× (yaml.v3 Node parse + floor observe)", []string{toolPlan}, []string{toolYAML, toolObserve}, 2, false)
		ratioTarget(n, "stow -R ≥ 10× links plan (links at least 10× faster)", []string{toolRestow}, []string{toolPlan}, 10, true)
		ratioTarget(n, "links apply (create) ≤ 1.5× floor create + dir fsync", []string{toolApply}, []string{toolCreateSync}, 1.5, false)
		reported(n, "links apply (create) ≤ 1.5× floor create + syncfs", []string{toolApply}, []string{toolCreateSyncFS}, syncFSWhy)
		ratioTarget(n, "links apply (replace) ≤ 1.5× floor replace + dir fsync", []string{toolReplace}, []string{toolReplaceFlSync}, 1.5, false)
		ratioTarget(n, "links apply (replace) ≤ 1.5× floor exchange-replace + dir fsync (the same system calls)", []string{toolReplace}, []string{toolReplaceExSync}, 1.5, false)
		ratioTarget(n, "links verify ≤ 2× links plan", []string{toolVerify}, []string{toolPlan}, 2, false)
		// Trees (issue 17): one tree entry against the same links written
		// out, against Stow, and against the floor.
		ratioAt(n, treeN, "links plan (tree) ≤ 1.2× links plan (the same links written out)", []string{toolTreePlan}, []string{toolPlan}, 1.2, false)
		ratioAt(n, treeN[:1], "stow -n ≥ 10× links plan (tree) (links at least 10× faster)", []string{toolStowN}, []string{toolTreePlan}, 10, true)
		ratioAt(n, treeN[:1], "stow --no-folding ≥ 2× links apply (tree) (links at least 2× faster)", []string{toolStow}, []string{toolTreeApply}, 2, true)
		ratioAt(n, treeN[:1], "links apply (tree) ≤ 1.5× floor create + dir fsync", []string{toolTreeApply}, []string{toolCreateSync}, 1.5, false)
		// Reported beside it, not the floor: one that also makes
		// the folders the tree's links go in, as the tree apply must.
		reported(n, "links apply (tree) ≤ 1.5× floor create, folders made + dir fsync", []string{toolTreeApply}, []string{toolCreateMkSync},
			"this one makes the folders, as a tree apply must")
		// And beside them the floor made durable the way links is on a
		// filesystem without a journal (this benchmark's): one syncfs.
		reported(n, "links apply (tree) ≤ 1.5× floor create + syncfs", []string{toolTreeApply}, []string{toolCreateSyncFS}, syncFSWhy)
		if tr, wo := rep.get(n, sc, toolTreePlan), rep.get(n, sc, toolPlan); tr != nil && wo != nil && tr.PeakRSS > 0 && wo.PeakRSS > 0 {
			t := Target{Name: "links plan (tree): peak memory ≤ the written-out manifest's", N: n, Scenario: sc,
				Measured: float64(tr.PeakRSS) / (1 << 20), Limit: float64(wo.PeakRSS) / (1 << 20), Unit: "MiB"}
			if n != treeN[1] {
				t.Reference = "the target is stated at " + count(treeN[1])
			}
			add(t)
		}
	}
	// Linear growth: the cost per link at each size against the next
	// smaller size measured, from 10,000 links up (below, process start
	// and fixed costs dominate).
	for _, tool := range []string{toolPlan, toolVerify, toolApply, toolReplace} {
		var prev *Result
		for _, n := range sizes {
			r := rep.get(n, sc, tool)
			if r == nil {
				continue
			}
			if prev != nil && prev.N >= 10000 && len(r.WallNS) > 0 {
				per := float64(r.MedianNS) / float64(r.N)
				perPrev := float64(prev.MedianNS) / float64(prev.N)
				cpu := (float64(r.CPUMedianNS) / float64(r.N)) / (float64(prev.CPUMedianNS) / float64(prev.N))
				t := Target{Name: fmt.Sprintf("%s: cost per link %s → %s within 1.3× of linear", tool, count(prev.N), count(r.N)),
					N: r.N, Scenario: sc, Measured: per / perPrev, CPU: cpu, Limit: 1.3, Unit: "×",
					Detail: fmt.Sprintf("%.2f µs → %.2f µs per link", perPrev/1e3, per/1e3)}
				// The issue asks for 1M links of plan and verify; apply's
				// growth past 100,000 is shown beside the floor's.
				if tool == toolApply || tool == toolReplace {
					if r.N > statedN {
						t.Reference = "the issue asks 1,000,000 links of plan and verify"
					}
					floorTool := toolCreateSync
					if tool == toolReplace {
						floorTool = toolReplaceFlSync
					}
					f, fPrev := rep.get(r.N, sc, floorTool), rep.get(prev.N, sc, floorTool)
					if f != nil && fPrev != nil && len(f.WallNS) > 0 && len(fPrev.WallNS) > 0 {
						fPer, fPerPrev := float64(f.MedianNS)/float64(f.N), float64(fPrev.MedianNS)/float64(fPrev.N)
						t.Detail += fmt.Sprintf("; %s: %.2f µs → %.2f µs per link (%.2f×)", floorTool, fPerPrev/1e3, fPer/1e3, fPer/fPerPrev)
					}
				}
				add(t)
			}
			prev = r
		}
	}
	// Peak memory for 1M links, for plan and verify: measured, or
	// extrapolated along the growth between the two largest sizes.
	for _, tool := range []string{toolPlan, toolVerify} {
		var rs []*Result
		for _, n := range sizes {
			if r := rep.get(n, sc, tool); r != nil && r.PeakRSS > 0 {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			continue
		}
		big := rs[len(rs)-1]
		t := Target{Name: tool + ": peak memory for 1,000,000 links < 1 GiB", N: big.N, Scenario: sc, Limit: 1024, Unit: "MiB"}
		mib := func(r *Result) float64 { return float64(r.PeakRSS) / (1 << 20) }
		t.Measured = mib(big)
		if big.N < 1_000_000 {
			if len(rs) < 2 {
				continue
			}
			prev := rs[len(rs)-2]
			slope := (mib(big) - mib(prev)) / float64(big.N-prev.N)
			t.Measured = mib(big) + slope*float64(1_000_000-big.N)
			t.Detail = fmt.Sprintf("not measured at 1,000,000: extrapolated from %.0f MiB at %s and %.0f MiB at %s", mib(prev), count(prev.N), mib(big), count(big.N))
		}
		add(t)
	}
	if r := rep.get(4, "quickstart", toolQuickstart); r != nil {
		t := Target{Name: "links plan on the quickstart < 20 ms, including process start", Measured: float64(r.MedianNS) / 1e6, Limit: 20, Unit: "ms"}
		if p := rep.get(4, "quickstart", toolTrue); p != nil {
			t.Detail = fmt.Sprintf("a bare process start (true) takes %s", fmtDur(p.median()))
		}
		add(t)
	}
}

// printReport writes the tables (Markdown, readable as text).
func (b *bench) printReport(w io.Writer) {
	rep := b.rep
	h := rep.Host
	fmt.Fprintf(w, "# linksbench, %s\n\n", rep.Started.Format(time.RFC3339))
	fmt.Fprintf(w, "%s, %s, %d CPUs, %s on %s; %s; %s.\n", h.Kernel, h.OS, h.CPUs, h.GoVersion, h.Filesystem, orNone(h.Stow, "no Stow"), orNone(h.Ln, "no ln"))
	if len(rep.Sources) > 0 {
		fmt.Fprintf(w, "Merged from these runs (a later one's results replace an earlier one's):\n")
		for _, s := range rep.Sources {
			fmt.Fprintf(w, "- %s\n", s)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "links %s. Run took %s.\n", h.LinksCommit, rep.Duration)
		if rep.Nice != 0 {
			fmt.Fprintf(w, "Run at nice %d (%s).\n", rep.Nice, orNone(rep.NiceScope, "scope not recorded"))
		}
		if len(h.Load) > 0 {
			fmt.Fprintf(w, "Load (uptime) during the run: %s; at the end: %s.\n", strings.Join(h.Load, "; "), h.LoadAfter)
		}
	}
	fmt.Fprintf(w, "Medians of up to %d runs (min–max), interleaved; the floors use %d workers. Ratios divide medians measured in the same run.\n", rep.Reps, rep.Workers)
	for _, n := range b.allSizes() {
		for _, s := range rep.Scenarios {
			b.printTable(w, n, s)
		}
	}
	for _, n := range rep.ScanTreeSizes {
		b.printTable(w, n, scanTreeScenario)
	}
	if r := rep.get(4, "quickstart", toolQuickstart); r != nil {
		fmt.Fprintf(w, "\n### Small manifest\n\n| tool | median | min–max | runs |\n|---|---:|---:|---:|\n")
		for _, tool := range []string{toolQuickstart, toolTrue} {
			if r := rep.get(4, "quickstart", tool); r != nil {
				fmt.Fprintf(w, "| %s | %s | %s–%s | %d |\n", tool, fmtDur(r.median()), fmtDur(time.Duration(r.MinNS)), fmtDur(time.Duration(r.MaxNS)), len(r.WallNS))
			}
		}
	}
	if len(rep.Targets) > 0 {
		fmt.Fprintf(w, "\n### Targets (issues 7 and 17), %s\n\n| target | N | measured | limit | holds | CPU-time ratio | detail |\n|---|---:|---:|---:|---|---:|---|\n", b.mainScenario())
		for _, t := range rep.Targets {
			holds := "**no**"
			switch {
			case t.Reference != "" && t.Holds:
				holds = "yes (reference: " + t.Reference + ")"
			case t.Reference != "":
				holds = "no (reference: " + t.Reference + ")"
			case t.Holds:
				holds = "yes"
			}
			op := "≤"
			if t.AtLeast {
				op = "≥"
			}
			cpu := ""
			if t.CPU > 0 {
				cpu = fmt.Sprintf("%.2f×", t.CPU)
			}
			n := ""
			if t.N > 0 {
				n = count(t.N)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s %s | %s | %s | %s |\n", t.Name, n, fmtValue(t.Measured, t.Unit), op, fmtValue(t.Limit, t.Unit), holds, cpu, t.Detail)
		}
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintf(w, "\nNotes:\n")
		for _, n := range rep.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

func (b *bench) printTable(w io.Writer, n int, scenario string) {
	rep := b.rep
	var rows []*Result
	for _, tool := range toolOrder {
		if r := rep.get(n, scenario, tool); r != nil {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	runs := 0
	for _, r := range rows {
		runs = max(runs, len(r.WallNS))
	}
	fmt.Fprintf(w, "\n### %s links, %s, %d runs\n\n", count(n), scenario, runs)
	fmt.Fprintf(w, "| tool | median | min–max | per link | CPU | peak RSS | ratio |\n|---|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		name := r.Tool
		if r.Extrapolated {
			name += fmt.Sprintf(" (extrapolated from %d)", r.SampleLinks)
		}
		if len(r.WallNS) < runs {
			name += fmt.Sprintf(" (%d run%s)", len(r.WallNS), plural(len(r.WallNS)))
		}
		rss := ""
		if r.PeakRSS > 0 {
			rss = fmt.Sprintf("%.0f MiB", float64(r.PeakRSS)/(1<<20))
		}
		ratio := ""
		if ref, ok := references[r.Tool]; ok {
			if wr, _, ok := rep.ratio(n, scenario, []string{r.Tool}, ref.tools); ok {
				ratio = fmt.Sprintf("%.2f× %s", wr, ref.label)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s–%s | %s | %s | %s | %s |\n", name, fmtDur(r.median()),
			fmtDur(time.Duration(r.MinNS)), fmtDur(time.Duration(r.MaxNS)),
			fmtPerLink(float64(r.MedianNS)/float64(n)), fmtDur(time.Duration(r.CPUMedianNS)), rss, ratio)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// count writes n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtDur writes d with three significant digits.
func fmtDur(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s >= 1:
		return sig(s) + " s"
	case s >= 1e-3:
		return sig(s*1e3) + " ms"
	default:
		return sig(s*1e6) + " µs"
	}
}

func fmtPerLink(ns float64) string {
	if ns >= 1e6 {
		return sig(ns/1e6) + " ms"
	}
	return sig(ns/1e3) + " µs"
}

func sig(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func fmtValue(v float64, unit string) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "—"
	}
	if unit == "×" {
		return fmt.Sprintf("%.2f×", v)
	}
	return sig(v) + " " + unit
}
