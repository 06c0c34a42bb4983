package main

import (
	"path"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile"
	"github.com/linksdev/links/reconcile/journal"
)

// The opening every command shares: its arguments checked, the global
// flags read, the manifest loaded, its root opened, the lock taken.

// openExpanded is open, with every tree entry expanded into its member
// links (what plan, apply and verify need).
func (s *sys) openExpanded(g *globals) (*manifest.Manifest, *reconcile.Root, error) {
	m, root, err := s.open(g)
	if err != nil {
		return nil, nil, err
	}
	if len(m.Trees) == 0 {
		return m, root, nil
	}
	if err := root.ExpandTrees(m); err != nil {
		root.Close()
		return nil, nil, err
	}
	// The collector is fitted to the links declared (see tuneGC): a
	// tree's are known only now.
	if gcHooks.walked != nil {
		gcHooks.walked(len(m.Links))
	}
	return m, root, nil
}

// action is a command's Action: it refuses more than max arguments with
// usage (which says what to give instead), reads the global flags and
// runs fn.
func (s *sys) action(max int, usage string, fn func(c *cli.Context, g *globals) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.NArg() > max {
			return &usageError{msg: usage}
		}
		g, err := s.globals(c)
		if err != nil {
			return err
		}
		return fn(c, g)
	}
}

// withRoot loads g's manifest (its trees expanded into their member
// links when expand), opens its root, runs fn and closes the root.
func (s *sys) withRoot(g *globals, expand bool, fn func(m *manifest.Manifest, root *reconcile.Root) error) error {
	open := s.open
	if expand {
		open = s.openExpanded
	}
	m, root, err := open(g)
	if err != nil {
		return err
	}
	defer root.Close()
	return fn(m, root)
}

// approvalFlags are the flags of a command that changes the filesystem
// after asking, under the lock: --auto-approve and --lock-timeout, with
// the usage texts given.
func approvalFlags(approve, lockTimeout string) []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "auto-approve", Usage: approve},
		&cli.DurationFlag{Name: "lock-timeout", Usage: lockTimeout},
	}
}

// withLock runs fn holding root's lock, waiting up to timeout for it.
func withLock(root *reconcile.Root, timeout time.Duration, fn func() error) error {
	lock, err := root.State.Lock(timeout)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	return fn()
}

// openHistory opens g's root and reads its journal, saying on stderr
// which lines it could not read when warn. The caller closes the root.
func (s *sys) openHistory(g *globals, warn bool) (*reconcile.Root, *journal.History, error) {
	_, root, err := s.open(g)
	if err != nil {
		return nil, nil, err
	}
	h, err := root.State.ReadJournal()
	if err != nil {
		root.Close()
		return nil, nil, err
	}
	if warn {
		s.warnSkipped(path.Join(root.StateDir, journal.JournalFile), h)
	}
	return root, h, nil
}

// open loads the manifest and opens its root.
func (s *sys) open(g *globals) (*manifest.Manifest, *reconcile.Root, error) {
	m, err := s.load(g)
	if err != nil {
		return nil, nil, err
	}
	root, err := reconcile.Open(m)
	if err != nil {
		return nil, nil, err
	}
	return m, root, nil
}
