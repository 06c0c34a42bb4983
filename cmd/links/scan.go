package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile/scan"
)

func (s *sys) scanCommand() *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "report every symlink under the paths: ok, broken, loop, escaping, absolute, chain length",
		ArgsUsage: "[PATH...]",
		Description: "Walks each PATH (default: the manifest's root when a manifest is found, else the\n" +
			"working folder) without following folder links, and resolves every symlink found.\n" +
			"Exit 2 when a finding listed in --fail-on exists, 0 when none, 1 on error.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "fail-on", Value: cli.NewStringSlice("broken", "loop"),
				Usage: "`LIST` of findings that exit 2: broken, loop, escapes, absolute, chain>N, unreadable, or none"},
			&cli.StringSliceFlag{Name: "exclude", Usage: "skip entries matching `GLOB` (by name, or by path under PATH when it has a slash; repeatable)"},
			&cli.StringFlag{Name: "root", Usage: "links resolving outside `DIR` escape (default: each PATH, or the manifest's root)"},
			&cli.BoolFlag{Name: "one-file-system", Aliases: []string{"x"}, Usage: "do not enter folders on other filesystems"},
			&cli.BoolFlag{Name: "no-default-excludes", Usage: "also scan .git folders and the manifest's state_dir"},
			&cli.BoolFlag{Name: "all", Usage: "list ok links too (text and markdown; json always lists every link)"},
			&cli.IntFlag{Name: "workers", Usage: "read `N` folders at once (default: one per core, at least 2)"},
		},
		Action: func(c *cli.Context) error {
			g, err := s.globals(c)
			if err != nil {
				return err
			}
			fail, err := parseFailOn(c.StringSlice("fail-on"))
			if err != nil {
				return err
			}
			opts := scan.Options{
				Dir:           g.dir,
				Root:          c.String("root"),
				Exclude:       c.StringSlice("exclude"),
				IncludeGit:    c.Bool("no-default-excludes"),
				OneFileSystem: c.Bool("one-file-system"),
				Workers:       c.Int("workers"),
			}
			paths, err := s.scanPaths(c, g, &opts)
			if err != nil {
				return err
			}
			if gcHooks.walking != nil {
				gcHooks.walking()
			}
			res, err := scan.Scan(paths, opts)
			if err != nil {
				return err
			}
			rep := newScanReport(res, fail)
			w := bufio.NewWriterSize(s.stdout, 64<<10)
			switch g.output {
			case "json":
				err = rep.writeJSON(w)
			case "markdown":
				err = rep.writeMarkdown(w, c.Bool("all"))
			default:
				err = rep.writeText(w, c.Bool("all"))
			}
			if err == nil {
				err = w.Flush()
			}
			if err != nil {
				return err
			}
			if rep.findings > 0 {
				return withCode(exitChanges, nil)
			}
			return nil
		},
	}
}

// scanPaths are the paths scan walks: the arguments, or the manifest's
// root (which then bounds opts.Root and skips its state_dir), or the
// working folder.
func (s *sys) scanPaths(c *cli.Context, g *globals, opts *scan.Options) ([]string, error) {
	paths := c.Args().Slice()
	if len(paths) == 0 {
		m, err := s.scanManifest(c, g)
		if err != nil {
			return nil, err
		}
		paths = []string{"."}
		if m != nil {
			paths[0] = shortPath(g.dir, m.Root)
			if opts.Root == "" {
				opts.Root = m.Root
			}
			if !c.Bool("no-default-excludes") {
				if sd, err := filepath.EvalSymlinks(filepath.Join(m.Root, filepath.FromSlash(m.StateDir))); err == nil {
					opts.SkipDirs = append(opts.SkipDirs, sd)
				}
			}
		}
	}
	return paths, nil
}

