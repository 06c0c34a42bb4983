package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// The man page (docs/links.1) and the markdown CLI reference (docs/cli.md)
// are generated from the command definitions by a walk of their own
// (urfave/cli's ToMan writes section 8, drops ArgsUsage and prints
// defaults twice). TestManPage and TestCLIReference fail when a file is
// out of date; go test ./cmd/links -run 'TestManPage|TestCLIReference'
// -update rewrites them.

// docCommand is one command (or subcommand) as the pages show it.
type docCommand struct {
	path string // "plan", "backups prune"
	cmd  *cli.Command
}

// docCommands lists the visible commands, each followed by its
// subcommands.
func docCommands(app *cli.App) []docCommand {
	var out []docCommand
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			out = append(out, docCommand{prefix + c.Name, c})
			walk(prefix+c.Name+" ", c.Subcommands)
		}
	}
	walk("", app.Commands)
	return out
}

func visibleFlags(flags []cli.Flag) []cli.Flag {
	var out []cli.Flag
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		out = append(out, f)
	}
	return out
}

// argsUsage is the command's arguments as its synopsis shows them.
func argsUsage(c *cli.Command) string {
	a := strings.TrimSpace(c.ArgsUsage)
	if len(c.Subcommands) > 0 && a == "" {
		return ""
	}
	return a
}

// sentence is a usage line as a sentence: capitalised, with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// paragraphs splits a Description into paragraphs; a paragraph whose lines
// are indented is preformatted (pre is true, lines kept).
func paragraphs(s string) (out []struct {
	pre  bool
	text []string
}) {
	for _, p := range strings.Split(s, "\n\n") {
		lines := strings.Split(strings.Trim(p, "\n"), "\n")
		pre := strings.HasPrefix(lines[0], "   ")
		if !pre {
			lines = []string{strings.Join(lines, " ")}
		}
		out = append(out, struct {
			pre  bool
			text []string
		}{pre, lines})
	}
	return out
}

// Sections both pages share, beyond the commands.
var (
	docDescription = []string{
		"links keeps symbolic links in the state a committed YAML manifest (links.yaml) declares. " +
			"links plan shows what would change, links apply makes it so, links verify proves it still is.",
		"Flags may come before or after the command and its arguments: links apply plan.json --auto-approve works. " +
			"Errors go to standard error, prefixed links:; a manifest error names its place as FILE:LINE:COL: message. " +
			"Each command writes some of the -o formats; any other is an error.",
	}
	docExit = [][2]string{
		{"0", "Success; nothing to change (plan --detailed-exitcode); in sync (verify); no findings (scan)."},
		{"1", "Error: a bad manifest, a conflict, a refusal (an escape from root, a stale plan, no approval), the lock not taken, an I/O failure, a usage error."},
		{"2", "plan --detailed-exitcode: changes to make; verify: drift or broken links; scan: findings listed in --fail-on."},
	}
	docEnv = [][2]string{
		{"LINKS_FILE", "The manifest, when -f is not given."},
		{"NO_COLOR", "When set and not empty, no colour (unless --color always)."},
		{"CLICOLOR_FORCE", "When set and not 0, colour even when standard output is not a terminal (unless NO_COLOR or --color never)."},
		{"CLICOLOR", "When 0, no colour on a terminal."},
		{"TERM", "When dumb, no colour and no progress bar."},
		{"HOME", "What ~ in the manifest's root expands to."},
		{"LINKS_TRACE", "When set, one line a phase on standard error, timed from the process start."},
		{"LINKS_HUGE_PAGES", "When off, the heap is not asked for transparent huge pages (Linux; see docs/performance.md)."},
		{"LINKS_CPUPROFILE, LINKS_MEMPROFILE", "Write a CPU profile, or a heap profile at exit, to that file."},
		{"GOGC, GOMEMLIMIT", "Replace links' own garbage-collector settings."},
	}
	docFiles = [][2]string{
		{"links.yaml", "The manifest (-f, $LINKS_FILE). links init writes a starter one; links schema prints its JSON Schema."},
		{"links.schema.json", "The schema saved beside the manifest (links schema > links.schema.json), for editors reading the yaml-language-server modeline."},
		{"STATE_DIR/lock", "The lock every apply, rollback and prune takes (state_dir, default .links under root)."},
		{"STATE_DIR/journal.jsonl", "One JSON object a line for every change, written before it is made and marked done after; links log reads it."},
		{"STATE_DIR/state.json", "The links this manifest made, so that links it stops declaring are deleted."},
		{"STATE_DIR/backups/APPLY_ID/", "Files and folders displaced by an apply; links rollback restores them, links backups prune removes old ones."},
	}
	docExamples = [][2]string{
		{"links init --write links.yaml && links schema > links.schema.json", "Start a manifest, with the schema editors complete from."},
		{"links plan --out plan.json && links apply plan.json", "Review a plan, then apply exactly that plan."},
		{"links apply --auto-approve --var release=2026-02-07_1200", "Switch a release link in provisioning, without a prompt."},
		{"links verify -o prometheus > links.prom.tmp && mv links.prom.tmp links.prom", "Write node_exporter's textfile, atomically."},
		{"links rollback", "Undo the last apply, backups included."},
		{"links validate */links.yaml", "Check several manifests (as a pre-commit hook does)."},
		{"links scan --fail-on broken,loop,escapes /srv", "Report bad symlinks under /srv; exit 2 if any."},
		{"source <(links completion bash)", "Complete commands, flags and values in bash."},
	}
)

