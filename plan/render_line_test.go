package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// changeLineFmt and doneLineFmt are ChangeLine and DoneLine as first
// written with fmt: the references the appending ones must match.
func changeLineFmt(c *Change, color bool) string {
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

func doneLineFmt(c *Change, err error, color bool) string {
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

// TestLinesMatchFmt: ChangeLine and DoneLine, now appended by hand, read
// exactly as the fmt versions, for every action, with and without colour,
// reasons, backups, restores, awkward paths and errors.
func TestLinesMatchFmt(t *testing.T) {
	var changes []Change
	for _, a := range []Action{Noop, Create, Update, Replace, Delete, Conflict, Action(99)} {
		for _, dest := range []string{"current", " padded ", "new\nline"} {
			base := Change{Dest: dest, Action: a,
				Before: State{Type: TypeSymlink, Link: "releases/a"},
				After:  State{Type: TypeSymlink, Link: "releases/b"}}
			changes = append(changes, base)
			c := base
			c.Before, c.Backup, c.Reason = State{Type: TypeFile, Identity: "1:2:3:4"}, ".links/backups/x/current", "the file at dest is moved"
			changes = append(changes, c)
			c = base
			c.Restore, c.After = ".links/backups/x/"+dest, State{Type: TypeDir}
			changes = append(changes, c)
			c = base
			c.After.Link = "with \"quote\""
			changes = append(changes, c)
		}
	}
	for _, c := range changes {
		for _, color := range []bool{false, true} {
			if got, want := ChangeLine(&c, color), changeLineFmt(&c, color); got != want {
				t.Errorf("ChangeLine(%+v, %v):\n got %q\nwant %q", c, color, got, want)
			}
			for _, err := range []error{nil, errors.New("permission denied")} {
				if got, want := DoneLine(&c, err, color), doneLineFmt(&c, err, color); got != want {
					t.Errorf("DoneLine(%+v, %v, %v):\n got %q\nwant %q", c, err, color, got, want)
				}
			}
		}
	}
}
