package main

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/reconcile"
	"github.com/linksdev/links/reconcile/journal"
)

func (s *sys) backupsCommand() *cli.Command {
	return &cli.Command{
		Name:      "backups",
		Usage:     "list the backups of displaced files and folders; prune old ones",
		ArgsUsage: " ",
		Description: "Lists the backup folders under state_dir/backups/: apply id, age, entries, size,\n" +
			"and whether the newest apply still needs them for a rollback.",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &usageError{msg: fmt.Sprintf("backups: unknown subcommand %q; the only one is prune", c.Args().First())}
			}
			return s.listBackups(c)
		},
		Subcommands: []*cli.Command{{
			Name:      "prune",
			Usage:     "remove backups older than an age or beyond a count (never the last apply's)",
			ArgsUsage: " ",
			Description: "Removes the backups chosen by --older-than and --keep, after showing them and\n" +
				"asking like apply. Never the backups of the newest apply, so links rollback keeps working.",
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "older-than", Usage: "remove backups older than `AGE` (e.g. 30d, 12h, 1d12h)"},
				&cli.IntFlag{Name: "keep", Value: -1, DefaultText: "no limit", Usage: "keep the `N` newest backups, remove the rest"},
				&cli.BoolFlag{Name: "include-held", Usage: "also remove backups holding a file or folder that a managed link gives back when it is deleted (kept otherwise)"},
			}, approvalFlags("remove without asking", "wait up to `DURATION` for an apply's lock (e.g. 30s)")...),
			Action: s.pruneBackups,
		}},
	}
}

// openBackups loads the manifest, opens its root and reads the journal.
func (s *sys) openBackups(c *cli.Context) (*globals, *reconcile.Root, *journal.History, error) {
	g, err := s.globals(c)
	if err != nil {
		return nil, nil, nil, err
	}
	root, h, err := s.openHistory(g, true)
	if err != nil {
		return nil, nil, nil, err
	}
	return g, root, h, nil
}

func (s *sys) listBackups(c *cli.Context) error {
	g, root, h, err := s.openBackups(c)
	if err != nil {
		return err
	}
	defer root.Close()
	list, err := root.State.Backups(h)
	if err != nil {
		return err
	}
	dir := path.Join(root.StateDir, journal.BackupsDir)
	now := time.Now()
	if g.output == "json" {
		return writeJSON(s.stdout, backupsJSON{FormatVersion: 1, Dir: dir, Backups: backupsWire(list, now)})
	}
	if len(list) == 0 {
		fmt.Fprintf(s.stdout, "No backups in %s.\n", dir)
		return nil
	}
	s.printBackups(list, now)
	var total int64
	for _, b := range list {
		total += b.Size
	}
	fmt.Fprintf(s.stdout, "\n%s, %s in %s.\n", plural(len(list), "backup"), showSize(total), dir)
	return nil
}

func (s *sys) printBackups(list []journal.Backup, now time.Time) {
	tw := newTable(s.stdout)
	fmt.Fprintln(tw, "APPLY ID\tAGE\tENTRIES\tFILES\tSIZE\t")
	for _, b := range list {
		entries := "?"
		if b.Entries >= 0 {
			entries = strconv.Itoa(b.Entries)
		}
		note := ""
		switch {
		case b.InUse:
			note = "in use by the last apply"
		case len(b.Holds) > 0:
			note = "held: " + strings.Join(b.Holds, ", ") + " will give it back when deleted"
		case !b.Known:
			note = "not made by links: never pruned"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", b.ApplyID, showAge(now.Sub(b.Time)), entries, b.Files, showSize(b.Size), note)
	}
	tw.Flush()
}

func (s *sys) pruneBackups(c *cli.Context) error {
	if c.NArg() > 0 {
		return &usageError{msg: "backups prune takes no arguments; choose with --older-than and --keep"}
	}
	opts := journal.PruneOptions{Keep: c.Int("keep"), Now: time.Now(), IncludeHeld: c.Bool("include-held")}
	if c.IsSet("keep") && opts.Keep < 0 {
		return &usageError{msg: fmt.Sprintf("--keep %d: give a count of 0 or more", opts.Keep)}
	}
	if v := c.String("older-than"); v != "" {
		d, err := parseAge(v)
		if err != nil {
			return &usageError{msg: fmt.Sprintf("--older-than %q: %v", v, err)}
		}
		opts.OlderThan = d
	}
	if opts.OlderThan <= 0 && opts.Keep < 0 {
		return &usageError{msg: "backups prune needs --older-than AGE, --keep N, or both"}
	}
	g, root, _, err := s.openBackups(c)
	if err != nil {
		return err
	}
	defer root.Close()
	pr, err := root.State.StartPrune(c.Duration("lock-timeout"), opts)
	if err != nil {
		return err
	}
	defer pr.Close()
	dir := path.Join(root.StateDir, journal.BackupsDir)
	if g.output != "json" {
		s.showPrune(pr, dir, opts.Now)
	}
	if len(pr.Remove) > 0 && !c.Bool("auto-approve") {
		if !s.stdinTTY {
			return errors.New("prune needs approval and there is no terminal to ask on; review the list, then run links backups prune --auto-approve")
		}
		ok, err := s.confirm("Do you want to remove these backups?")
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("prune cancelled; nothing was removed")
		}
	}
	var removed []journal.Backup
	failed := pr.Finish(func(p string) {
		fmt.Fprintf(s.stderr, "links: removed %s, left by an interrupted prune\n", p)
	}, func(b journal.Backup) {
		removed = append(removed, b)
		if g.output != "json" {
			fmt.Fprintf(s.stdout, "  - removed %s\n", b.Path)
		}
	})
	if g.output == "json" {
		if err := writeJSON(s.stdout, pruneJSON{FormatVersion: 1, Dir: dir, Removed: backupsWire(removed, opts.Now)}); err != nil && failed == nil {
			failed = err
		}
	} else if len(pr.Remove) > 0 {
		var freed int64
		for _, b := range removed {
			freed += b.Size
		}
		fmt.Fprintf(s.stdout, "\nPrune complete: %s removed, %s freed.\n", plural(len(removed), "backup"), showSize(freed))
	}
	if failed != nil {
		return withCode(exitError, failed)
	}
	return nil
}