// roff escapes text for a man page line.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffFlag is a flag's synopsis in bold, its placeholder in italics.
func roffFlag(f cli.Flag) string {
	var names []string
	for _, n := range strings.Split(strings.TrimSuffix(flagSynopsis(f), " "+flagPlaceholder(f)), ", ") {
		names = append(names, `\fB`+roff(n)+`\fR`)
	}
	s := strings.Join(names, ", ")
	if p := flagPlaceholder(f); p != "" {
		s += ` \fI` + roff(p) + `\fR`
	}
	return s
}

func roffFlags(b *strings.Builder, flags []cli.Flag) {
	for _, f := range visibleFlags(flags) {
		usage := sentence(flagUsage(f))
		if d := flagDefault(f); d != "" {
			usage += " Default: " + d + "."
		}
		fmt.Fprintf(b, ".TP\n%s\n%s\n", roffFlag(f), roff(usage))
	}
}

// manPage renders the section 1 man page.
func manPage(app *cli.App) string {
	var b strings.Builder
	b.WriteString(".\\\" Generated by go test ./cmd/links -run TestManPage -update; do not edit.\n")
	b.WriteString(".TH LINKS 1 \"\" \"links\" \"User Commands\"\n.nh\n.ad l\n")
	fmt.Fprintf(&b, ".SH NAME\nlinks \\- %s\n", roff(app.Usage))
	b.WriteString(".SH SYNOPSIS\n.B links\n.RI [ global-options ]\n.I command\n.RI [ options ]\n.RI [ arguments ]\n")
	b.WriteString(".SH DESCRIPTION\n")
	for i, p := range docDescription {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		b.WriteString(roff(p) + "\n")
	}
	b.WriteString(".SH GLOBAL OPTIONS\n")
	roffFlags(&b, append(app.Flags, cli.HelpFlag))
	b.WriteString(".SH COMMANDS\n")
	for _, dc := range docCommands(app) {
		fmt.Fprintf(&b, ".SS \"links %s\"\n", dc.path)
		fmt.Fprintf(&b, ".B links %s\n", roff(dc.path))
		if len(visibleFlags(dc.cmd.Flags)) > 0 {
			b.WriteString(".RI [ options ]\n")
		}
		if a := argsUsage(dc.cmd); a != "" {
			fmt.Fprintf(&b, ".I %s\n", roff(a))
		}
		fmt.Fprintf(&b, ".PP\n%s\n", roff(sentence(dc.cmd.Usage)))
		for _, p := range paragraphs(dc.cmd.Description) {
			if dc.cmd.Description == "" {
				break
			}
			if p.pre {
				b.WriteString(".PP\n.RS 4\n.nf\n")
				for _, l := range p.text {
					fmt.Fprintf(&b, "%s\n", roff(strings.TrimPrefix(l, "   ")))
				}
				b.WriteString(".fi\n.RE\n")
				continue
			}
			fmt.Fprintf(&b, ".PP\n%s\n", roff(p.text[0]))
		}
		if o := outputs[dc.cmd.Name]; len(o) > 0 {
			fmt.Fprintf(&b, ".PP\nOutput (\\fB\\-o\\fR): %s.\n", roff(strings.Join(o, ", ")))
		}
		roffFlags(&b, dc.cmd.Flags)
	}
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range docExit {
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", e[0], roff(e[1]))
	}
	b.WriteString(".SH ENVIRONMENT\n")
	for _, e := range docEnv {
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roff(e[0]), roff(e[1]))
	}
	b.WriteString(".SH FILES\n")
	for _, e := range docFiles {
		fmt.Fprintf(&b, ".TP\n.I %s\n%s\n", roff(e[0]), roff(e[1]))
	}
	b.WriteString(".SH EXAMPLES\n")
	for i, e := range docExamples {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		fmt.Fprintf(&b, "%s\n.RS 4\n.nf\n%s\n.fi\n.RE\n", roff(e[1]), roff("$ "+e[0]))
	}
	b.WriteString(".SH SEE ALSO\n.BR ln (1),\n.BR readlink (1),\n.BR stow (8)\n.PP\n" +
		"The manual pages in the docs folder of the source: commands.md, manifest.md, monitoring.md.\n")
	return b.String()
}

