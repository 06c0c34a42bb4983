package main

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// Shell completion. The scripts links completion prints (completion.go)
// ask the binary itself what may come next:
//
//	links __complete WORD... CURRENT
//
// where the WORDs are those typed after "links" before the cursor and
// CURRENT is the (possibly empty) word under it. It prints a directive
// line, then one candidate a line, "VALUE<TAB>DESCRIPTION":
//
//	:values  only the candidates
//	:files   file names (the shell's own completion; candidates are none)
//	:yaml    manifests: *.yaml and *.yml files, and folders
//	:dirs    folder names
//
// urfave/cli's own protocol (the last argument --generate-bash-completion,
// as its autocomplete/bash_autocomplete script sends) is answered from the
// same table, candidates only: it used to reach reorder and fail with
// "flag provided but not defined".

// completeCmd is the hidden command the scripts call.
const completeCmd = "__complete"

// bashCompleteMarker is urfave/cli's completion request flag.
const bashCompleteMarker = "--generate-bash-completion"

type candidate struct{ value, desc string }

// completion is what may come next: a directive and candidates.
type completion struct {
	directive string
	cands     []candidate
}

// failOnKinds are scan --fail-on's findings (chain>N is left out: its ">"
// is a redirection to the shell).
var failOnKinds = []string{"broken", "loop", "escapes", "absolute", "unreadable", "none"}

// flagValues are the values of enumerated flags, by flag name.
var flagValues = map[string][]string{
	"strategy": {"keep", "relative", "absolute"},
	"dangling": {"skip", "allow"},
	"color":    {"auto", "always", "never"},
}

// fileFlags are the flags whose value is a path, with its directive.
var fileFlags = map[string]string{
	"file": ":yaml", "f": ":yaml", "out": ":files", "write": ":files",
	"C": ":dirs", "root": ":dirs",
}

// runComplete answers links __complete.
func (s *sys) runComplete(args []string) int {
	app := s.newApp()
	cur := ""
	if len(args) > 0 {
		cur, args = args[len(args)-1], args[:len(args)-1]
	}
	r := s.complete(app, args, cur)
	fmt.Fprintln(s.stdout, r.directive)
	for _, c := range r.cands {
		if c.desc != "" {
			fmt.Fprintf(s.stdout, "%s\t%s\n", c.value, c.desc)
		} else {
			fmt.Fprintln(s.stdout, c.value)
		}
	}
	return exitOK
}

// runBashComplete answers urfave/cli's protocol: args end with the marker,
// and the word before it is the one being completed if it begins with "-".
func (s *sys) runBashComplete(args []string) int {
	args = args[:len(args)-1]
	cur := ""
	if n := len(args); n > 0 && strings.HasPrefix(args[n-1], "-") && args[n-1] != "--" {
		cur, args = args[n-1], args[:n-1]
	}
	r := s.complete(s.newApp(), args, cur)
	for _, c := range r.cands {
		fmt.Fprintln(s.stdout, c.value)
	}
	return exitOK
}

// complete works out what may follow words (typed after "links") at the
// word cur.
func (s *sys) complete(app *cli.App, words []string, cur string) completion {
	w := readWords(app, words)
	// A flag's value: after the flag, or after --flag=.
	prefix, valueOf := "", w.pending
	if valueOf == "" && !w.dashdash && strings.HasPrefix(cur, "-") && strings.Contains(cur, "=") {
		name, value, _ := strings.Cut(cur, "=")
		if f := lookupFlag(w.flags(), strings.TrimLeft(name, "-")); f != nil && takesValue(f) {
			prefix, valueOf, cur = name+"=", strings.TrimLeft(name, "-"), value
		}
	}
	if valueOf != "" {
		if d, ok := fileFlags[valueOf]; ok && prefix == "" {
			return completion{directive: d}
		}
		return completion{directive: ":values", cands: withPrefix(prefix, filterPrefix(s.flagValues(w.cmd, valueOf, cur), cur))}
	}
	if strings.HasPrefix(cur, "-") && !w.dashdash {
		return completion{directive: ":values", cands: filterPrefix(flagCandidates(w.flags()), cur)}
	}
	directive, cands := s.argCandidates(app, w)
	return completion{directive: directive, cands: filterPrefix(cands, cur)}
}

// words is what the words before the one being completed say.
type words struct {
	app         *cli.App
	cmd         *cli.Command
	positionals int
	dashdash    bool
	pending     string // a flag whose value is the next word
	file, dir   string // -f and -C, for the apply ids of rollback and log
}

// flags are the flags that apply after the words: the command's and the
// global ones.
func (w *words) flags() []cli.Flag {
	if w.cmd == nil {
		return w.app.Flags
	}
	return append(slices.Clone(w.cmd.Flags), w.app.Flags...)
}

