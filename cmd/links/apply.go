package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
)

func (s *sys) applyCommand() *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "make the changes the plan shows",
		ArgsUsage: "[PLANFILE]",
		Description: "Takes the lock in state_dir, plans, shows the plan and asks for yes on a terminal\n" +
			"(with no terminal it refuses unless --auto-approve), then journals, makes and\n" +
			"reports each change. A plan with a conflict changes nothing. With PLANFILE (saved\n" +
			"by links plan --out) it applies exactly that plan without asking, and refuses all\n" +
			"of it if anything it planned against changed since.",
		Flags: approvalFlags("apply without asking", "wait up to `DURATION` for another apply's lock (e.g. 30s)"),
		Action: s.action(1, "apply takes at most one argument, a plan saved with links plan --out", func(c *cli.Context, g *globals) error {
			if c.NArg() == 1 {
				return s.applySaved(g, c.Args().First(), c.Duration("lock-timeout"))
			}
			return s.withRoot(g, true, func(m *manifest.Manifest, root *reconcile.Root) error {
				return withLock(root, c.Duration("lock-timeout"), func() error {
					return s.apply(g, m, root, c.Bool("auto-approve"))
				})
			})
		}),
	}
}

// apply plans m over root and makes the changes once approved. The caller
// holds root's lock.
func (s *sys) apply(g *globals, m *manifest.Manifest, root *reconcile.Root, autoApprove bool) error {
	s.warnInterrupted(root)

	p, err := root.Plan(m, plan.NewID(time.Now(), rand.Reader))
	if err != nil {
		return err
	}
	sum := p.Summary()
	if sum.Conflict > 0 || !sum.Changed() {
		if err := s.printPlan(g, p); err != nil {
			return err
		}
		if err := p.Conflicts(); err != nil {
			return withCode(exitError, err)
		}
		// Nothing to change, but a killed apply may have left temporary
		// entries to clean, or links to stop tracking.
		res, err := root.Apply(p, reconcile.ApplyOptions{})
		if res != nil {
			for _, r := range res.Recovered {
				fmt.Fprintf(s.stderr, "links: %s\n", r)
			}
		}
		return err
	}
	if err := s.approve(g, p, autoApprove, "links apply --auto-approve", "Do you want to apply these changes?"); err != nil {
		return err
	}
	reconcile.Tracef("plan shown")
	return s.execute(g, root, p)
}

// warnInterrupted says so when the journal shows applies that were killed
// or crashed since the last one that ran to its end.
func (s *sys) warnInterrupted(root *reconcile.Root) {
	h, err := root.State.RecentJournal()
	if err != nil {
		fmt.Fprintf(s.stderr, "links: warning: cannot read the journal: %v\n", err)
		return
	}
	for _, a := range h.Interrupted() {
		fmt.Fprintf(s.stderr, "links: warning: apply %s (started %s by %s@%s) was interrupted; this apply converges what it left. links log %s shows what was in flight.\n",
			a.ID, a.Start.Local().Format(time.DateTime), a.Actor.User, a.Actor.Host, a.ID)
	}
}

// approve shows the plan and asks for "yes" on a terminal; without one it
// refuses unless autoApprove. With -o json the plan is not shown here (the
// result carries it).
func (s *sys) approve(g *globals, p *plan.Plan, autoApprove bool, approveCmd, question string) error {
	show := func() error {
		if g.output == "json" {
			return nil
		}
		return s.printPlan(g, p)
	}
	if autoApprove {
		if err := show(); err != nil {
			return err
		}
		if g.output != "json" {
			fmt.Fprintln(s.stdout)
		}
		return nil
	}
	if !s.stdinTTY {
		if err := show(); err != nil {
			return err
		}
		return fmt.Errorf("this needs approval and there is no terminal to ask on; review the plan, then run %s", approveCmd)
	}
	if err := s.printPlan(g, p); err != nil {
		return err
	}
	ok, err := s.confirm(question)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("cancelled; nothing was changed")
	}
	return nil
}

// applySaved applies a plan saved with plan --out. The saved plan is its own
// approval, but it is untrusted input: it is refused whole if it was made
// for another root or manifest, or if planning again now, under the lock,
// gives anything but exactly its changes (reconcile.Replan).
func (s *sys) applySaved(g *globals, file string, lockTimeout time.Duration) error {
	f, err := os.Open(s.abs(g.dir, file))
	if err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	p, err := plan.ReadJSON(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if p.ManifestDigest == "" {
		return fmt.Errorf("%s is not a saved plan (it has no manifest_sha256: links plan -o json prints a report, not a plan to apply); save one with links plan --out %s. Nothing was changed", file, file)
	}
	// The plan is made again with the --var values it was made with; a
	// --var given here wins (and any difference it makes refuses the plan).
	for k, v := range p.Vars {
		if _, set := g.vars[k]; !set {
			g.vars[k] = v
		}
	}
	m, root, err := s.openExpanded(g)
	if err != nil {
		return err
	}
	defer root.Close()
	if p.Root != m.Root {
		return fmt.Errorf("%s was planned for root %s, but %s has root %s; nothing was changed", file, p.Root, g.file, m.Root)
	}
	if p.StateDir != m.StateDir {
		return fmt.Errorf("%s was planned with state_dir %s, but %s has %s; nothing was changed", file, p.StateDir, g.file, m.StateDir)
	}
	if digest, err := manifestDigest(g.path); err != nil {
		return err
	} else if p.ManifestDigest != digest {
		return fmt.Errorf("%s changed since %s was saved; run links plan --out %s again. Nothing was changed", g.file, file, file)
	}
	if err := p.Conflicts(); err != nil {
		return withCode(exitError, err)
	}
	lock, err := root.State.Lock(lockTimeout)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	s.warnInterrupted(root)
	now, diffs, err := root.Replan(m, p)
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		return errors.New(staleMessage(file, diffs))
	}
	if g.output != "json" {
		if err := s.printPlan(g, now); err != nil {
			return err
		}
		if !now.Summary().Changed() && len(now.Forget) == 0 {
			return nil
		}
		fmt.Fprintln(s.stdout)
	}
	return s.execute(g, root, now)
}

