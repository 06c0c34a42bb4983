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
	obs := &plan.Observed{RootReal: r.Real, Links: make(map[string]plan.Observation, len(m.Links))}
	results := make([]plan.Observation, len(m.Links))
	errs := make([]error, len(m.Links))
	targets := &targetCache{m: map[string]targetInfo{}}
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
				results[i], errs[i] = r.observe(&m.Links[i], targets)
			}
		}()
	}
	wg.Wait()
	for i := range m.Links {
		if errs[i] != nil {
			return nil, fmt.Errorf("observe %s: %w", m.Links[i].Dest, errs[i])
		}
		obs.Links[m.Links[i].Dest] = results[i]
	}
	return obs, nil
}

type targetInfo struct {
	exists, isDir bool
	real          string // under root: the target with its folder resolved
}

// targetCache remembers what each target path is, since many links often
// share a target.
type targetCache struct {
	mu sync.Mutex
	m  map[string]targetInfo
}

func (r *Root) observe(l *manifest.Link, targets *targetCache) (plan.Observation, error) {
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
		st, err := r.fs.Lstat(info.real, path.Base(l.Dest))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return o, err
		default:
			o.Dest = plan.State{Type: st.Type, Link: st.Link, Identity: st.Identity}
		}
	}
	t := r.target(l, targets)
	o.TargetExists, o.TargetIsDir, o.TargetReal = t.exists, t.isDir, t.real
	return o, nil
}

// target reports whether l's target exists (following symlinks). A target
// under root is looked up from its folder's handle, a single fstatat
// instead of a walk from /; others with os.Stat.
func (r *Root) target(l *manifest.Link, cache *targetCache) targetInfo {
	key := l.TargetPath(r.Path)
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
			} else if isDir, statErr, err := r.fs.stat(info.real, path.Base(rel)); err == nil {
				t, done = targetInfo{exists: statErr == nil, isDir: isDir}, true
			}
			t.real = path.Join(info.real, path.Base(rel))
		}
	}
	if !done {
		if fi, err := os.Stat(key); err == nil {
			t = targetInfo{exists: true, isDir: fi.IsDir()}
		}
	}
	cache.mu.Lock()
	cache.m[key] = t
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
		o, err := r.ReadState()
		state <- stateResult{o, err}
	}()
	obs, err := r.Observe(m)
	st := <-state
	if err != nil {
		return nil, err
	}
	owned, err := st.owned, st.err
	if err != nil {
		return nil, err
	}
	if err := r.observeOrphans(obs, owned); err != nil {
		return nil, err
	}
	return plan.Diff(m, obs, id), nil
}

// observeOrphans looks at every owned dest the manifest no longer declares.
func (r *Root) observeOrphans(obs *plan.Observed, owned *Ownership) error {
	var orphans []string
	for d, rec := range owned.Links {
		if _, declared := obs.Links[d]; !declared && rec.Manifest == r.Manifest {
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