// md escapes text for a markdown table cell.
func md(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

func mdFlags(b *strings.Builder, flags []cli.Flag) {
	b.WriteString("| flag | meaning | default |\n|---|---|---|\n")
	for _, f := range visibleFlags(flags) {
		d := flagDefault(f)
		if d != "" {
			d = "`" + d + "`"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", flagSynopsis(f), md(flagUsage(f)), md(d))
	}
}

// cliReference renders docs/cli.md.
func cliReference(app *cli.App) string {
	var b strings.Builder
	b.WriteString("# links command-line reference\n\n" +
		"<!-- Generated by go test ./cmd/links -run TestCLIReference -update; do not edit. -->\n\n" +
		"Every command and flag, generated from their definitions (as is the man page,\n" +
		"[links.1](links.1): `man -l docs/links.1`). [commands.md](commands.md) explains\n" +
		"each command with examples.\n\n")
	b.WriteString("```\nlinks [global options] COMMAND [options] [arguments]\n```\n\n")
	for _, p := range docDescription {
		b.WriteString(p + "\n\n")
	}
	b.WriteString("## Global options\n\n")
	mdFlags(&b, append(app.Flags, cli.HelpFlag))
	b.WriteString("\n## Commands\n\n| command | what it does | `-o` |\n|---|---|---|\n")
	for _, dc := range docCommands(app) {
		anchor := strings.ReplaceAll("links-"+dc.path, " ", "-")
		fmt.Fprintf(&b, "| [`links %s`](#%s) | %s | %s |\n", dc.path, anchor, md(dc.cmd.Usage), strings.Join(outputs[dc.cmd.Name], ", "))
	}
	for _, dc := range docCommands(app) {
		fmt.Fprintf(&b, "\n### links %s\n\n", dc.path)
		syn := "links " + dc.path
		if len(visibleFlags(dc.cmd.Flags)) > 0 {
			syn += " [options]"
		}
		if a := argsUsage(dc.cmd); a != "" {
			syn += " " + a
		}
		fmt.Fprintf(&b, "```\n%s\n```\n\n%s\n", syn, sentence(dc.cmd.Usage))
		for _, p := range paragraphs(dc.cmd.Description) {
			if dc.cmd.Description == "" {
				break
			}
			if p.pre {
				b.WriteString("\n```\n")
				for _, l := range p.text {
					b.WriteString(strings.TrimPrefix(l, "   ") + "\n")
				}
				b.WriteString("```\n")
				continue
			}
			fmt.Fprintf(&b, "\n%s\n", p.text[0])
		}
		if o := outputs[dc.cmd.Name]; len(o) > 0 {
			fmt.Fprintf(&b, "\nOutput (`-o`): %s.\n", strings.Join(o, ", "))
		}
		if len(visibleFlags(dc.cmd.Flags)) > 0 {
			b.WriteString("\n")
			mdFlags(&b, dc.cmd.Flags)
		}
	}
	b.WriteString("\n## Exit status\n\n| code | meaning |\n|---|---|\n")
	for _, e := range docExit {
		fmt.Fprintf(&b, "| %s | %s |\n", e[0], md(e[1]))
	}
	b.WriteString("\n## Environment\n\n| variable | meaning |\n|---|---|\n")
	for _, e := range docEnv {
		fmt.Fprintf(&b, "| `%s` | %s |\n", strings.ReplaceAll(e[0], ", ", "`, `"), md(e[1]))
	}
	b.WriteString("\n## Files\n\n| path | what it is |\n|---|---|\n")
	for _, e := range docFiles {
		fmt.Fprintf(&b, "| `%s` | %s |\n", e[0], md(e[1]))
	}
	b.WriteString("\n## Examples\n")
	for _, e := range docExamples {
		fmt.Fprintf(&b, "\n%s\n\n```console\n$ %s\n```\n", e[1], e[0])
	}
	return b.String()
}

// checkGolden compares got with the file at path, or rewrites it with
// -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/links -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			if i >= len(gl) || i >= len(wl) || gl[i] != wl[i] {
				g, w := "", ""
				if i < len(gl) {
					g = gl[i]
				}
				if i < len(wl) {
					w = wl[i]
				}
				t.Fatalf("%s is out of date (run go test ./cmd/links -run %s -update); line %d:\n got: %q\nfile: %q", path, t.Name(), i+1, g, w)
			}
		}
	}
}

