package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/rootfs"
)

// This file holds an apply's per-entry disk changes: what a safety
// reviewer reads. The rule every function here keeps (DESIGN.md, safety
// rule 2): no system call may destroy what sits at a dest. An entry at a
// dest is never renamed over, unlinked or removed where it is. It is first
// moved aside atomically to a temporary name that only this change uses
// (by renameat2(RENAME_EXCHANGE) with the new entry, which is then already
// in place, or by a rename to that free name), and then looked at:
//
//   - if it is what the plan was made against (the same link text; for a
//     file or folder the same device, inode, size and mtime), it is
//     disposed of as planned: an old link is unlinked, a file or folder
//     moved to its backup;
//   - if it is anything else (someone wrote at the dest while links
//     worked), it is put back where it was, the new entry is taken back,
//     and the change fails as stale; should even that be impossible (the
//     dest changed once more), it is moved under the backups, never
//     deleted.
//
// The temporary name is journaled in the change's intent before it is
// used, so a killed apply's leftovers are found from the journal and
// cleaned only while they are what the intent says (leftovers.go).
//
// Where the filesystem lacks RENAME_EXCHANGE (NFS, FUSE, macOS, Windows)
// the fallbacks below say which window they leave.

// asideName is the second temporary name a change may need (where a
// fallback moves the old entry aside). It is derived from the journaled
// temporary name, so the intent names both.
func asideName(tmp string) string { return tmp + "-aside" }

// change performs one change. On failure it leaves dest in its old state
// (or, for a failure after the switch, in its new state with the displaced
// entry in its backup), and what someone else put at dest meanwhile in
// place.
func (a *applier) change(c *plan.Change, tmp string) error {
	dir, name := c.Dir(), path.Base(c.Dest)
	// A create over nothing needs no look first: symlinkat refuses any
	// entry that appeared since the plan (EEXIST, reported as stale), and
	// does so atomically, where a look first could not. One lstat less per
	// link for the most common change. An update needs no look first
	// either: what its exchange brings out is looked at (settle), which is
	// the guarantee; only its fallback without exchange, which renames over
	// dest, looks first. For the others the look is a courtesy (a clear
	// message, nothing moved); the guarantee is the look after the move.
	if c.Action != plan.Update && (c.Action != plan.Create || c.Before.Type != plan.TypeMissing) {
		if err := a.recheck(c, dir, name); err != nil {
			return err
		}
	}
	switch c.Action {
	case plan.Create:
		return a.create(c, dir, name)
	case plan.Update:
		return a.update(c, dir, name, tmp)
	case plan.Replace, plan.Delete:
		if c.Restore != "" {
			return a.restore(c, dir, name, tmp)
		}
		if c.Action == plan.Delete {
			return a.delete(c, dir, name, tmp)
		}
		return a.replace(c, dir, name, tmp)
	}
	return nil
}

// recheck compares dest with the plan's Before.
func (a *applier) recheck(c *plan.Change, dir, name string) error {
	now, err := a.look(dir, name)
	if err != nil {
		return err
	}
	if !holds(c.Before, now) {
		return &StaleError{Dest: c.Dest, Planned: c.Before.String(), Observed: now.String()}
	}
	return nil
}

// look is what is at dir/name now (missing when nothing is).
func (a *applier) look(dir, name string) (plan.State, error) {
	st, err := a.fs.Lstat(dir, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return plan.State{Type: plan.TypeMissing}, nil
	case err != nil:
		return plan.State{}, err
	}
	return plan.State{Type: st.Type, Link: st.Link, Identity: st.Identity}, nil
}

// gone turns the failure of a move of dest (ENOENT: dest vanished since
// the re-check) into a StaleError.
func gone(c *plan.Change, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &StaleError{Dest: c.Dest, Planned: c.Before.String(), Observed: "nothing"}
	}
	return err
}

