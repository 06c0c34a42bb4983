package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// RollbackPlan plans the inverse of apply `of`, whose mutations are muts in
// the order they were journaled: links it created are deleted, links it
// retargeted get their old text back, files and folders it displaced come
// back from their backups, links it deleted are made again, and a restore
// is displaced again (to a new backup). A dest that is no longer what the
// apply left is a conflict, so the rollback cannot be applied until it is
// resolved; a mutation that never happened (dest still as before it) is
// skipped. The plan's ID is id; it is applied like any plan.
func (r *Root) RollbackPlan(of string, muts []journal.Mutation, id, manifestName string) (*plan.Plan, error) {
	p := &plan.Plan{ID: id, RollbackOf: of, Manifest: manifestName, Root: r.Path, StateDir: r.StateDir}
	seen := map[string]bool{}
	unswitched, err := r.unswitchedUnfolds(muts)
	if err != nil {
		return nil, err
	}
	for i := len(muts) - 1; i >= 0; i-- {
		m := muts[i]
		if seen[m.Dest] || !plan.UnderRoot(m.Dest) || underAny(m.Dest, unswitched) {
			continue
		}
		seen[m.Dest] = true
		now, missing, err := r.observeDest(m.Dest)
		folder := r.resolveDir(path.Dir(m.Dest)).real
		if err != nil {
			return nil, err
		}
		if m.After.Type == "" || m.Before.Type == "" {
			p.Changes = append(p.Changes, plan.Change{Name: m.Name, Dest: m.Dest, Action: plan.Conflict, Before: now, After: now,
				Reason: fmt.Sprintf("the journal line for this change of apply %s is unreadable, so rollback cannot tell what it did; check it by hand (links log %s)", of, of)})
			continue
		}
		if sameState(now, m.Before) && !sameState(m.Before, m.After) {
			continue // never happened, or already undone
		}
		c := plan.Change{Name: m.Name, Dest: m.Dest, Before: now, After: m.Before}
		if folder != path.Dir(m.Dest) && folder != "" {
			c.Folder = folder
		}
		if err := r.undo(&c, m, of, id, missing); err != nil {
			return nil, err
		}
		p.Changes = append(p.Changes, c)
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Dest < p.Changes[j].Dest })
	return p, nil
}

// undo makes c, the change of a rollback at m.Dest (now c.Before), the
// inverse of m, the mutation apply of made there: missing are the folders
// a link to make again needs.
func (r *Root) undo(c *plan.Change, m journal.Mutation, of, id string, missing []string) error {
	now := c.Before
	switch {
	case now.Type == plan.TypeMissing && m.After.Type == plan.TypeSymlink &&
		(m.Before.Type == plan.TypeFile || m.Before.Type == plan.TypeDir):
		// Killed between moving the entry aside and renaming the
		// link in (the fallback without RENAME_EXCHANGE): dest is
		// empty, the entry is in its backup or still aside.
		from, err := r.restoreSource(m, c.Dir())
		if err != nil {
			return err
		}
		if from == "" {
			c.Action = plan.Conflict
			c.Reason = fmt.Sprintf("dest is empty and what apply %s displaced (%s) is neither in its backup %s nor at its temporary name; restore it by hand", of, m.Before, m.Backup)
			break
		}
		c.After = plan.State{Type: m.Before.Type}
		c.Action, c.Restore = plan.Replace, from
	case m.Staged && now.Type == plan.TypeDir && m.Before.Type == plan.TypeSymlink:
		// An unfold: the folder the apply built in the folder link's place
		// (its links deleted first by this rollback) is displaced by the
		// link again, into a backup. Its identity is not held against it:
		// the deletes in it change its mtime.
		c.Action, c.Before = plan.Replace, plan.State{Type: plan.TypeDir}
		c.Backup = plan.BackupPath(r.StateDir, id, m.Dest)
		c.Reason = fmt.Sprintf("the folder apply %s built in place of this folder link", of)
	case !sameState(now, m.After):
		c.Action = plan.Conflict
		c.Reason = fmt.Sprintf("changed since apply %s (it left %s, now %s); rollback will not touch it: restore it by hand or apply again", of, m.After.String(), now.String())
	case m.After.Type == plan.TypeSymlink && m.Before.Type == plan.TypeMissing:
		c.Action = plan.Delete
		c.Reason = "created by apply " + of
	case m.After.Type == plan.TypeSymlink && m.Before.Type == plan.TypeSymlink:
		c.Action = plan.Update
	case m.After.Type == plan.TypeSymlink:
		c.After = plan.State{Type: m.Before.Type}
		if m.Backup == "" {
			c.Action = plan.Conflict
			c.Reason = fmt.Sprintf("what apply %s displaced (%s) was deleted (backup: false) and cannot be restored", of, m.Before)
			break
		}
		from, err := r.restoreSource(m, c.Dir())
		if err != nil {
			return err
		}
		if from == "" {
			c.Action = plan.Conflict
			c.Reason = fmt.Sprintf("its backup %s is gone or changed; restore it by hand", m.Backup)
			break
		}
		c.Action, c.Restore = plan.Replace, from
	case m.After.Type == plan.TypeMissing && m.Before.Type == plan.TypeSymlink:
		c.Action, c.Parents = plan.Create, missing
		c.Reason = "deleted by apply " + of
	case m.Before.Type == plan.TypeSymlink:
		// A file or folder an earlier rollback restored: displace it again.
		c.Action = plan.Replace
		c.Backup = plan.BackupPath(r.StateDir, id, m.Dest)
	default:
		c.Action = plan.Conflict
		c.Reason = fmt.Sprintf("cannot undo %s of %s to %s", m.Action, m.Before.String(), m.After.String())
	}
	return nil
}

