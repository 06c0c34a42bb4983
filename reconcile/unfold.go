package reconcile

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/rootfs"
)

// An unfold turns a folder link into a real folder of links: a fold
// removed from a tree, or a tree's source file that became a folder. The
// plan says "delete X" and "create X/a, X/b, ... with parents X, ..."
// (plan.unfoldThroughDeletes). Made in that order, X would be missing
// between the delete and the first mkdir. Apply builds the folder aside
// instead, and switches it in with one exchange, so readers see the link
// or the whole folder, never nothing:
//
//  1. with the delete (the first step of the schedule), an empty folder is
//     made under the delete's temporary name T beside X (the intent
//     names T and says it is staged);
//  2. the creates under X are made under T instead, as any create is;
//     their outcomes wait for the switch;
//  3. once every other change is made, T's folders are fsynced and T is
//     exchanged with X (renameat2 RENAME_EXCHANGE); what came out is
//     settled as an update's old link is: unlinked if it is the planned
//     link, else put back, the folder taken apart again (only the links
//     this apply made in it) and every change of the unfold stale.
//
// A killed apply leaves T, a folder, with the delete's intent not done:
// the next apply removes the links the intents of that apply name in it
// (each only while it is what its intent says) and then its empty
// folders; anything else in T is the user's and is left (leftovers.go).
// Without RENAME_EXCHANGE the switch moves X aside and T in (swapAside):
// X is missing for a moment, as rename(2) cannot put a folder over a
// link.

// unfold is one folder link that a plan replaces by a folder of links.
type unfold struct {
	del       int    // index of the folder link's delete
	dest      string // X, relative to root
	dir, name string // X's folder (as the delete writes it) and name
	tmp       string // the staging folder's name in dir (the delete's temp)
	members   []int  // the creates made under X
	staged    bool   // the staging folder was made
	made      []int  // members made in the staging folder (outcome waits)
	failedMsg string // why the staging folder was not made
}

// unfolds indexes a plan's unfolds by the changes they hold.
type unfolds struct {
	list []*unfold
	of   map[int]*unfold // change index (delete or member) -> its unfold
	// restored holds the dests of folder links whose delete brings back
	// the folder they displaced (a fold added over a folder, removed
	// again) while creates are planned in it: the folder comes back whole
	// by exchange, holding the member links as they were when it was
	// displaced, and a create that finds exactly its link there is done.
	restored map[string]bool
}

// intoRestored reports whether c is a create into a folder its plan
// restores.
func (us *unfolds) intoRestored(c *plan.Change) bool {
	return us != nil && us.restored != nil && c.Action == plan.Create && len(c.Parents) > 0 && us.restored[c.Parents[0]]
}

// findUnfolds finds, among the changes todo, the deletes of a link that
// creates with parents need gone (their first parent is the link's dest).
// A delete that restores a displaced entry is left alone: its exchange
// already keeps the path filled.
func findUnfolds(p *plan.Plan, todo []int) *unfolds {
	var byDest map[string]*unfold
	us := &unfolds{}
	for _, i := range todo {
		c := &p.Changes[i]
		if c.Action == plan.Delete && c.Restore != "" {
			if us.restored == nil {
				us.restored = map[string]bool{}
			}
			us.restored[c.Dest] = true
		}
		if c.Action == plan.Delete && c.Restore == "" && c.Before.Type == plan.TypeSymlink {
			if byDest == nil {
				byDest = map[string]*unfold{}
			}
			byDest[c.Dest] = &unfold{del: i, dest: c.Dest, dir: c.Dir(), name: path.Base(c.Dest)}
		}
	}
	if byDest == nil {
		return us
	}
	for _, i := range todo {
		c := &p.Changes[i]
		if c.Action != plan.Create || len(c.Parents) == 0 {
			continue
		}
		if u := byDest[c.Parents[0]]; u != nil && strings.HasPrefix(c.Dest, u.dest+"/") {
			u.members = append(u.members, i)
		}
	}
	for _, i := range todo {
		c := &p.Changes[i]
		if u := byDest[c.Dest]; u != nil && c.Action == plan.Delete && len(u.members) > 0 {
			if us.of == nil {
				us.of = map[int]*unfold{}
			}
			us.list = append(us.list, u)
			us.of[u.del] = u
			for _, m := range u.members {
				us.of[m] = u
			}
		}
	}
	return us
}

// staging is the staging folder, relative to root.
func (u *unfold) staging() string { return path.Join(u.dir, u.tmp) }

// stagedDir is where a member c is made before the switch: its folder,
// with X replaced by the staging folder.
func (u *unfold) stagedDir(c *plan.Change) string {
	return u.staging() + strings.TrimPrefix(path.Dir(c.Dest), u.dest)
}