// scanManifest loads the manifest when one is named (-f, $LINKS_FILE) or
// links.yaml exists; it returns nil when there is none to load.
func (s *sys) scanManifest(c *cli.Context, g *globals) (*manifest.Manifest, error) {
	named := c.IsSet("file") || s.getenv("LINKS_FILE") != ""
	if !named {
		if _, err := os.Stat(g.path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	m, err := s.load(g)
	if err != nil {
		return nil, fmt.Errorf("%w\n(scan reads the manifest to find its root; name the paths to scan to do without it)", err)
	}
	return m, nil
}

// shortPath shows p relative to dir when it lies beneath it.
func shortPath(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return p
}

// failOn is the set of findings that make scan exit 2.
type failOn struct {
	broken, loop, escapes, absolute, unreadable bool
	chain                                       int // links with more hops than this; -1: off
	names                                       []string
}

func parseFailOn(items []string) (failOn, error) {
	f := failOn{chain: -1, names: []string{}}
	for _, raw := range items {
		it := strings.TrimSpace(raw)
		switch {
		case it == "broken":
			f.broken = true
		case it == "loop":
			f.loop = true
		case it == "escapes":
			f.escapes = true
		case it == "absolute":
			f.absolute = true
		case it == "unreadable":
			f.unreadable = true
		case it == "none" || it == "":
			continue
		case strings.HasPrefix(it, "chain>"):
			n, err := strconv.Atoi(it[len("chain>"):])
			if err != nil || n < 0 {
				return f, &usageError{msg: fmt.Sprintf("--fail-on %q: write chain>N with N a number of hops, like chain>1", it)}
			}
			f.chain = n
		default:
			return f, &usageError{msg: fmt.Sprintf("--fail-on %q: findings are broken, loop, escapes, absolute, chain>N, unreadable, or none", it)}
		}
		f.names = append(f.names, it)
	}
	return f, nil
}

// matches reports whether l is a finding.
func (f *failOn) matches(l *scan.Link) bool {
	switch {
	case f.broken && l.Status == scan.StatusBroken,
		f.loop && l.Status == scan.StatusLoop,
		f.escapes && l.Status == scan.StatusEscapes,
		f.absolute && l.Absolute,
		f.chain >= 0 && l.Hops > f.chain:
		return true
	}
	return false
}

// scanReport is a scan result with its findings counted.
type scanReport struct {
	res      *scan.Result
	sum      scan.Summary
	fail     failOn
	findings int
}

func newScanReport(res *scan.Result, fail failOn) *scanReport {
	r := &scanReport{res: res, sum: res.Summary(), fail: fail}
	for i := range res.Links {
		if fail.matches(&res.Links[i]) {
			r.findings++
		}
	}
	if fail.unreadable {
		r.findings += len(res.Unreadable)
	}
	return r
}

// groups returns the text and markdown groups in order: the problem
// statuses, the extra --fail-on findings, then ok (with all).
func (r *scanReport) groups(all bool) []scanGroup {
	byStatus := map[string][]*scan.Link{}
	var absolute, chained []*scan.Link
	for i := range r.res.Links {
		l := &r.res.Links[i]
		byStatus[l.Status] = append(byStatus[l.Status], l)
		if r.fail.absolute && l.Absolute {
			absolute = append(absolute, l)
		}
		if r.fail.chain >= 0 && l.Hops > r.fail.chain {
			chained = append(chained, l)
		}
	}
	out := []scanGroup{
		{scan.StatusBroken, byStatus[scan.StatusBroken]},
		{scan.StatusLoop, byStatus[scan.StatusLoop]},
		{scan.StatusEscapes, byStatus[scan.StatusEscapes]},
		{"absolute", absolute},
		{fmt.Sprintf("chain>%d", r.fail.chain), chained},
	}
	if all {
		out = append(out, scanGroup{scan.StatusOK, byStatus[scan.StatusOK]})
	}
	return out
}

type scanGroup struct {
	name  string
	links []*scan.Link
}

func (r *scanReport) writeText(w io.Writer, all bool) error {
	for _, g := range r.groups(all) {
		if len(g.links) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s (%d):\n", g.name, len(g.links))
		for _, l := range g.links {
			fmt.Fprintf(w, "  %s -> %s%s\n", showText(l.Path), showText(l.Link), linkNote(l))
		}
		fmt.Fprintln(w)
	}
	if len(r.res.Unreadable) > 0 {
		fmt.Fprintf(w, "unreadable (%d):\n", len(r.res.Unreadable))
		for _, e := range r.res.Unreadable {
			fmt.Fprintf(w, "  %s: %v\n", showText(e.Path), unwrapPath(e.Err))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%s.\n%s\n", r.summaryLine(), r.findingsLine())
	return nil
}

// linkNote says why a link is listed, in parentheses.
func linkNote(l *scan.Link) string {
	var parts []string
	switch l.Status {
	case scan.StatusBroken, scan.StatusLoop:
		parts = append(parts, showText(l.Error))
	case scan.StatusEscapes:
		parts = append(parts, "resolves to "+showText(l.Resolved))
	}
	if l.Hops > 1 {
		parts = append(parts, fmt.Sprintf("%d hops", l.Hops))
	}
	if len(parts) == 0 {
		return ""
	}
	return "  (" + strings.Join(parts, "; ") + ")"
}

func (r *scanReport) summaryLine() string {
	s := r.sum
	entries := fmt.Sprintf("%d entries", s.Entries)
	if s.Entries == 1 {
		entries = "1 entry"
	}
	line := fmt.Sprintf("Scanned %s in %s: %s (%d ok, %d broken, %d loop, %d escapes), %d absolute, %d chained",
		entries, plural(s.Dirs, "folder"), plural(s.Links, "symlink"), s.OK, s.Broken, s.Loop, s.Escapes, s.Absolute, s.Chained)
	if s.MaxHops > 1 {
		line += fmt.Sprintf(" (longest %d hops)", s.MaxHops)
	}
	if s.Unreadable > 0 {
		line += fmt.Sprintf("; %s unreadable", plural(s.Unreadable, "folder"))
	}
	return line
}

func (r *scanReport) findingsLine() string {
	list := strings.Join(r.fail.names, ",")
	if len(r.fail.names) == 0 {
		list = "none"
	}
	if r.findings == 0 {
		return fmt.Sprintf("No findings (--fail-on %s).", list)
	}
	return fmt.Sprintf("%s (--fail-on %s).", plural(r.findings, "finding"), list)
}

// showText quotes s when it holds characters that would garble a line
// (newlines, other control characters, invalid UTF-8).
func showText(s string) string {
	for _, c := range s {
		if c == unicode.ReplacementChar || !unicode.IsPrint(c) && c != ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}

func (r *scanReport) writeMarkdown(w io.Writer, all bool) error {
	fmt.Fprintf(w, "### links scan\n\n**%s**\n\n%s.\n", r.findingsLine(), r.summaryLine())
	rows := 0
	for _, g := range r.groups(all) {
		for _, l := range g.links {
			if rows == 0 {
				fmt.Fprintf(w, "\n| finding | path | link | resolved | hops | detail |\n|---|---|---|---|---|---|\n")
			}
			rows++
			detail := ""
			if l.Status == scan.StatusBroken || l.Status == scan.StatusLoop {
				detail = mdText(l.Error)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %s |\n", g.name, mdCode(l.Path), mdCode(l.Link), mdCode(l.Resolved), l.Hops, detail)
		}
	}
	if len(r.res.Unreadable) > 0 {
		fmt.Fprintf(w, "\n| unreadable folder | error |\n|---|---|\n")
		for _, e := range r.res.Unreadable {
			fmt.Fprintf(w, "| %s | %s |\n", mdCode(e.Path), mdText(unwrapPath(e.Err).Error()))
		}
	}
	return nil
}

// mdCode shows s as inline code in a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = showText(s)
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// mdText escapes s for a table cell.
func mdText(s string) string {
	return strings.ReplaceAll(showText(s), "|", `\|`)
}

// scanLinkJSON is one link in scan's JSON output (SPEC §4).
type scanLinkJSON struct {
	Path     string `json:"path"`
	Link     string `json:"link"`
	Resolved string `json:"resolved"`
	Status   string `json:"status"`
	Absolute bool   `json:"absolute"`
	Hops     int    `json:"hops"`
	Error    string `json:"error,omitempty"`
}

type scanSummaryJSON struct {
	Links      int `json:"links"`
	OK         int `json:"ok"`
	Broken     int `json:"broken"`
	Loop       int `json:"loop"`
	Escapes    int `json:"escapes"`
	Absolute   int `json:"absolute"`
	Chained    int `json:"chained"`
	MaxHops    int `json:"max_hops"`
	Unreadable int `json:"unreadable"`
	Dirs       int `json:"dirs"`
	Entries    int `json:"entries"`
	Findings   int `json:"findings"`
}

type scanErrorJSON struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// writeJSON writes SPEC §4's scan object, one link a line so that a
// hundred thousand links stay quick to write and to diff.
func (r *scanReport) writeJSON(w io.Writer) error {
	fmt.Fprintf(w, "{\n  \"format_version\": 1,\n  \"links\": [")
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for i := range r.res.Links {
		l := &r.res.Links[i]
		b.Reset()
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		if err := enc.Encode(scanLinkJSON{l.Path, l.Link, l.Resolved, l.Status, l.Absolute, l.Hops, l.Error}); err != nil {
			return err
		}
		if _, err := w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n"))); err != nil {
			return err
		}
	}
	if len(r.res.Links) > 0 {
		fmt.Fprintf(w, "\n  ")
	}
	s := r.sum
	unreadable := make([]scanErrorJSON, 0, len(r.res.Unreadable))
	for _, e := range r.res.Unreadable {
		unreadable = append(unreadable, scanErrorJSON{e.Path, unwrapPath(e.Err).Error()})
	}
	tail := struct {
		Summary    scanSummaryJSON `json:"summary"`
		FailOn     []string        `json:"fail_on"`
		Unreadable []scanErrorJSON `json:"unreadable"`
	}{
		scanSummaryJSON{s.Links, s.OK, s.Broken, s.Loop, s.Escapes, s.Absolute, s.Chained, s.MaxHops, s.Unreadable, s.Dirs, s.Entries, r.findings},
		r.fail.names, unreadable,
	}
	b.Reset()
	enc.SetIndent("", "  ")
	if err := enc.Encode(tail); err != nil {
		return err
	}
	// Splice the tail's fields after "links": drop its braces.
	body := strings.TrimSuffix(strings.TrimPrefix(b.String(), "{\n"), "\n}\n")
	_, err := fmt.Fprintf(w, "],\n%s\n}\n", body)
	return err
}