// staleMessage says why a saved plan is refused: dests that changed since
// it was saved, then changes the manifest no longer plans as it says.
func staleMessage(file string, diffs []plan.Difference) string {
	var b strings.Builder
	stale := 0
	for _, d := range diffs {
		if d.Stale {
			stale++
		}
	}
	switch {
	case stale == len(diffs):
		fmt.Fprintf(&b, "%s is stale: %s changed since it was planned; nothing was changed:", file, plural(stale, "dest"))
	default:
		fmt.Fprintf(&b, "%s does not match what the manifest plans now (%s); it was edited, or the manifest, its variables or the disk changed. Nothing was changed:", file, plural(len(diffs), "difference"))
	}
	for _, d := range diffs {
		fmt.Fprintf(&b, "\n  %s", d)
	}
	fmt.Fprintf(&b, "\nrun links plan --out %s again", file)
	return b.String()
}

// execute applies p, printing progress and the outcome.
func (s *sys) execute(g *globals, root *reconcile.Root, p *plan.Plan) error {
	color := s.color(g)
	opts := reconcile.ApplyOptions{}
	var bar *progressBar
	if sum := p.Summary(); s.progress() && sum.Create+sum.Update+sum.Replace+sum.Delete >= progressMin {
		// A bar on stderr, only on a terminal. When stdout is the
		// terminal too, thousands of lines would scroll past unread:
		// a line only for a change that fails. Otherwise stdout (a file,
		// a pipe) gets every line as usual.
		bar = newProgressBar(s.stderr, sum.Create+sum.Update+sum.Replace+sum.Delete)
		lines := g.output != "json" && !s.stdoutTTY
		var line []byte // Progress calls never overlap
		opts.Progress = func(c *plan.Change, err error) {
			switch {
			case lines:
				line = append(plan.AppendDoneLine(line[:0], c, err, color), '\n')
				_, _ = s.stdout.Write(line)
			case err != nil && g.output != "json":
				bar.interrupt()
				s.flush()
				fmt.Fprintf(s.stdout, "%s\n", plan.DoneLine(c, err, color))
				s.flush()
			}
			bar.step()
		}
	} else if g.output != "json" {
		var line []byte // Progress calls never overlap
		opts.Progress = func(c *plan.Change, err error) {
			line = append(plan.AppendDoneLine(line[:0], c, err, color), '\n')
			_, _ = s.stdout.Write(line) // as Fprintf was: output errors do not stop an apply
		}
	}
	res, err := root.Apply(p, opts)
	if bar != nil {
		bar.finish()
	}
	if res != nil && g.output == "json" {
		if werr := plan.WriteJSON(s.stdout, p, plan.JSONOptions{ApplyID: res.ApplyID, Errors: res.Errors}); werr != nil && err == nil {
			err = werr
		}
	}
	if res != nil && g.output != "json" {
		for _, r := range res.Recovered {
			fmt.Fprintf(s.stderr, "links: %s\n", r)
		}
		s.printApplied(p, res, err)
	}
	if err != nil {
		if res != nil {
			for _, e := range sortedErrors(res.Errors) {
				fmt.Fprintf(s.stderr, "links: %s%s\n", e.Error(), hint(e))
			}
		}
		return withCode(exitError, fmt.Errorf("apply %s: %w%s; run links apply again to converge", p.ID, err, hint(err)))
	}
	return nil
}

// printApplied prints what the apply made. It says "Apply complete" only
// when the apply returned no error: a change made whose folder could not
// be fsynced, or whose end record could not be written, is made but the
// apply is not complete (the error follows on stderr).
func (s *sys) printApplied(p *plan.Plan, res *reconcile.Result, applyErr error) {
	var made plan.Summary
	for i, c := range p.Changes {
		if _, failed := res.Errors[i]; failed {
			continue
		}
		switch c.Action {
		case plan.Create:
			made.Create++
		case plan.Update:
			made.Update++
		case plan.Replace:
			made.Replace++
		case plan.Delete:
			made.Delete++
		}
	}
	status := "Apply complete"
	if len(res.Errors) > 0 || applyErr != nil {
		status = "Apply incomplete"
	}
	fmt.Fprintf(s.stdout, "\n%s: %d created, %d updated, %d replaced, %d deleted", status, made.Create, made.Update, made.Replace, made.Delete)
	if len(res.Errors) > 0 {
		fmt.Fprintf(s.stdout, ", %d failed", len(res.Errors))
	}
	fmt.Fprintf(s.stdout, ".\nApply id: %s\n", res.ApplyID)
}

func sortedErrors(m map[int]error) []error {
	idx := make([]int, 0, len(m))
	for i := range m {
		idx = append(idx, i)
	}
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && idx[j] < idx[j-1]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	out := make([]error, len(idx))
	for i, k := range idx {
		out[i] = m[k]
	}
	return out
}

// hint says what to do about a system error.
func hint(err error) string {
	var stale *reconcile.StaleError
	switch {
	case errors.As(err, &stale):
		return ""
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return " (check the folder's permissions, or run as its owner)"
	case errors.Is(err, syscall.EROFS):
		return " (the filesystem is read-only; remount it read-write)"
	case errors.Is(err, syscall.ENOSPC):
		return " (the disk is full; free space)"
	case errors.Is(err, syscall.ENAMETOOLONG):
		return " (the path is too long for the filesystem)"
	}
	return ""
}
