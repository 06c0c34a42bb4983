package main

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

func (s *sys) logCommand() *cli.Command {
	return &cli.Command{
		Name:      "log",
		Usage:     "list past applies from the journal, or show one in detail; writes nothing",
		ArgsUsage: "[APPLY_ID]",
		Description: "Lists the applies in state_dir's journal, newest first, or every change of one\n" +
			"(APPLY_ID may be a unique prefix). Takes no lock, writes nothing.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "max-count", Aliases: []string{"n"}, Usage: "show at most `N` applies, newest first (0: all)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return &usageError{msg: "log takes at most one argument, an apply id (or a unique prefix of one)"}
			}
			n := c.Int("max-count")
			if n < 0 {
				return &usageError{msg: fmt.Sprintf("-n %d: give a count of 0 or more", n)}
			}
			g, err := s.globals(c)
			if err != nil {
				return err
			}
			// No lock: the journal is append-only, and a line an apply is
			// writing right now is at worst skipped as unreadable.
			root, h, err := s.openHistory(g, true)
			if err != nil {
				return err
			}
			defer root.Close()
			jpath := path.Join(root.StateDir, journal.JournalFile)
			if c.NArg() == 1 {
				a, err := h.Find(c.Args().First())
				if err != nil {
					return fmt.Errorf("%s: %w", jpath, err)
				}
				if g.output == "json" {
					return writeJSON(s.stdout, logJSON{FormatVersion: 1, Journal: jpath, Applies: []applyJSON{applyWire(a, true)}, Skipped: h.Skipped})
				}
				s.printApplyDetail(a)
				return nil
			}
			list := make([]*journal.ApplyLog, 0, len(h.Applies))
			for i := len(h.Applies) - 1; i >= 0 && (n == 0 || len(list) < n); i-- {
				list = append(list, h.Applies[i])
			}
			if g.output == "json" {
				out := logJSON{FormatVersion: 1, Journal: jpath, Applies: []applyJSON{}, Skipped: h.Skipped}
				for _, a := range list {
					out.Applies = append(out.Applies, applyWire(a, false))
				}
				return writeJSON(s.stdout, out)
			}
			s.printApplies(jpath, list, h.Interrupted())
			return nil
		},
	}
}

// warnSkipped says on stderr that unreadable journal lines were left out.
func (s *sys) warnSkipped(journal string, h *journal.History) {
	if h.Skipped == 0 {
		return
	}
	word := "lines"
	if h.Skipped == 1 {
		word = "line"
	}
	nums := make([]string, len(h.SkippedLines))
	for i, n := range h.SkippedLines {
		nums[i] = fmt.Sprint(n)
	}
	more := ""
	if h.Skipped > len(h.SkippedLines) {
		more = ", ..."
	}
	fmt.Fprintf(s.stderr, "links: %s: %d unreadable %s skipped (%s %s%s)\n", journal, h.Skipped, word, word, strings.Join(nums, ", "), more)
}

func (s *sys) printApplies(journal string, list, interrupted []*journal.ApplyLog) {
	if len(list) == 0 {
		fmt.Fprintf(s.stdout, "No applies recorded in %s.\n", journal)
		return
	}
	tw := newTable(s.stdout)
	fmt.Fprintln(tw, "APPLY ID\tTIME\tACTOR\tCHANGES\tSTATUS\tMANIFEST")
	for _, a := range list {
		m := a.Manifest
		if a.RollbackOf != "" {
			m = strings.TrimSpace(m + " (rollback of " + a.RollbackOf + ")")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, showTime(a.Start), showActor(a.Actor), changesPhrase(a), a.Status, m)
	}
	tw.Flush()
	for _, a := range interrupted {
		fmt.Fprintf(s.stdout, "\nApply %s was interrupted: run links apply to converge; links log %s shows what was in flight.\n", a.ID, a.ID)
	}
}