func (a *applier) create(c *plan.Change, dir, name string) error {
	// One lock for both: a create into a new folder is one of thousands
	// (the folder is made by the first).
	if made := a.touchMade(dir); len(c.Parents) > 0 && !made {
		if err := a.fs.MkdirAll(dir); err != nil {
			return fmt.Errorf("create parent folders: %w", err)
		}
		// The created folders are the last len(Parents) components of dir;
		// each one's parent gets a new entry.
		created := dir
		for range c.Parents {
			a.touch(path.Dir(created))
			created = path.Dir(created)
		}
		a.mu.Lock()
		a.made[dir] = true
		a.mu.Unlock()
	}
	err := a.fs.Symlink(c.After.Link, dir, name, c.Kind)
	if errors.Is(err, fs.ErrExist) {
		now, _ := a.look(dir, name)
		if a.unfolds.intoRestored(c) && holds(c.After, now) {
			return nil // the restored folder brought the link back (unfold.go)
		}
		return &StaleError{Dest: c.Dest, Planned: "nothing", Observed: now.String()}
	}
	return err
}

// update points the link at dest elsewhere: the new link, made at tmp, is
// exchanged with dest, and what came out is looked at and unlinked.
func (a *applier) update(c *plan.Change, dir, name, tmp string) error {
	dropOld := func() error { return a.fs.Remove(dir, tmp) }
	return a.linkIn(c, dir, name, tmp, dropOld, func() error {
		// Fallback: rename(2) of the new link over the old one, after a
		// look. Readers still see one link or the other, but an entry
		// written at dest between the look and this rename would be
		// replaced: the window, documented in doc.go, of filesystems
		// without exchange.
		if err := a.recheck(c, dir, name); err != nil {
			_ = a.fs.Remove(dir, tmp)
			return err
		}
		err := a.fs.Rename(dir, tmp, name)
		if errors.Is(err, rootfs.ErrDirLinkInTheWay) {
			// Windows: a rename does not replace a directory link. The
			// old link is moved aside to its journaled free name, looked
			// at, the new one renamed in without replacing, and the old
			// one unlinked only if it is the one planned against: a
			// moment without a link at dest, but nothing replaced.
			aside, err := a.swapAside(c, dir, name, tmp, func(err error) error {
				_ = a.fs.Remove(dir, tmp)
				return err
			})
			if err != nil {
				return err
			}
			return a.fs.Remove(dir, aside)
		}
		if err != nil {
			_ = a.fs.Remove(dir, tmp)
			return err
		}
		return nil
	})
}

// replace puts the link where a file or directory is: the link, made at
// tmp, is exchanged with it in one step; the entry that came out is looked
// at and moved to its backup (or deleted, with backup: false). If that move
// fails the exchange is undone. Without exchange, see replaceFallback.
func (a *applier) replace(c *plan.Change, dir, name, tmp string) error {
	return a.linkIn(c, dir, name, tmp,
		func() error { return a.displace(c, dir, name, tmp) },
		func() error { return a.replaceFallback(c, dir, name, tmp) })
}

// linkIn makes the new link at tmp and exchanges it with dest; what came
// out is settled (dispose disposes of it when it is what the plan was made
// against). Where the filesystem cannot exchange, fallback does the change
// instead, the new link already at tmp.
func (a *applier) linkIn(c *plan.Change, dir, name, tmp string, dispose, fallback func() error) error {
	a.touch(dir)
	if err := a.fs.Symlink(c.After.Link, dir, tmp, c.Kind); err != nil {
		return err
	}
	dropNew := func() error { return a.fs.Remove(dir, tmp) }
	err := a.fs.Exchange(dir, tmp, name)
	if errors.Is(err, rootfs.ErrExchangeUnsupported) {
		return fallback()
	}
	if err != nil {
		_ = dropNew()
		return gone(c, err)
	}
	return a.settle(c, dir, name, tmp, dispose, dropNew)
}