// showPrune prints what a prune will remove from dir.
func (s *sys) showPrune(pr *journal.Pruning, dir string, now time.Time) {
	if len(pr.Remove) == 0 {
		fmt.Fprintf(s.stdout, "Nothing to prune: %s in %s, none chosen.\n", plural(len(pr.All), "backup"), dir)
		return
	}
	var size int64
	for _, b := range pr.Remove {
		size += b.Size
	}
	fmt.Fprintf(s.stdout, "links will remove these backups from %s:\n\n", dir)
	s.printBackups(pr.Remove, now)
	fmt.Fprintf(s.stdout, "\nPrune: %s to remove (%s), %d to keep.\n", plural(len(pr.Remove), "backup"), showSize(size), len(pr.All)-len(pr.Remove))
}

var daysPattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)d(.*)$`)

// parseAge reads an age: a Go duration (36h, 90m), days (30d), or both
// (1d12h).
func parseAge(s string) (time.Duration, error) {
	var d time.Duration
	rest, days := s, false
	if m := daysPattern.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil || n > 100000 {
			return 0, errors.New("too many days")
		}
		d = time.Duration(n * 24 * float64(time.Hour))
		rest, days = m[2], true
	}
	if rest != "" || !days {
		more, err := time.ParseDuration(rest)
		if err != nil {
			return 0, errors.New("write an age like 30d, 12h or 1d12h")
		}
		d += more
	}
	if d <= 0 {
		return 0, errors.New("the age must be more than zero")
	}
	return d, nil
}

func showAge(d time.Duration) string {
	ago := func(n int, unit string) string { return plural(n, unit) + " ago" }
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return ago(int(d/time.Second), "second")
	case d < time.Hour:
		return ago(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return ago(int(d/time.Hour), "hour")
	}
	return ago(int(d/(24*time.Hour)), "day")
}

func showSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n) / 1024
	for _, unit := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if f < 1024 || unit == "TiB" {
			return fmt.Sprintf("%.1f %s", f, unit)
		}
		f /= 1024
	}
	return ""
}

// The JSON forms of backups and backups prune (format_version 1).
type backupsJSON struct {
	FormatVersion int          `json:"format_version"`
	Dir           string       `json:"dir"`
	Backups       []backupJSON `json:"backups"`
}

type pruneJSON struct {
	FormatVersion int          `json:"format_version"`
	Dir           string       `json:"dir"`
	Removed       []backupJSON `json:"removed"`
}

type backupJSON struct {
	ApplyID    string `json:"apply_id"`
	Path       string `json:"path"`
	Time       string `json:"time"`
	AgeSeconds int64  `json:"age_seconds"`
	Entries    *int   `json:"entries"` // null when the journal names none
	Files      int    `json:"files"`
	Size       int64  `json:"size"`
	InUse      bool   `json:"in_use"`
	Known      bool   `json:"known"`
	// Holds lists the managed links that give this backup's entries back.
	Holds []string `json:"holds,omitempty"`
}

func backupsWire(list []journal.Backup, now time.Time) []backupJSON {
	out := make([]backupJSON, 0, len(list))
	for _, b := range list {
		w := backupJSON{
			ApplyID: b.ApplyID, Path: b.Path, Time: jsonTime(b.Time),
			AgeSeconds: int64(now.Sub(b.Time) / time.Second),
			Files:      b.Files, Size: b.Size, InUse: b.InUse, Known: b.Known, Holds: b.Holds,
		}
		if b.Entries >= 0 {
			n := b.Entries
			w.Entries = &n
		}
		out = append(out, w)
	}
	return out
}