func TestManPage(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "links.1")
	page := manPage(new(sys).newApp())
	checkGolden(t, path, page)
	// man itself renders it without a warning, where it is installed.
	if _, err := exec.LookPath("man"); err != nil {
		t.Log("no man on PATH: not rendered")
		return
	}
	cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", path)
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("man --warnings -l %s: %v\n%s", path, err, stderr.String())
	}
	for _, want := range []string{"NAME", "SYNOPSIS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "links verify"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("rendered man page has no %q", want)
		}
	}
}

func TestCLIReference(t *testing.T) {
	checkGolden(t, filepath.Join("..", "..", "docs", "cli.md"), cliReference(new(sys).newApp()))
}

// TestCommandsDocumented fails when docs/commands.md does not mention a
// command or one of its flags (every name: --max-count and -n) in the
// command's own section (a "## " heading naming `links COMMAND`), or a
// global flag under "## Global flags".
func TestCommandsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "commands.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{} // heading -> body
	var heading string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			heading = line
			continue
		}
		sections[heading] += line + "\n"
	}
	section := func(want *regexp.Regexp) (string, bool) {
		text, found := "", false
		for h, body := range sections {
			if want.MatchString(h) {
				text += h + "\n" + body
				found = true
			}
		}
		return text, found
	}
	documented := func(text string, f cli.Flag) []string {
		var missing []string
		for _, n := range f.Names() {
			re := regexp.MustCompile(`(^|[^-\w])` + regexp.QuoteMeta(dashed(n)) + `($|[^-\w])`)
			if !re.MatchString(text) {
				missing = append(missing, dashed(n))
			}
		}
		return missing
	}
	app := new(sys).newApp()
	global, ok := section(regexp.MustCompile(`^## Global flags`))
	if !ok {
		t.Fatal(`docs/commands.md has no "## Global flags" section`)
	}
	for _, f := range visibleFlags(app.Flags) {
		if m := documented(global, f); len(m) > 0 {
			t.Errorf("docs/commands.md, Global flags: %s not documented", strings.Join(m, ", "))
		}
	}
	for _, dc := range docCommands(app) {
		text, ok := section(regexp.MustCompile("^## .*`links " + regexp.QuoteMeta(dc.path) + "[` \\[]"))
		if !ok {
			t.Errorf("docs/commands.md: no section for links %s", dc.path)
			continue
		}
		for _, f := range visibleFlags(dc.cmd.Flags) {
			if m := documented(text, f); len(m) > 0 {
				t.Errorf("docs/commands.md, links %s: %s not documented", dc.path, strings.Join(m, ", "))
			}
		}
	}
}

// TestFlagPlaceholders fails when a flag that takes a value does not name
// it (a `WORD` in its usage): help would show a bare "VALUE".
func TestFlagPlaceholders(t *testing.T) {
	app := new(sys).newApp()
	check := func(where string, flags []cli.Flag) {
		for _, f := range flags {
			if takesValue(f) && flagPlaceholder(f) == "VALUE" {
				t.Errorf("%s: %s has no `PLACEHOLDER` in its usage", where, flagSynopsis(f))
			}
		}
	}
	check("global", app.Flags)
	for _, dc := range docCommands(app) {
		check("links "+dc.path, dc.cmd.Flags)
	}
}
