package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
	"github.com/linksdev/links/reconcile/journal"
)

func (s *sys) rollbackCommand() *cli.Command {
	return &cli.Command{
		Name:      "rollback",
		Usage:     "undo what an apply changed (default: the last one), backups included",
		ArgsUsage: "[APPLY_ID]",
		Description: "Restores what an apply (by default the newest that changed links; APPLY_ID may be a\n" +
			"unique prefix) changed, from its journal and backups. A dest changed since is a\n" +
			"conflict and nothing is changed. Asks like apply, and is itself journaled as an apply.",
		Flags: approvalFlags("roll back without asking", "wait up to `DURATION` for another apply's lock"),
		Action: s.action(1, "rollback takes at most one argument, an apply id (links log lists them)", func(c *cli.Context, g *globals) error {
			return s.withRoot(g, false, func(m *manifest.Manifest, root *reconcile.Root) error {
				// Nothing to roll back: say so without creating state_dir for the lock.
				if h, err := root.State.ReadJournal(); err == nil && len(h.Applies) == 0 {
					return errors.New("the journal has no apply to roll back; links log lists applies")
				}
				return withLock(root, c.Duration("lock-timeout"), func() error {
					return s.rollback(g, m, root, c.Args().First(), c.Bool("auto-approve"))
				})
			})
		}),
	}
}

// rollback plans the inverse of an apply and applies it like apply does:
// shown, approved, journaled (as an apply with rollback_of), and itself
// undoable with another rollback.
// The caller holds root's lock.
func (s *sys) rollback(g *globals, m *manifest.Manifest, root *reconcile.Root, id string, autoApprove bool) error {
	h, err := root.State.ReadJournal()
	if err != nil {
		return err
	}
	var target *journal.ApplyLog
	if id != "" {
		if target, err = h.Find(id); err != nil {
			return err
		}
	} else if target = h.LastChange(); target == nil {
		return errors.New("the journal has no apply to roll back; links log lists applies")
	}
	muts := target.Mutations()
	if len(muts) == 0 {
		return fmt.Errorf("apply %s changed no links; nothing to roll back", target.ID)
	}
	p, err := root.RollbackPlan(target.ID, muts, plan.NewID(time.Now(), rand.Reader), g.file)
	if err != nil {
		return err
	}
	p.Root = m.Root
	sum := p.Summary()
	if g.output == "text" {
		fmt.Fprintf(s.stdout, "Rolling back apply %s (%s, by %s@%s):\n\n", target.ID, target.Start.Local().Format(time.DateTime), target.Actor.User, target.Actor.Host)
	}
	if sum.Conflict > 0 || !sum.Changed() {
		if err := s.printPlan(g, p); err != nil {
			return err
		}
		if err := p.Conflicts(); err != nil {
			return withCode(exitError, err)
		}
		return nil
	}
	if err := s.approve(g, p, autoApprove, "links rollback --auto-approve", "Do you want to roll back these changes?"); err != nil {
		return err
	}
	return s.execute(g, root, p)
}