// displace disposes of the entry a replace exchanged out of dest (now at
// tmp, and checked to be the one planned against): into its backup, or
// deleted when the manifest says backup: false.
func (a *applier) displace(c *plan.Change, dir, name, tmp string) error {
	if c.Backup == "" {
		var err error
		if c.Before.Type == plan.TypeDir {
			err = a.fs.RemoveAll(dir, tmp)
		} else {
			err = a.fs.Remove(dir, tmp)
		}
		if err != nil {
			return fmt.Errorf("delete the displaced entry (%s, left at %s): %w", c.Before, path.Join(dir, tmp), err)
		}
		return nil
	}
	if err := a.toBackup(c, dir, tmp); err != nil {
		// Put the entry back where it was and drop the link.
		if uerr := a.fs.Exchange(dir, tmp, name); uerr != nil {
			return fmt.Errorf("%w; undoing the switch also failed (%v): the displaced entry is at %s", err, uerr, path.Join(dir, tmp))
		}
		if now, lerr := a.look(dir, tmp); lerr == nil && holds(c.After, now) {
			_ = a.fs.Remove(dir, tmp)
		}
		return err
	}
	return nil
}

// delete removes the link at dest: dest is renamed to tmp (a free name, so
// nothing is replaced), looked at, and unlinked only if it is the link the
// plan was made against.
func (a *applier) delete(c *plan.Change, dir, name, tmp string) error {
	a.touch(dir)
	if err := a.fs.Move(dir, name, dir, tmp); err != nil {
		return gone(c, err)
	}
	out, err := a.look(dir, tmp)
	if err != nil {
		return fmt.Errorf("inspect what was at %s (now %s): %w", c.Dest, path.Join(dir, tmp), err)
	}
	if holds(c.Before, out) {
		return a.fs.Remove(dir, tmp)
	}
	// Someone put this there since the re-check: it goes back, with a
	// rename that replaces nothing.
	stale := &StaleError{Dest: c.Dest, Planned: c.Before.String(), Observed: out.String() + ", put there during the apply"}
	if err := a.fs.Move(dir, tmp, dir, name); err != nil {
		return a.keepAside(c, dir, tmp, stale, err)
	}
	stale.Observed += "; left in place"
	return stale
}

// restore moves the backup c.Restore back into dest, where a link is now
// (a rollback of a replace, or the delete of a link that displaced a file
// or folder). The backup comes in under tmp, takes the link's place with
// RENAME_EXCHANGE, and the link that came out is looked at and unlinked.
// Without exchange, see restoreFallback.
func (a *applier) restore(c *plan.Change, dir, name, tmp string) error {
	bdir, bname := path.Dir(c.Restore), path.Base(c.Restore)
	a.touch(dir, bdir)
	if c.Before.Type == plan.TypeMissing {
		// Nothing at dest (a rollback of an apply killed between moving
		// the entry aside and renaming its link in): the entry moves
		// back with a rename that replaces nothing.
		if err := a.fs.Move(bdir, bname, dir, name); err != nil {
			if errors.Is(err, fs.ErrExist) {
				now, _ := a.look(dir, name)
				return &StaleError{Dest: c.Dest, Planned: "nothing", Observed: now.String()}
			}
			return fmt.Errorf("bring back %s: %w", c.Restore, err)
		}
		return nil
	}
	if err := a.fs.Move(bdir, bname, dir, tmp); err != nil {
		return fmt.Errorf("bring back %s: %w", c.Restore, err)
	}
	sendBack := func() error { return a.fs.Move(dir, tmp, bdir, bname) }
	err := a.fs.Exchange(dir, tmp, name)
	switch {
	case err == nil:
		return a.settle(c, dir, name, tmp, func() error { return a.fs.Remove(dir, tmp) }, sendBack)
	case errors.Is(err, rootfs.ErrExchangeUnsupported):
		return a.restoreFallback(c, dir, name, tmp, sendBack)
	}
	if uerr := sendBack(); uerr != nil {
		return fmt.Errorf("%w; moving it back to the backup also failed (%v): it is at %s", err, uerr, path.Join(dir, tmp))
	}
	return gone(c, err)
}

