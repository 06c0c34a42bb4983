package reconcile

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// leftover is an entry a killed apply left under one of its temporary
// names, and what cleaning it means.
type leftover struct {
	dir, name string // where it is (dir relative to root)
	now       plan.State
	of        string // the interrupted apply's id
	// remove: a link the killed change made (its new link, not switched in
	// yet) or was removing (the old link, switched out); it is unlinked.
	remove bool
	// to: else, where the entry goes: the backup the killed change's
	// intent names (so rollback of that apply finds it there), or, when it
	// named none, this apply's backups.
	to string
	// staged: a folder an unfold was building (unfold.go), taken apart:
	// the links in it that the killed apply's creates name, then its
	// empty folders.
	staged *stagedLeftover
}

// stagedLeftover is what a killed unfold's staging folder may hold.
type stagedLeftover struct {
	links []stagedLink
	dirs  map[string]bool // the folders to remove when empty, staging included
}

type stagedLink struct {
	dir, name string
	after     plan.State
}

// findLeftovers finds, from the journal, what earlier applies left under
// their temporary names: a killed apply (whose state file was never
// written), or one whose change failed half-way (it keeps the state file's
// offset at its own start for this). For each of their mutations that was
// not recorded done, the temporary names its intent gave are looked at. An entry there is cleaned only while it
// is exactly what that intent says it would be (the new link, the old
// link, the displaced or restored entry); anything else, and every name
// no intent gave, is the user's and is never touched (it is reported).
func (a *applier) findLeftovers() (found []leftover, notes []string) {
	h, err := a.r.State.RecentJournal()
	if err != nil {
		return nil, []string{fmt.Sprintf("cannot read the journal to look for what an interrupted apply left: %v", err)}
	}
	restoring := map[string]bool{} // temporary entries a rollback restores
	for _, c := range a.p.Changes {
		if c.Restore != "" {
			restoring[c.Restore] = true
		}
	}
	for _, ap := range h.Applies {
		for _, s := range ap.Steps {
			if s.Status == journal.StepDone || !journal.ValidTemp(s.Temp) || !plan.UnderRoot(s.Dest) {
				continue
			}
			info := a.r.resolveDir(path.Dir(s.Dest))
			if info.problem != "" || len(info.missing) > 0 {
				continue
			}
			for _, n := range []string{s.Temp, asideName(s.Temp)} {
				where := path.Join(info.real, n)
				if restoring[where] {
					continue
				}
				now, err := a.look(info.real, n)
				if err != nil || now.Type == plan.TypeMissing {
					continue
				}
				l := leftover{dir: info.real, name: n, now: now, of: ap.ID}
				switch {
				case s.Staged && n == s.Temp && now.Type == plan.TypeDir:
					l.staged = stagedIn(ap, s.Dest, where)
				case now.Type == plan.TypeSymlink && (holds(s.After, now) || holds(s.Before, now)):
					l.remove = true
				case now.Type != plan.TypeSymlink && (holds(s.Before, now) || holds(s.After, now)):
					// A displaced entry (Before) or one a restore brought
					// out of its backup (After): the intent's Backup is
					// where it belongs in both cases.
					l.to = s.Backup
					if l.to == "" || !strings.HasPrefix(l.to, a.r.StateDir+"/"+journal.BackupsDir+"/") {
						l.to = plan.BackupPath(a.r.StateDir, a.p.ID, path.Join("recovered", where))
					}
				default:
					notes = append(notes, fmt.Sprintf("%s holds %s, not what apply %s left there; it is left alone: look at it and move it where it belongs", where, now.String(), ap.ID))
					continue
				}
				found = append(found, l)
			}
		}
	}
	return found, notes
}

// stagedIn lists what an unfold of dest, interrupted, may have made in
// its staging folder staging: a link for each create of the apply ap
// under dest, and the folders holding them.
func stagedIn(ap *journal.ApplyLog, dest, staging string) *stagedLeftover {
	st := &stagedLeftover{dirs: map[string]bool{staging: true}}
	for _, m := range ap.Steps {
		if m.Action != plan.Create.String() || m.After.Type != plan.TypeSymlink || !strings.HasPrefix(m.Dest, dest+"/") || !plan.UnderRoot(m.Dest) {
			continue
		}
		dir := staging + strings.TrimPrefix(path.Dir(m.Dest), dest)
		for d := dir; d != staging; d = path.Dir(d) {
			st.dirs[d] = true
		}
		st.links = append(st.links, stagedLink{dir: dir, name: path.Base(m.Dest), after: m.After})
	}
	return st
}

