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
	// Lines are put together in a buffer written out every 32 KiB: a plan
	// of 100,000 changes is as many lines, and fmt per line was a visible
	// part of an apply's time.
	var buf []byte
	shown := func(c *Change) bool { return c.Action != Conflict && (c.Action != Noop || opts.Verbose) }
	plain, trees := p.treeGroups(shown)
	line := func(i int, indent string) {
		buf = append(buf, indent...)
		buf = append(appendChangeLine(buf, &p.Changes[i], opts.Color), '\n')
		if len(buf) >= 32<<10 {
			bw.write(buf)
			buf = buf[:0]
		}
	}
	for _, i := range plain {
		line(i, "")
	}
	for _, name := range p.treeOrder(trees) {
		if len(buf) > 0 || len(plain) > 0 {
			buf = append(buf, '\n')
		}
		buf = append(buf, "  "...)
		buf = append(buf, paint(opts.Color, ansiBold, treeHeader(p.tree(name), name))...)
		buf = append(buf, '\n')
		for _, i := range trees[name] {
			line(i, "  ")
		}
	}
	bw.write(buf)
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
	return string(appendChangeLine(nil, c, color))
}

// actionColumn is each action's symbol and name as ChangeLine aligns them
// ("%3s %-8s").
var actionColumn = func() map[Action]string {
	m := map[Action]string{}
	for _, a := range []Action{Noop, Create, Update, Replace, Delete, Conflict} {
		m[a] = fmt.Sprintf("%3s %-8s", a.Symbol(), a)
	}
	return m
}()

// appendChangeLine appends ChangeLine(c, color) to b.
func appendChangeLine(b []byte, c *Change, color bool) []byte {
	b = append(b, "  "...)
	sym, ok := actionColumn[c.Action]
	if !ok {
		sym = fmt.Sprintf("%3s %-8s", c.Action.Symbol(), c.Action)
	}
	b = appendPainted(b, color, c.Action.color(), sym)
	b = append(b, ' ')
	b = appendPath(b, c.Dest)
	switch {
	case c.Restore != "" && c.Before.Type != TypeSymlink:
		b = fmt.Appendf(b, " (%s restored from %s)", describe(c.After.Type), quotePath(c.Restore))
	case c.Restore != "":
		b = fmt.Appendf(b, " (%s restored from %s; was -> %s)", describe(c.After.Type), quotePath(c.Restore), quotePath(c.Before.Link))
	case c.Action == Delete:
		b = append(b, " (was -> "...)
		b = append(appendPath(b, c.Before.Link), ')')
	case c.After.Type == TypeSymlink || c.After.Type == "":
		b = append(b, " -> "...)
		b = appendPath(b, c.After.Link)
	case c.Action == Conflict && c.Before.Type == TypeDir && c.After.Type == TypeDir:
		// A tree that cannot be expanded, as one conflict.
		b = append(b, " (tree "...)
		b = append(b, c.Name...)
		b = append(b, ')')
	case c.After.Type != TypeMissing:
		// Not a link (a rollback giving a file or folder back): no
		// "-> \"\"".
		b = fmt.Appendf(b, " (to be a %s)", describe(c.After.Type))
	}
	switch c.Action {
	case Update:
		b = append(b, " (was "...)
		b = append(appendPath(b, c.Before.Link), ')')
	case Replace:
		if c.Backup != "" {
			b = fmt.Appendf(b, " (%s moved to %s)", describe(c.Before.Type), quotePath(c.Backup))
		}
	}
	if c.Reason != "" {
		b = append(b, '\n')
		b = append(b, strings.Repeat(" ", 15)...)
		b = appendPainted(b, color, c.Action.color(), c.Reason)
	}
	return b
}

// DoneLine renders a change apply has made, or the error that stopped it:
//
//   - created   current -> releases/a
func DoneLine(c *Change, err error, color bool) string {
	return string(AppendDoneLine(nil, c, err, color))
}

// doneColumn is each action's symbol and past tense as DoneLine aligns
// them ("%3s %-9s").
var doneColumn = map[Action]string{
	Create:  "  + created  ",
	Update:  "  ~ updated  ",
	Replace: "-/+ replaced ",
	Delete:  "  - deleted  ",
}

// AppendDoneLine appends DoneLine(c, err, color) to b: apply prints one a
// change, 100,000 of them for as many links.
func AppendDoneLine(b []byte, c *Change, err error, color bool) []byte {
	b = append(b, "  "...)
	if err != nil {
		b = appendPainted(b, color, ansiRed, "  ! failed   ")
		b = append(b, ' ')
		b = appendPath(b, c.Dest)
		b = append(b, '\n')
		b = append(b, "                "...)
		return appendPainted(b, color, ansiRed, err.Error())
	}
	col, ok := doneColumn[c.Action]
	if !ok {
		col = fmt.Sprintf("%3s %-9s", c.Action.Symbol(), "")
	}
	b = appendPainted(b, color, c.Action.color(), col)
	b = append(b, ' ')
	b = appendPath(b, c.Dest)
	switch {
	case c.Restore != "":
		b = append(b, " ("...)
		b = append(b, describe(c.After.Type)...)
		b = append(b, " restored from "...)
		return append(appendPath(b, c.Restore), ')')
	case c.Action == Delete:
		return b
	case c.Action == Replace && c.Backup != "":
		b = append(b, " -> "...)
		b = appendPath(b, c.After.Link)
		b = append(b, " (backup: "...)
		return append(appendPath(b, c.Backup), ')')
	}
	b = append(b, " -> "...)
	return appendPath(b, c.After.Link)
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

// appendPath appends quotePath(p) to b.
func appendPath(b []byte, p string) []byte {
	return append(b, quotePath(p)...) // p itself, without allocating, mostly
}

// appendPainted appends paint(on, code, s) to b.
func appendPainted(b []byte, on bool, code, s string) []byte {
	if !on || code == "" {
		return append(b, s...)
	}
	b = append(b, code...)
	b = append(b, s...)
	return append(b, ansiReset...)
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