// readWords reads the command, the positional count and the flags given.
func readWords(app *cli.App, list []string) *words {
	w := &words{app: app}
	note := func(name, value string) {
		switch name {
		case "f", "file":
			w.file = value
		case "C":
			w.dir = value
		}
	}
	for _, word := range list {
		if w.pending != "" {
			note(w.pending, word)
			w.pending = ""
			continue
		}
		switch {
		case w.dashdash || word == "-" || !strings.HasPrefix(word, "-"):
			switch {
			case w.cmd == nil && w.positionals == 0 && app.Command(word) != nil:
				w.cmd = app.Command(word)
			case w.cmd != nil && w.positionals == 0 && w.cmd.Command(word) != nil:
				w.cmd = w.cmd.Command(word)
			default:
				w.positionals++
			}
		case word == "--":
			w.dashdash = true
		default:
			name, value, hasValue := strings.Cut(strings.TrimLeft(word, "-"), "=")
			if f := lookupFlag(w.flags(), name); f != nil && takesValue(f) {
				if hasValue {
					note(name, value)
				} else {
					w.pending = name
				}
			}
		}
	}
	return w
}

// argCandidates completes a positional argument: commands, shells, apply
// ids, or files (directive).
func (s *sys) argCandidates(app *cli.App, w *words) (directive string, cands []candidate) {
	cmd, positionals := w.cmd, w.positionals
	directive = ":values"
	switch {
	case cmd == nil:
		if positionals == 0 {
			cands = commandCandidates(app.Commands)
		}
	case cmd.Name == "help":
		if positionals == 0 {
			cands = commandCandidates(app.Commands)
		}
	case len(cmd.Subcommands) > 0 && positionals == 0:
		cands = commandCandidates(cmd.Subcommands)
	case cmd.Name == "completion":
		if positionals == 0 {
			cands = []candidate{{"bash", "Bash (with bash-completion)"}, {"zsh", "Zsh"}, {"fish", "fish"}}
		}
	case cmd.Name == "rollback" || cmd.Name == "log":
		if positionals == 0 {
			cands = s.applyIDs(w.dir, w.file)
		}
	case cmd.Name == "validate":
		directive = ":yaml"
	case cmd.Name == "apply":
		if positionals == 0 {
			directive = ":files"
		}
	case cmd.Name == "scan" || cmd.Name == "import":
		directive = ":files"
	}
	return directive, cands
}

// flagValues are the candidates for the value of flag name under cmd.
func (s *sys) flagValues(cmd *cli.Command, name, cur string) []candidate {
	var list []string
	switch name {
	case "o", "output":
		list = allOutputs
		if cmd != nil {
			if l, ok := outputs[cmd.Name]; ok {
				list = l
			}
		}
	case "fail-on":
		// A comma-separated list: complete its last element.
		done := ""
		if i := strings.LastIndex(cur, ","); i >= 0 {
			done = cur[:i+1]
		}
		for _, k := range failOnKinds {
			if !slices.Contains(strings.Split(done, ","), k) {
				list = append(list, done+k)
			}
		}
	default:
		list = flagValues[name]
	}
	out := make([]candidate, len(list))
	for i, v := range list {
		out[i] = candidate{value: v}
	}
	return out
}

// applyIDs lists the applies in the journal of the manifest that -C and -f
// name, newest first; none if it cannot be read.
func (s *sys) applyIDs(dir, file string) []candidate {
	g := &globals{output: "text", vars: map[string]string{}}
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	g.dir = wd
	if dir != "" {
		g.dir = s.abs(wd, dir)
	}
	g.file = file
	if g.file == "" {
		g.file = s.getenv("LINKS_FILE")
	}
	if g.file == "" {
		g.file = "links.yaml"
	}
	g.path = s.abs(g.dir, g.file)
	root, h, err := s.openHistory(g, false)
	if err != nil {
		return nil
	}
	defer root.Close()
	var out []candidate
	for i := len(h.Applies) - 1; i >= 0; i-- {
		a := h.Applies[i]
		desc := a.Start.Local().Format(time.DateTime)
		if a.Actor.User != "" {
			desc += " by " + a.Actor.User + "@" + a.Actor.Host
		}
		out = append(out, candidate{a.ID, desc})
	}
	return out
}

func lookupFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// flagCandidates are every name of flags, "--long" and "-s", sorted.
func flagCandidates(flags []cli.Flag) []candidate {
	var out []candidate
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		desc := ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			desc = strings.ReplaceAll(d.GetUsage(), "`", "")
		}
		for _, n := range f.Names() {
			dash := "--"
			if len(n) == 1 {
				dash = "-"
			}
			out = append(out, candidate{dash + n, desc})
		}
	}
	out = append(out, candidate{"--help", "show help"})
	sort.Slice(out, func(i, j int) bool { return out[i].value < out[j].value })
	return out
}

func commandCandidates(cmds []*cli.Command) []candidate {
	var out []candidate
	for _, c := range cmds {
		if c.Hidden {
			continue
		}
		out = append(out, candidate{c.Name, c.Usage})
	}
	return out
}

func filterPrefix(cands []candidate, prefix string) []candidate {
	var out []candidate
	for _, c := range cands {
		if strings.HasPrefix(c.value, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func withPrefix(prefix string, cands []candidate) []candidate {
	for i := range cands {
		cands[i].value = prefix + cands[i].value
	}
	return cands
}
