package plan

import (
	"fmt"
	"io"
	"strings"
)

// TextOptions control the human rendering.
type TextOptions struct {
	// Color enables ANSI colours (a terminal without NO_COLOR/--no-color).
	Color bool
	// Verbose also lists no-op entries.
	Verbose bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// Symbol is the one-glyph marker of an action in text output.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Replace:
		return "-/+"
	case Delete:
		return "-"
	case Conflict:
		return "!"
	}
	return " "
}

func (a Action) color() string {
	switch a {
	case Create:
		return ansiGreen
	case Update:
		return ansiYellow
	case Replace, Delete, Conflict:
		return ansiRed
	}
	return ""
}

// WriteText writes the plan for people: changes sorted by dest, no-ops
// hidden, conflicts last with what to do, and a closing summary line.
func WriteText(w io.Writer, p *Plan, opts TextOptions) error {
	bw := &errWriter{w: w}
	s := p.Summary()
	if !s.Changed() && s.Conflict == 0 && !opts.Verbose {
		for _, w := range p.Warnings {
			bw.printf("%s %s\n", paint(opts.Color, ansiYellow, "Warning:"), w)
		}
		bw.printf("No changes. %s in %s %s the manifest.\n", countLinks(s.Noop), p.Root, pluralize(s.Noop, "matches", "match"))
		return bw.err
	}
	if s.Changed() {
		bw.printf("links will perform the following actions in %s:\n\n", p.Root)
	}
	for _, c := range p.Changes {
		if c.Action == Conflict || (c.Action == Noop && !opts.Verbose) {
			continue
		}
		bw.printf("%s\n", ChangeLine(&c, opts.Color))
	}
	if s.Conflict > 0 {
		if s.Changed() {
			bw.printf("\n")
		}
		bw.printf("%s:\n\n", paint(opts.Color, ansiRed+ansiBold, fmt.Sprintf("%d %s", s.Conflict, pluralize(s.Conflict, "conflict", "conflicts"))))
		for _, c := range p.Changes {
			if c.Action == Conflict {
				bw.printf("%s\n", ChangeLine(&c, opts.Color))
			}
		}
	}
	for _, w := range p.Warnings {
		bw.printf("\n%s %s\n", paint(opts.Color, ansiYellow, "Warning:"), w)
	}
	bw.printf("\n%s\n", SummaryLine(s))
	if s.Conflict > 0 {
		bw.printf("%s\n", paint(opts.Color, ansiRed, "Nothing can be applied until every conflict is resolved."))
	}
	return bw.err
}

// ChangeLine renders one change on a line (two for a reason), e.g.
//
//	~ update   current -> releases/b (was releases/a)
func ChangeLine(c *Change, color bool) string {
	var b strings.Builder
	sym := fmt.Sprintf("%3s %-8s", c.Action.Symbol(), c.Action)
	b.WriteString("  ")
	b.WriteString(paint(color, c.Action.color(), sym))
	b.WriteString(" ")
	b.WriteString(quotePath(c.Dest))
	switch {
	case c.Restore != "":
		fmt.Fprintf(&b, " (%s restored from %s; was -> %s)", describe(c.After.Type), quotePath(c.Restore), quotePath(c.Before.Link))
	case c.Action == Delete:
		b.WriteString(" (was -> " + quotePath(c.Before.Link) + ")")
	default:
		b.WriteString(" -> " + quotePath(c.After.Link))
	}
	switch c.Action {
	case Update:
		b.WriteString(" (was " + quotePath(c.Before.Link) + ")")
	case Replace:
		if c.Backup != "" {
			fmt.Fprintf(&b, " (%s moved to %s)", describe(c.Before.Type), quotePath(c.Backup))
		}
	}
	if c.Reason != "" {
		b.WriteString("\n" + strings.Repeat(" ", 15) + paint(color, c.Action.color(), c.Reason))
	}
	return b.String()
}

// DoneLine renders a change apply has made, or the error that stopped it:
//
//   - created   current -> releases/a
func DoneLine(c *Change, err error, color bool) string {
	past := map[Action]string{Create: "created", Update: "updated", Replace: "replaced", Delete: "deleted"}[c.Action]
	if err != nil {
		return "  " + paint(color, ansiRed, fmt.Sprintf("%3s %-9s", "!", "failed")) + " " + quotePath(c.Dest) + "\n" +
			strings.Repeat(" ", 16) + paint(color, ansiRed, err.Error())
	}
	line := "  " + paint(color, c.Action.color(), fmt.Sprintf("%3s %-9s", c.Action.Symbol(), past)) + " " + quotePath(c.Dest)
	switch {
	case c.Restore != "":
		return line + " (" + describe(c.After.Type) + " restored from " + quotePath(c.Restore) + ")"
	case c.Action == Delete:
		return line
	case c.Action == Replace:
		if c.Backup != "" {
			return line + " -> " + quotePath(c.After.Link) + " (backup: " + quotePath(c.Backup) + ")"
		}
	}
	return line + " -> " + quotePath(c.After.Link)
}

// SummaryLine is the closing line: "Plan: 1 to create, ..." or "No changes.".
func SummaryLine(s Summary) string {
	if !s.Changed() {
		if s.Conflict > 0 {
			return fmt.Sprintf("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, %d %s.", s.Conflict, pluralize(s.Conflict, "conflict", "conflicts"))
		}
		return "No changes."
	}
	line := fmt.Sprintf("Plan: %d to create, %d to update, %d to replace, %d to delete", s.Create, s.Update, s.Replace, s.Delete)
	if s.Conflict > 0 {
		line += fmt.Sprintf(", %d %s", s.Conflict, pluralize(s.Conflict, "conflict", "conflicts"))
	}
	return line + "."
}

// quotePath shows a path as is, unless it has characters that would make
// the line ambiguous (spaces at the ends, newlines, control characters).
func quotePath(p string) string {
	if p == "" || strings.TrimSpace(p) != p || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' }) {
		return fmt.Sprintf("%q", p)
	}
	return p
}

func paint(on bool, code, s string) string {
	if !on || code == "" {
		return s
	}
	return code + s + ansiReset
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func countLinks(n int) string {
	return fmt.Sprintf("%d %s", n, pluralize(n, "link", "links"))
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}