// settle looks at what an exchange brought out of dest (now at tmp). If it
// is what the plan was made against, dispose disposes of it. Otherwise it
// goes back to dest by a second exchange, and takeBack disposes of the new
// entry that comes out (drops the new link, or sends a restored entry
// back to its backup); the change is stale.
func (a *applier) settle(c *plan.Change, dir, name, tmp string, dispose, takeBack func() error) error {
	out, err := a.look(dir, tmp)
	if err != nil {
		return fmt.Errorf("inspect what was at %s (now %s): %w", c.Dest, path.Join(dir, tmp), err)
	}
	if holds(c.Before, out) {
		return dispose()
	}
	stale := &StaleError{Dest: c.Dest, Planned: c.Before.String(), Observed: out.String() + ", put there during the apply"}
	if err := a.fs.Exchange(dir, tmp, name); err != nil {
		// dest vanished (or cannot be exchanged any more): the entry goes
		// back with a rename that replaces nothing, the new entry having
		// been removed by whoever emptied dest.
		if merr := a.fs.Move(dir, tmp, dir, name); merr != nil {
			return a.keepAside(c, dir, tmp, stale, merr)
		}
		stale.Observed += "; left in place"
		return stale
	}
	// tmp holds what was at dest: the new entry, unless dest changed yet
	// again, in which case that goes to the backups too.
	now, err := a.look(dir, tmp)
	if err == nil && holds(c.After, now) {
		if err := takeBack(); err != nil {
			return fmt.Errorf("%w; taking the new entry back failed (%v): it is at %s", stale, err, path.Join(dir, tmp))
		}
		stale.Observed += "; left in place"
		return stale
	}
	stale.Observed += "; left in place"
	return a.keepAside(c, dir, tmp, stale, errors.New("dest changed again during the apply"))
}

// keepAside moves an entry that cannot go back to dest (now at tmp) under
// state_dir/backups/<apply-id>/raced/, never deleting it, and returns the
// change's error saying where it is.
func (a *applier) keepAside(c *plan.Change, dir, tmp string, stale *StaleError, why error) error {
	to := plan.BackupPath(a.r.StateDir, a.p.ID, path.Join("raced", dir, tmp))
	err := a.fs.MkdirAll(path.Dir(to))
	if err == nil {
		err = a.fs.Move(dir, tmp, path.Dir(to), path.Base(to))
	}
	if err != nil {
		return fmt.Errorf("%w (%v); it is at %s, move it back by hand", stale, why, path.Join(dir, tmp))
	}
	a.touch(path.Dir(to))
	return fmt.Errorf("%w (%v); it was moved to %s", stale, why, to)
}

// toBackup moves dir/entry to c.Backup.
func (a *applier) toBackup(c *plan.Change, dir, entry string) error {
	bdir := path.Dir(c.Backup)
	if err := a.fs.MkdirAll(bdir); err != nil {
		return fmt.Errorf("create backup folder: %w", err)
	}
	a.touch(bdir)
	if err := a.fs.Move(dir, entry, bdir, path.Base(c.Backup)); err != nil {
		if errors.Is(err, rootfs.ErrCrossDevice) {
			return fmt.Errorf("move to backup %s: %w (dest and state_dir are on different filesystems; set backup: false or move state_dir)", c.Backup, err)
		}
		return fmt.Errorf("move to backup %s: %w", c.Backup, err)
	}
	return nil
}