// unswitchedUnfolds lists the dests of the unfolds among muts whose
// folder link is still in place (the apply was killed, or failed, before
// its switch): the links it made are in a staging folder the next apply
// removes, never at their dests, and what is under the link now is the
// source's, so rollback has nothing to undo there.
func (r *Root) unswitchedUnfolds(muts []journal.Mutation) ([]string, error) {
	var out []string
	for _, m := range muts {
		if !m.Staged || !plan.UnderRoot(m.Dest) {
			continue
		}
		now, _, err := r.observeDest(m.Dest)
		if err != nil {
			return nil, err
		}
		if sameState(now, m.Before) {
			out = append(out, m.Dest)
		}
	}
	return out, nil
}

// underAny reports whether dest lies under one of dirs.
func underAny(dest string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(dest, d+"/") {
			return true
		}
	}
	return false
}

// restoreSource finds the entry m displaced: in its backup, or, if the
// apply was killed before moving it there, still at its temporary name
// next to dest. It returns "" if neither holds an entry of the right type.
func (r *Root) restoreSource(m journal.Mutation, folder string) (string, error) {
	candidates := []string{m.Backup}
	if journal.ValidTemp(m.Temp) {
		candidates = append(candidates, path.Join(folder, m.Temp), path.Join(folder, asideName(m.Temp)))
	}
	for _, c := range candidates {
		st, _, err := r.observeDest(c)
		if err != nil {
			return "", err
		}
		if st.Type == m.Before.Type {
			return c, nil
		}
	}
	return "", nil
}

// observeDest lstats a dest (relative to root) and returns what is there
// and which parent folders are missing.
func (r *Root) observeDest(dest string) (plan.State, []string, error) {
	now := plan.State{Type: plan.TypeMissing}
	info := r.resolveDir(path.Dir(dest))
	if info.problem != "" {
		return plan.State{Type: plan.TypeOther}, nil, nil
	}
	if len(info.missing) > 0 {
		return now, info.missing, nil
	}
	st, err := r.fs.Lstat(info.real, path.Base(dest))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return now, nil, nil
	case err != nil:
		return now, nil, fmt.Errorf("observe %s: %w", dest, err)
	}
	return plan.State{Type: st.Type, Link: st.Link, Identity: st.Identity}, nil, nil
}

// sameState compares type and link text (not identity: a restored folder
// keeps its inode but its mtime may move).
func sameState(a, b plan.State) bool {
	return a.Type == b.Type && a.Link == b.Link
}