// table aligns tab-separated cells in columns two spaces apart, with no
// trailing blanks.
type table struct {
	w   io.Writer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newTable(w io.Writer) *table {
	t := &table{w: w}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

func (t *table) Write(p []byte) (int, error) { return t.tw.Write(p) }

// Flush writes the table.
func (t *table) Flush() {
	t.tw.Flush()
	for _, line := range strings.SplitAfter(t.buf.String(), "\n") {
		if line == "" {
			continue
		}
		io.WriteString(t.w, strings.TrimRight(line, " \n")+"\n")
	}
}

func (s *sys) printApplyDetail(a *journal.ApplyLog) {
	w := s.stdout
	fmt.Fprintf(w, "Apply %s: %s\n", a.ID, a.Status)
	took := ""
	if !a.End.IsZero() && !a.Start.IsZero() {
		took = fmt.Sprintf(" (took %s)", a.End.Sub(a.Start).Round(time.Millisecond))
	}
	fmt.Fprintf(w, "  time:         %s%s\n", showTime(a.Start), took)
	actor := showActor(a.Actor)
	if a.Actor.UID != "" || a.Actor.PID != 0 {
		actor += fmt.Sprintf(" (uid %s, pid %d)", a.Actor.UID, a.Actor.PID)
	}
	fmt.Fprintf(w, "  actor:        %s\n", actor)
	if a.Manifest != "" {
		fmt.Fprintf(w, "  manifest:     %s\n", a.Manifest)
	}
	if a.RollbackOf != "" {
		fmt.Fprintf(w, "  rollback of:  %s\n", a.RollbackOf)
	}
	fmt.Fprintf(w, "  changes:      %s\n", changesPhrase(a))
	if a.Error != "" {
		fmt.Fprintf(w, "  error:        %s\n", a.Error)
	}
	if len(a.Steps) > 0 {
		fmt.Fprintln(w)
	}
	for _, st := range a.Steps {
		name := ""
		if st.Name != "" {
			name = " (" + st.Name + ")"
		}
		fmt.Fprintf(w, "  %-11s %3s %-8s %s%s\n", st.Status, actionSymbol(st.Action), st.Action, st.Dest, name)
		if st.Before.Type != "" || st.After.Type != "" {
			fmt.Fprintf(w, "                  before:  %s\n", showJournalState(st.Before))
			fmt.Fprintf(w, "                  after:   %s\n", showJournalState(st.After))
		} else {
			fmt.Fprintf(w, "                  (its intent line is unreadable: before and after unknown)\n")
		}
		if st.Backup != "" {
			label := "backup: "
			if st.After.Type == plan.TypeFile || st.After.Type == plan.TypeDir {
				label = "from:   " // a rollback's restore brings the entry back from a backup
			}
			fmt.Fprintf(w, "                  %s %s\n", label, st.Backup)
		}
		if st.Error != "" {
			fmt.Fprintf(w, "                  error:   %s\n", st.Error)
		}
	}
	if a.Status == journal.ApplyInterrupted {
		fmt.Fprintf(w, "\nThis apply was interrupted. Changes marked interrupted were in flight: each may or may not have been made.\nRun links apply to converge; it also cleans up what the interrupted apply left.\n")
	}
}

func actionSymbol(action string) string {
	var a plan.Action
	if err := a.UnmarshalText([]byte(action)); err != nil {
		return "*"
	}
	return a.Symbol()
}

func showJournalState(st plan.State) string {
	switch st.Type {
	case "":
		return "unknown"
	case plan.TypeMissing:
		return "nothing"
	case plan.TypeSymlink:
		return "symlink -> " + st.Link
	case plan.TypeDir:
		return "directory"
	case plan.TypeOther:
		return "special file"
	}
	return st.Type
}

func showTime(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.Local().Format("2006-01-02 15:04:05 MST")
}

func showActor(a journal.Actor) string {
	user := a.User
	if user == "" && a.UID != "" {
		user = "uid " + a.UID
	}
	switch {
	case user == "" && a.Host == "":
		return "unknown"
	case a.Host == "":
		return user
	case user == "":
		return "?@" + a.Host
	}
	return user + "@" + a.Host
}

// changesPhrase says what an apply did: the outcomes of its journaled
// mutations ("2 created, 1 updated, 1 failed"), or, if none were readable,
// its plan's counts.
func changesPhrase(a *journal.ApplyLog) string {
	done := map[string]int{}
	failed, unfinished := 0, 0
	for _, st := range a.Steps {
		switch st.Status {
		case journal.StepDone:
			done[st.Action]++
		case journal.StepFailed:
			failed++
		default:
			unfinished++
		}
	}
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	if len(a.Steps) == 0 {
		add(a.Summary.Create, "to create")
		add(a.Summary.Update, "to update")
		add(a.Summary.Replace, "to replace")
		add(a.Summary.Delete, "to delete")
	}
	add(done["create"], "created")
	add(done["update"], "updated")
	add(done["replace"], "replaced")
	add(done["delete"], "deleted")
	if n := done[journal.RemoveLeftover] + done[journal.RecoverLeftover]; n > 0 {
		parts = append(parts, plural(n, "leftover")+" cleaned")
	}
	add(failed, "failed")
	add(unfinished, "unfinished")
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// The JSON form of log (format_version 1).
type logJSON struct {
	FormatVersion int         `json:"format_version"`
	Journal       string      `json:"journal"`
	Applies       []applyJSON `json:"applies"`
	Skipped       int         `json:"skipped_lines"`
}

type applyJSON struct {
	ApplyID    string          `json:"apply_id"`
	Time       string          `json:"time"`
	EndTime    string          `json:"end_time,omitempty"`
	Actor      journal.Actor   `json:"actor"`
	Manifest   string          `json:"manifest"`
	RollbackOf string          `json:"rollback_of,omitempty"`
	Summary    plan.Summary    `json:"summary"`
	Status     string          `json:"status"`
	Error      string          `json:"error,omitempty"`
	Done       int             `json:"done"`
	Failed     int             `json:"failed"`
	Unfinished int             `json:"interrupted"`
	Mutations  *[]mutationJSON `json:"mutations,omitempty"`
}

type mutationJSON struct {
	Name   string     `json:"name"`
	Dest   string     `json:"dest"`
	Action string     `json:"action"`
	Before *stateJSON `json:"before"`
	After  *stateJSON `json:"after"`
	Backup string     `json:"backup"`
	Status string     `json:"status"`
	Error  string     `json:"error,omitempty"`
}

type stateJSON struct {
	Type string `json:"type"`
	Link string `json:"link,omitempty"`
}

func stateWire(st plan.State) *stateJSON {
	if st.Type == "" {
		return nil // the intent line was unreadable
	}
	return &stateJSON{Type: st.Type, Link: st.Link}
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func applyWire(a *journal.ApplyLog, detail bool) applyJSON {
	s := a.Summary
	out := applyJSON{
		ApplyID: a.ID, Time: jsonTime(a.Start), EndTime: jsonTime(a.End), Actor: a.Actor,
		Manifest: a.Manifest, RollbackOf: a.RollbackOf,
		Summary: s,
		Status:  string(a.Status), Error: a.Error,
	}
	muts := []mutationJSON{}
	for _, st := range a.Steps {
		switch st.Status {
		case journal.StepDone:
			out.Done++
		case journal.StepFailed:
			out.Failed++
		default:
			out.Unfinished++
		}
		muts = append(muts, mutationJSON{
			Name: st.Name, Dest: st.Dest, Action: st.Action,
			Before: stateWire(st.Before), After: stateWire(st.After),
			Backup: st.Backup, Status: string(st.Status), Error: st.Error,
		})
	}
	if detail {
		out.Mutations = &muts
	}
	return out
}