// cleanLeftovers cleans what findLeftovers found, each step journaled
// (intent before, outcome after): temporary links are unlinked, displaced
// and restored entries moved to the backup their intent named. Nothing is
// deleted but links.
func (a *applier) cleanLeftovers(list []leftover) error {
	for _, l := range list {
		where := path.Join(l.dir, l.name)
		before := l.now
		if l.staged != nil {
			if err := a.cleanStaged(l); err != nil {
				return err
			}
			continue
		}
		if l.remove {
			removed, err := a.removeLeftover(l.dir, l.name, before)
			if err != nil {
				return err
			}
			if removed {
				a.res.Recovered = append(a.res.Recovered, fmt.Sprintf("removed temporary link %s left by apply %s", where, l.of))
			}
			continue
		}
		to := l.to
		a.j.Add(journal.Record{Status: journal.Intent, Dest: where, Action: journal.RecoverLeftover, Before: &before, Backup: to})
		if err := a.j.Flush(true); err != nil {
			return err
		}
		err := a.fs.MkdirAll(path.Dir(to))
		if err == nil {
			err = a.fs.Move(l.dir, l.name, path.Dir(to), path.Base(to))
		}
		if err != nil && !strings.Contains(to, "/recovered/") {
			// Its backup path is taken: keep it under this apply's.
			to = plan.BackupPath(a.r.StateDir, a.p.ID, path.Join("recovered", where))
			if err = a.fs.MkdirAll(path.Dir(to)); err == nil {
				err = a.fs.Move(l.dir, l.name, path.Dir(to), path.Base(to))
			}
		}
		if err != nil {
			a.j.Add(journal.Record{Status: journal.Failed, Dest: where, Action: journal.RecoverLeftover, Error: err.Error()})
			continue
		}
		a.touch(l.dir, path.Dir(to))
		a.j.Add(journal.Record{Status: journal.Done, Dest: where, Action: journal.RecoverLeftover, Backup: to})
		a.res.Recovered = append(a.res.Recovered, fmt.Sprintf("moved %s left by apply %s to %s", where, l.of, to))
	}
	return nil
}

// removeLeftover removes dir/name, journaled (intent before, outcome
// after), if it still is before: a temporary link, or an empty folder an
// unfold made. It reports whether it was removed; the error is the
// journal's.
func (a *applier) removeLeftover(dir, name string, before plan.State) (bool, error) {
	where := path.Join(dir, name)
	a.j.Add(journal.Record{Status: journal.Intent, Dest: where, Action: journal.RemoveLeftover, Before: &before})
	if err := a.j.Flush(true); err != nil {
		return false, err
	}
	// Looked at again just before: the unlink is of a link the journal
	// names, still as it says.
	now, err := a.look(dir, name)
	if err == nil && !holds(before, now) {
		err = fmt.Errorf("%s changed since it was looked at (now %s); left alone", where, now.String())
	}
	if err == nil {
		err = a.fs.Remove(dir, name)
	}
	if err != nil {
		a.j.Add(journal.Record{Status: journal.Failed, Dest: where, Action: journal.RemoveLeftover, Error: err.Error()})
		return false, nil
	}
	a.touch(dir)
	a.j.Add(journal.Record{Status: journal.Done, Dest: where, Action: journal.RemoveLeftover})
	return true, nil
}

// cleanStaged takes apart the staging folder of a killed unfold: each
// link in it that an intent of that apply names, while it is that link,
// then the folders, deepest first, each only once empty. Anything else
// stays, and is reported.
func (a *applier) cleanStaged(l leftover) error {
	staging := path.Join(l.dir, l.name)
	n := 0
	for _, sl := range l.staged.links {
		now, err := a.look(sl.dir, sl.name)
		if err != nil || !holds(sl.after, now) {
			continue
		}
		removed, err := a.removeLeftover(sl.dir, sl.name, now)
		if err != nil {
			return err
		}
		if removed {
			n++
		}
	}
	dirs := make([]string, 0, len(l.staged.dirs))
	for d := range l.staged.dirs {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool { return deeperFirst(dirs[i], dirs[j]) })
	for _, d := range dirs {
		now, err := a.look(path.Dir(d), path.Base(d))
		if err != nil || now.Type != plan.TypeDir || !a.emptyDir(d) {
			continue
		}
		if _, err := a.removeLeftover(path.Dir(d), path.Base(d), now); err != nil {
			return err
		}
	}
	if now, _ := a.look(l.dir, l.name); now.Type != plan.TypeMissing {
		a.res.Recovered = append(a.res.Recovered, fmt.Sprintf("%s, a folder apply %s was building, holds entries it did not make: it is left alone; look at it and move what is yours", staging, l.of))
		return nil
	}
	a.res.Recovered = append(a.res.Recovered, fmt.Sprintf("removed the folder %s (%d links) that apply %s was building", staging, n, l.of))
	return nil
}

// emptyDir reports whether the folder dir (relative to root) has no
// entries (read through the confined root, without following a final
// symlink: dir was just looked at as a folder).
func (a *applier) emptyDir(dir string) bool {
	f, err := a.r.root.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	return len(names) == 0 && err != nil
}

// deeperFirst orders folders deepest first, then by name.
func deeperFirst(a, b string) bool {
	da, db := strings.Count(a, "/"), strings.Count(b, "/")
	if da != db {
		return da > db
	}
	return a < b
}