// stage does an unfold's part of change i in the schedule: for the
// delete, the staging folder is made (after the courtesy re-check of the
// link); for a member, its link is made in the staging folder. It reports
// whether the change's outcome waits for the switch (it was staged) or is
// known now (err).
func (a *applier) stage(u *unfold, i int, c *plan.Change, tmp string) (wait bool, err error) {
	if i == u.del {
		u.tmp = tmp
		if err := a.recheck(c, u.dir, u.name); err != nil {
			u.failedMsg = err.Error()
			return false, err
		}
		a.touch(u.dir)
		if err := a.fs.MkdirAll(u.staging()); err != nil {
			err = fmt.Errorf("build the folder aside at %s: %w", u.staging(), err)
			u.failedMsg = err.Error()
			return false, err
		}
		a.mu.Lock()
		a.made[u.staging()] = true
		u.staged = true
		a.mu.Unlock()
		return true, nil
	}
	a.mu.Lock()
	ok, why := u.staged, u.failedMsg
	a.mu.Unlock()
	if !ok {
		return false, fmt.Errorf("not made: %s was not replaced by a folder (%s)", u.dest, why)
	}
	staged := *c
	staged.Folder = u.stagedDir(c)
	if err := a.change(&staged, tmp); err != nil {
		return false, err
	}
	a.mu.Lock()
	u.made = append(u.made, i)
	a.mu.Unlock()
	return true, nil
}

// switchUnfolds puts each staged folder in its link's place and calls
// outcome for each change that waited: the delete, then its members made.
func (a *applier) switchUnfolds(us *unfolds, outcome func(i int, err error)) {
	for _, u := range us.list {
		if !u.staged {
			continue
		}
		err := a.switchIn(u)
		outcome(u.del, err)
		sort.Ints(u.made)
		for _, m := range u.made {
			if err != nil {
				outcome(m, fmt.Errorf("not made: %s was not replaced by a folder: %w", u.dest, err))
			} else {
				outcome(m, nil)
			}
		}
	}
}

// switchIn exchanges the staging folder of u with the folder link.
func (a *applier) switchIn(u *unfold) error {
	c := &a.p.Changes[u.del]
	if err := a.syncStaged(u); err != nil {
		return a.unstaged(u, err)
	}
	// The entry the settle takes back, should the link have changed, is
	// the staging folder.
	sc := *c
	sc.After = plan.State{Type: plan.TypeDir}
	a.touch(u.dir)
	err := a.fs.Exchange(u.dir, u.tmp, u.name)
	switch {
	case err == nil:
		return a.settle(&sc, u.dir, u.name, u.tmp,
			func() error { return a.fs.Remove(u.dir, u.tmp) },
			func() error { return a.unstage(u) })
	case errors.Is(err, rootfs.ErrExchangeUnsupported):
		aside, err := a.swapAside(&sc, u.dir, u.name, u.tmp, func(err error) error { return a.unstaged(u, err) })
		if err != nil {
			return err
		}
		return a.fs.Remove(u.dir, aside)
	}
	return a.unstaged(u, gone(c, err))
}

// syncStaged fsyncs the staging folder and the folders made in it, so the
// folder is durable before it becomes visible, and takes them off the
// folders finish fsyncs (their paths are gone after the switch).
func (a *applier) syncStaged(u *unfold) error {
	a.mu.Lock()
	var dirs []string
	for d := range a.touched {
		if d == u.staging() || strings.HasPrefix(d, u.staging()+"/") {
			dirs = append(dirs, d)
			delete(a.touched, d)
		}
	}
	a.mu.Unlock()
	sort.Strings(dirs)
	return a.syncDirs(dirs, syncWorkers)
}

// unstaged takes the staging folder apart after a failed switch and
// returns err (with the leftover's place, should that fail too).
func (a *applier) unstaged(u *unfold, err error) error {
	if uerr := a.unstage(u); uerr != nil {
		return fmt.Errorf("%w; %v", err, uerr)
	}
	return err
}

// unstage removes the staging folder of u: the links this apply made in
// it (each only while it is the link made), then its folders, deepest
// first, each only when empty. Whatever else is there stays.
func (a *applier) unstage(u *unfold) error {
	dirs := map[string]bool{u.staging(): true}
	for _, m := range u.made {
		c := &a.p.Changes[m]
		dir := u.stagedDir(c)
		for d := dir; d != u.staging() && strings.HasPrefix(d, u.staging()+"/"); d = path.Dir(d) {
			dirs[d] = true
		}
		if now, err := a.look(dir, path.Base(c.Dest)); err == nil && holds(c.After, now) {
			_ = a.fs.Remove(dir, path.Base(c.Dest))
		}
	}
	return a.removeEmptyDirs(dirs)
}

// removeEmptyDirs removes the folders dirs, deepest first; a folder that
// is not empty stays, and the error says where.
func (a *applier) removeEmptyDirs(dirs map[string]bool) error {
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return deeperFirst(list[i], list[j]) })
	var kept []string
	for _, d := range list {
		if err := a.fs.Remove(path.Dir(d), path.Base(d)); err != nil {
			kept = append(kept, d)
			continue
		}
		a.touch(path.Dir(d))
	}
	if len(kept) > 0 {
		return fmt.Errorf("the folder built aside is left at %s (it holds entries links did not make)", kept[len(kept)-1])
	}
	return nil
}
