package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"runtime"
	"sort"
	"sync"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
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
	obs := &plan.Observed{RootReal: r.Real, Index: results}
	var (
		errMu  sync.Mutex
		errAt  = len(m.Links)
		errVal error
	)
	targets := &targetCache{m: map[targetKey]targetInfo{}}
	ls := newLister(r.fs, m, r.Path)
	// Links are sorted by dest, so contiguous chunks keep each folder's
	// entries on one worker.
	workers := max(1, min(Workers, len(m.Links)/256))
	chunk := (len(m.Links) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(m.Links))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				var err error
				results[i], err = r.observe(&m.Links[i], targets, ls)
				ls.done(&m.Links[i], r.Path)
				if err != nil {
					errMu.Lock()
					if i < errAt { // report the first dest that failed
						errAt, errVal = i, err
					}
					errMu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if errVal != nil {
		return nil, fmt.Errorf("observe %s: %w", m.Links[errAt].Dest, errVal)
	}
	return obs, nil
}

type targetInfo struct {
	exists, isDir bool
	real          string // under root: the target with its folder resolved
}

// targetCache remembers what each target path is, since many links often
// share a target. It holds at most maxTargetCache targets (a manifest of a
// million links to a million targets gains nothing from remembering them
// all).
type targetCache struct {
	mu sync.Mutex
	m  map[targetKey]targetInfo
}

// targetKey is a link's target as declared: relative to root, or absolute.
type targetKey struct {
	abs    bool
	target string
}

const maxTargetCache = 1 << 16

func (r *Root) observe(l *manifest.Link, targets *targetCache, ls *lister) (plan.Observation, error) {
	var o plan.Observation
	dir := path.Dir(l.Dest)
	info := r.resolveDir(dir)
	o.ParentReal, o.Missing, o.ParentProblem = info.real, info.missing, info.problem
	if info.problem != "" {
		// No real folder: show the link text as if from the folder named.
		o.ParentReal = dir
	}
	o.Dest = plan.State{Type: plan.TypeMissing}
	if info.problem == "" && len(info.missing) == 0 {
		// A name absent from its folder's listing is missing: no lstat.
		name := path.Base(l.Dest)
		if k, ok := ls.lookup(dir, info.real, name); !ok || k != 0 {
			st, err := r.fs.Lstat(info.real, name)
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				return o, err
			default:
				o.Dest = plan.State{Type: st.Type, Link: st.Link, Identity: st.Identity}
			}
		}
	}
	t := r.target(l, targets, ls)
	o.TargetExists, o.TargetIsDir, o.TargetReal = t.exists, t.isDir, t.real
	return o, nil
}

// target reports whether l's target exists (following symlinks). A target
// under root is looked up from its folder's handle, a single fstatat
// instead of a walk from /; others with os.Stat.
func (r *Root) target(l *manifest.Link, cache *targetCache, ls *lister) targetInfo {
	key := targetKey{l.TargetAbsolute, l.Target}
	cache.mu.Lock()
	t, ok := cache.m[key]
	cache.mu.Unlock()
	if ok {
		return t
	}
	done := false
	if rel, under := l.TargetRel(r.Path); under && rel != "." {
		if info := r.resolveDir(path.Dir(rel)); info.problem == "" {
			if len(info.missing) > 0 {
				done = true // its folder does not exist
			} else if k, ok := ls.lookup(path.Dir(rel), info.real, path.Base(rel)); ok && k != listedLink && k != listedUnknown {
				t, done = targetInfo{exists: k != 0, isDir: k == listedDir}, true
			} else if isDir, statErr, err := r.fs.stat(info.real, path.Base(rel)); err == nil {
				t, done = targetInfo{exists: statErr == nil, isDir: isDir}, true
			}
			if info.real == path.Dir(rel) {
				t.real = rel // no symlinked folder on the way
			} else {
				t.real = path.Join(info.real, path.Base(rel))
			}
		}
	}
	if !done {
		if fi, err := os.Stat(l.TargetPath(r.Path)); err == nil {
			t = targetInfo{exists: true, isDir: fi.IsDir()}
		}
	}
	cache.mu.Lock()
	if len(cache.m) < maxTargetCache {
		cache.m[key] = t
	}
	cache.mu.Unlock()
	return t
}

// Plan observes m, and the links earlier applies made that m no longer
// declares (from the state file), and returns the plan under id.
func (r *Root) Plan(m *manifest.Manifest, id string) (*plan.Plan, error) {
	// The state file is decoded while the dests are observed: one is
	// mostly CPU, the other mostly system calls.
	type stateResult struct {
		owned *Ownership
		err   error
	}
	state := make(chan stateResult, 1)
	go func() {
		// Only the owned links m no longer declares matter to a plan.
		o, err := r.readOwnership(undeclaredIn(m))
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
	p := plan.Diff(m, obs, id)
	trace("plan: diffed")
	return p, nil
}

// observeOrphans looks at every owned dest the manifest no longer declares.
func (r *Root) observeOrphans(m *manifest.Manifest, obs *plan.Observed, owned *Ownership) error {
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
		obs.Orphans[d] = plan.Orphan{Name: rec.Name, Recorded: rec.Link, Now: now}
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
