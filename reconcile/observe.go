package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/linksdev/links/internal/par"
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
	"github.com/linksdev/links/reconcile/rootfs"
	"github.com/linksdev/links/reconcile/scan"
)

// Workers is how many goroutines observe in parallel. System calls on
// different dests are independent; two workers saturate this project's
// 2-core machines.
var Workers = min(runtime.GOMAXPROCS(0), 4)

// Observe looks at every dest m declares, with lstat and readlink only
// (never following the dest itself), and at every target (followed).
// It writes nothing.
func (r *Root) Observe(m *manifest.Manifest) (*plan.Observed, error) {
	results := make([]plan.Observation, len(m.Links))
	obs := &plan.Observed{RootReal: r.Real, Index: results, Guards: r.guards(m)}
	obs.BackupDev, obs.StateDirProblem = r.stateDirAccess(m)
	targets := &targetCache{m: map[targetKey]targetInfo{}, res: scan.NewResolver()}
	ls := newLister(r.fs, m, r.Path)
	// Links are sorted by dest, so consecutive ranges keep each folder's
	// entries on one worker; the first dest that failed is reported.
	err := par.Ranges(len(m.Links), min(Workers, len(m.Links)/256), func(lo, hi int) error {
		o := &observer{r: r, targets: targets, ls: ls}
		defer o.flush()
		for i := lo; i < hi; i++ {
			var err error
			if results[i], err = o.observe(&m.Links[i]); err != nil {
				return fmt.Errorf("observe %s: %w", m.Links[i].Dest, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return obs, nil
}

type targetInfo struct {
	exists, isDir bool
	real          string // under root: the target with its folder resolved
	// follows counts the symlinks the kernel follows to resolve the
	// target; loop says it cannot (ELOOP).
	follows int
	loop    bool
}

// targetCache remembers what each target path is, since many links often
// share a target. It holds at most maxTargetCache targets (a manifest of a
// million links to a million targets gains nothing from remembering them
// all).
type targetCache struct {
	mu sync.Mutex
	m  map[targetKey]targetInfo
	// res counts the symlinks on a target's way, for the targets that
	// have some (shared: it caches what it resolved).
	res *scan.Resolver
}

// targetKey is a link's target as declared: relative to root, or absolute.
type targetKey struct {
	abs    bool
	target string
}

const maxTargetCache = 1 << 16

// observer is one Observe worker. Its links are mostly in dest order, so
// it remembers the last dest folder and target folder it resolved (and
// their listings), and counts the lookups done in each before giving them
// back to the lister: most links then take no lock and no shared map.
type observer struct {
	r       *Root
	targets *targetCache
	ls      *lister
	dest    dirMemo
	target  dirMemo
}

// dirMemo is the last folder an observer resolved, and its lookups done
// since (given back to the lister when the folder changes).
type dirMemo struct {
	dir  string
	set  bool
	info dirInfo
	list *listing // nil: not listed
	done int64
	// misses counts the dests found missing by lookups since: from
	// listMisses on, the folder's listing answers (see listMisses).
	misses int
	// writeProblem is why nothing can be written in the folder (or in
	// the one where its missing parents would be made); checked says it
	// was looked at.
	writeProblem string
	checked      bool
}

// at resolves dir (as declared), remembering it, and counts a lookup in it.
func (o *observer) at(m *dirMemo, dir string) *dirMemo {
	if !m.set || m.dir != dir {
		o.release(m)
		*m = dirMemo{dir: dir, set: true, info: o.r.resolveDir(dir), list: o.ls.listing(dir)}
	}
	m.done++
	return m
}

func (o *observer) release(m *dirMemo) {
	if m.set && m.done > 0 {
		o.ls.done(m.dir, m.done)
		m.done = 0
	}
}

// flush gives back the lookups counted in the folders remembered.
func (o *observer) flush() {
	o.release(&o.dest)
	o.release(&o.target)
}

func (o *observer) observe(l *manifest.Link) (plan.Observation, error) {
	var obs plan.Observation
	dir := path.Dir(l.Dest)
	d := o.at(&o.dest, dir)
	info := d.info
	obs.ParentReal, obs.Missing, obs.ParentProblem = info.real, info.missing, info.problem
	if info.problem != "" {
		// No real folder: show the link text as if from the folder named.
		obs.ParentReal = dir
	}
	obs.Dest = plan.State{Type: plan.TypeMissing}
	if !d.checked {
		d.checked = true
		d.writeProblem = o.r.folderProblem(info)
	}
	obs.FolderProblem = d.writeProblem
	if info.problem == "" && len(info.missing) == 0 {
		// A name absent from its folder's listing is missing: no lstat.
		name := path.Base(l.Dest)
		var (
			k  scan.Kind
			ok bool
		)
		if d.list != nil && (d.misses >= listMisses || d.list.read.Load()) {
			k, ok = o.ls.lookup(d.list, info.real, name)
		}
		if !ok || k != scan.KindMissing {
			st, err := o.r.fs.Lstat(info.real, name)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				d.misses++
			case err != nil:
				return obs, err
			default:
				obs.Dest = plan.State{Type: st.Type, Link: st.Link, Identity: st.Identity}
				if st.Type == plan.TypeDir {
					if p := o.r.fs.WriteProblem(info.real, name); p != "" {
						obs.DirProblem = fmt.Sprintf("cannot move the folder %s (%s)", l.Dest, p)
					}
				}
			}
		}
	}
	t := o.observeTarget(l)
	obs.TargetExists, obs.TargetIsDir, obs.TargetReal = t.exists, t.isDir, t.real
	obs.TargetFollows, obs.TargetLoop = t.follows, t.loop
	return obs, nil
}

// observeTarget reports whether l's target exists (following symlinks).
// A target under root is answered by its folder's listing when it is a
// plain file or folder there, else looked up from its folder's handle (a
// single fstatat instead of a walk from /); others with os.Stat. Targets
// not answered by a listing are remembered, since many links often share
// a target.
func (o *observer) observeTarget(l *manifest.Link) targetInfo {
	r := o.r
	rel, under := l.TargetRel(r.Path)
	under = under && rel != "."
	var info dirInfo
	var d *dirMemo
	if under {
		d = o.at(&o.target, path.Dir(rel))
		info = d.info
		if info.problem == "" && len(info.missing) == 0 {
			if walked(l) && info.real == path.Dir(rel) {
				// A tree's member that its walk found a moment ago, a
				// plain file or folder, with no symlinked folder on the
				// way: what a lookup would say now. Both are snapshots: a
				// file gone since gets a dangling link, which the next
				// plan's walk no longer declares, and so deletes.
				return targetInfo{exists: true, isDir: l.Source == manifest.EntryDir, real: realTarget(info, rel)}
			}
			if k, ok := o.ls.lookup(d.list, info.real, path.Base(rel)); ok && k != scan.KindLink && k != scan.KindUnknown && info.real == path.Dir(rel) {
				// A plain file or folder, no symlinked folder on the way.
				return targetInfo{exists: k != scan.KindMissing, isDir: k == scan.KindDir, real: realTarget(info, rel)}
			}
		}
	}
	key := targetKey{l.TargetAbsolute, l.Target}
	cache := o.targets
	cache.mu.Lock()
	t, ok := cache.m[key]
	cache.mu.Unlock()
	if ok {
		return t
	}
	done, plain := false, false
	if under && info.problem == "" {
		if len(info.missing) > 0 {
			done = true // its folder does not exist
		} else if k, ok := r.fs.Kind(info.real, path.Base(rel)); ok && k != scan.KindLink && info.real == path.Dir(rel) {
			// Not a symlink, and no symlinked folder on the way: nothing
			// to follow, in one system call.
			t, done, plain = targetInfo{exists: k != scan.KindMissing, isDir: k == scan.KindDir}, true, true
		} else if isDir, statErr, err := r.fs.Follow(info.real, path.Base(rel)); err == nil {
			t, done = targetInfo{exists: statErr == nil, isDir: isDir, loop: statErr != nil && isLoop(statErr)}, true
		}
		t.real = realTarget(info, rel)
	}
	if !done {
		fi, err := os.Stat(l.TargetPath(r.Path))
		if err == nil {
			t = targetInfo{exists: true, isDir: fi.IsDir()}
		} else {
			t.loop = isLoop(err)
		}
	}
	if t.exists && !plain {
		t.follows, t.loop = r.targetFollows(cache.res, l)
		t.exists = !t.loop
	}
	cache.mu.Lock()
	if len(cache.m) < maxTargetCache {
		cache.m[key] = t
	}
	cache.mu.Unlock()
	return t
}

// walked reports whether l is a tree's member whose walk found a plain
// file or folder at its target (a symlink there is looked up and followed
// as any target).
func walked(l *manifest.Link) bool {
	return l.Source == manifest.EntryFile || l.Source == manifest.EntryDir
}

// targetFollows counts the symlinks the kernel follows to resolve l's
// target from the link text plan writes: the target's path from the real
// root for a relative link, as written for an absolute one. loop says
// there are more than it follows (ELOOP).
func (r *Root) targetFollows(res *scan.Resolver, l *manifest.Link) (follows int, loop bool) {
	base := r.Real
	if l.Strategy == manifest.Absolute {
		base = r.Path
	}
	return res.Follows(l.TargetPath(base))
}

// folderProblem says why apply could not write in the folder info
// resolved (or, when parents are missing, in the folder they would be
// made in); "" when it can.
func (r *Root) folderProblem(info dirInfo) string {
	if info.problem != "" {
		return ""
	}
	dir := info.real
	for range info.missing {
		dir = path.Dir(dir)
	}
	if p := r.fs.WriteProblem(dir, "."); p != "" {
		return fmt.Sprintf("cannot write in folder %s (%s)", dir, p)
	}
	return ""
}

// stateDirAccess looks at state_dir, or its nearest folder that exists
// (where apply would make it): the device backups would be made on ("" when
// unknown), and why apply could not write there ("" when it can).
func (r *Root) stateDirAccess(m *manifest.Manifest) (dev, problem string) {
	real, _, ok := r.trail(m.StateDir)
	if !ok {
		return "", ""
	}
	for p := real; ; p = path.Dir(p) {
		if dev = rootfs.DevOf(filepath.Join(r.Real, filepath.FromSlash(p))); dev != "" || p == "." {
			if dev != "" {
				if w := r.fs.WriteProblem(p, "."); w != "" {
					problem = fmt.Sprintf("cannot write in state_dir %s (%s, at %s)", m.StateDir, w, p)
				}
			}
			return dev, problem
		}
	}
}

// realTarget is the target rel (under root) with its folder's symlinks
// resolved, as info resolved its folder.
func realTarget(info dirInfo, rel string) string {
	if info.real == path.Dir(rel) {
		return rel // no symlinked folder on the way
	}
	return path.Join(info.real, path.Base(rel))
}

// Plan observes m, and the links earlier applies made that m no longer
// declares (from the state file), and returns the plan under id.
func (r *Root) Plan(m *manifest.Manifest, id string) (*plan.Plan, error) {
	// The state file is decoded while the dests are observed: one is
	// mostly CPU, the other mostly system calls.
	type stateResult struct {
		owned *journal.Ownership
		err   error
	}
	state := make(chan stateResult, 1)
	go func() {
		// Only the owned links m no longer declares matter to a plan.
		o, err := r.State.ReadOwnership(undeclaredIn(m))
		state <- stateResult{o, err}
	}()
	obs, err := r.Observe(m)
	trace("plan: dests observed")
	st := <-state
	trace("plan: state read")
	if err != nil {
		return nil, err
	}
	owned, err := st.owned, st.err
	if err != nil {
		return nil, err
	}
	if err := r.observeOrphans(m, obs, owned); err != nil {
		return nil, err
	}
	p := plan.DiffTrees(m, obs, id)
	if len(m.Trees) > 0 {
		plan.ExplainFolded(m, p, r.firstSymlink)
	}
	trace("plan: diffed")
	return p, nil
}

// observeOrphans looks at every owned dest the manifest no longer declares.
func (r *Root) observeOrphans(m *manifest.Manifest, obs *plan.Observed, owned *journal.Ownership) error {
	var orphans []string
	for d, rec := range owned.Links {
		if !obs.Declared(m, d) && rec.Manifest == r.Manifest {
			orphans = append(orphans, d) // not another manifest's link on the same root
		}
	}
	sort.Strings(orphans)
	for _, d := range orphans {
		rec := owned.Links[d]
		now, _, err := r.observeDest(d)
		if err != nil {
			return err
		}
		if obs.Orphans == nil {
			obs.Orphans = map[string]plan.Orphan{}
		}
		o := plan.Orphan{Name: rec.Name, Recorded: rec.Link, Now: now}
		if rec.Backup != "" && plan.UnderRoot(rec.Backup) && strings.HasPrefix(rec.Backup, r.StateDir+"/"+journal.BackupsDir+"/") {
			// The state file is untrusted: only a path under backups is
			// ever given back.
			o.Backup, o.Displaced = rec.Backup, plan.State{Type: rec.BackupType, Identity: rec.BackupIdentity}
			if o.BackupNow, _, err = r.observeDest(rec.Backup); err != nil {
				return err
			}
		}
		obs.Orphans[d] = o
	}
	return nil
}

// undeclaredIn returns a filter keeping the dests m does not declare. It
// is called mostly in dest order (the state file is sorted), so it walks
// m's sorted links alongside, with a binary search for any dest out of
// order. It is not safe for concurrent use.
func undeclaredIn(m *manifest.Manifest) func(dest string) bool {
	i, last := 0, ""
	return func(dest string) bool {
		if dest < last {
			_, declared := m.Declares(dest)
			return !declared
		}
		last = dest
		for i < len(m.Links) && m.Links[i].Dest < dest {
			i++
		}
		return i == len(m.Links) || m.Links[i].Dest != dest
	}
}