// replaceFallback displaces without RENAME_EXCHANGE. A file is hard-linked
// into the backup first and then replaced by rename, so the switch stays
// atomic (an entry written at dest between the link and the rename would
// be replaced: the window of this fallback). Where hard links fail, and
// for directories, the entry is moved aside to a free name, looked at, and
// the link renamed in after it: a short window where dest is missing, but
// nothing is replaced. With backup: false a file is renamed over.
func (a *applier) replaceFallback(c *plan.Change, dir, name, tmp string) error {
	undo := func(err error) error { _ = a.fs.Remove(dir, tmp); return err }
	if c.Before.Type != plan.TypeDir {
		if c.Backup == "" {
			if err := a.fs.Rename(dir, tmp, name); err != nil {
				return undo(err)
			}
			return nil
		}
		bdir := path.Dir(c.Backup)
		if err := a.fs.MkdirAll(bdir); err != nil {
			return undo(fmt.Errorf("create backup folder: %w", err))
		}
		a.touch(bdir)
		if err := a.fs.Link(dir, name, bdir, path.Base(c.Backup)); err == nil {
			if err := a.fs.Rename(dir, tmp, name); err != nil {
				_ = a.fs.Remove(bdir, path.Base(c.Backup))
				return undo(err)
			}
			return nil
		}
	}
	aside, err := a.swapAside(c, dir, name, tmp, undo)
	if err != nil {
		return err
	}
	if c.Backup == "" {
		if err := a.fs.RemoveAll(dir, aside); err != nil {
			return fmt.Errorf("delete the displaced entry (%s, left at %s): %w", c.Before, path.Join(dir, aside), err)
		}
		return nil
	}
	if err := a.toBackup(c, dir, aside); err != nil {
		return fmt.Errorf("%w: the displaced entry is at %s", err, path.Join(dir, aside))
	}
	return nil
}

// restoreFallback finishes a restore without RENAME_EXCHANGE (the entry is
// already at tmp). A file is renamed over the link (atomic; an entry
// written at dest just before would be replaced: this fallback's window).
// A folder cannot replace a link by rename: the link is moved aside to a
// free name, looked at, and the folder moved in (a short window where dest
// is missing, nothing replaced); so is a directory link, which a rename
// does not replace on Windows. On failure the entry goes back to its
// backup.
func (a *applier) restoreFallback(c *plan.Change, dir, name, tmp string, sendBack func() error) error {
	back := func(err error) error {
		if uerr := sendBack(); uerr != nil {
			return fmt.Errorf("%w; moving it back to the backup also failed (%v): it is at %s", err, uerr, path.Join(dir, tmp))
		}
		return err
	}
	if c.After.Type != plan.TypeDir {
		err := a.fs.Rename(dir, tmp, name)
		if !errors.Is(err, rootfs.ErrDirLinkInTheWay) {
			if err != nil {
				return back(err)
			}
			return nil
		}
		// Windows: the link is a directory link, which a rename does not
		// replace: the folder's order below.
	}
	aside, err := a.swapAside(c, dir, name, tmp, back)
	if err != nil {
		return err
	}
	return a.fs.Remove(dir, aside)
}

// swapAside puts the entry at tmp in dest's place where RENAME_EXCHANGE is
// missing: what is at dest is moved aside to a free name (asideName(tmp),
// journaled with tmp), looked at, and only if it is what the plan was made
// against is tmp renamed in (with RENAME_NOREPLACE). Dest is missing for a
// moment, but nothing is replaced. On failure the old entry goes back and
// undo disposes of tmp. It returns the aside name, which holds the old
// entry for the caller to dispose of.
func (a *applier) swapAside(c *plan.Change, dir, name, tmp string, undo func(error) error) (string, error) {
	aside := asideName(tmp)
	if err := a.fs.Move(dir, name, dir, aside); err != nil {
		return "", undo(gone(c, err))
	}
	out, err := a.look(dir, aside)
	if err == nil && !holds(c.Before, out) {
		err = &StaleError{Dest: c.Dest, Planned: c.Before.String(), Observed: out.String() + ", put there during the apply; left in place"}
	}
	if err == nil {
		err = a.fs.Move(dir, tmp, dir, name)
	}
	if err != nil {
		if uerr := a.fs.Move(dir, aside, dir, name); uerr != nil {
			return "", fmt.Errorf("%w; moving the entry back also failed (%v): it is at %s", err, uerr, path.Join(dir, aside))
		}
		return "", undo(err)
	}
	return aside, nil
}
