package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// Observe looks at every dest m declares, with lstat and readlink only
// (never following the dest itself), and at every target (followed).
// It writes nothing.
func (r *Root) Observe(m *manifest.Manifest) (*plan.Observed, error) {
	obs := &plan.Observed{RootReal: r.Real, Links: make(map[string]plan.Observation, len(m.Links))}
	for i := range m.Links {
		l := &m.Links[i]
		o, err := r.observe(l)
		if err != nil {
			return nil, fmt.Errorf("observe %s: %w", l.Dest, err)
		}
		obs.Links[l.Dest] = o
	}
	return obs, nil
}

func (r *Root) observe(l *manifest.Link) (plan.Observation, error) {
	var o plan.Observation
	dir := path.Dir(l.Dest)
	info := r.resolveDir(dir)
	o.ParentReal, o.Missing, o.ParentProblem = info.real, info.missing, info.problem
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
	if fi, err := os.Stat(l.TargetPath(r.Path)); err == nil {
		o.TargetExists, o.TargetIsDir = true, fi.IsDir()
	}
	return o, nil
}

// Plan observes m, and the links earlier applies made that m no longer
// declares (from the state file), and returns the plan under id.
func (r *Root) Plan(m *manifest.Manifest, id string) (*plan.Plan, error) {
	obs, err := r.Observe(m)
	if err != nil {
		return nil, err
	}
	owned, err := r.ReadState()
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
	for _, d := range owned.sortedDests() {
		if _, declared := obs.Links[d]; declared {
			continue
		}
		rec := owned.Links[d]
		o := plan.Orphan{Name: rec.Name, Recorded: rec.Link, Now: plan.State{Type: plan.TypeMissing}}
		info := r.resolveDir(path.Dir(d))
		if info.problem != "" {
			o.Now.Type = plan.TypeOther // cannot be reached safely: left alone
		} else if len(info.missing) == 0 {
			st, err := r.fs.Lstat(info.real, path.Base(d))
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				return fmt.Errorf("observe %s: %w", d, err)
			default:
				o.Now = plan.State{Type: st.Type, Link: st.Link, Identity: st.Identity}
			}
		}
		if obs.Orphans == nil {
			obs.Orphans = map[string]plan.Orphan{}
		}
		obs.Orphans[d] = o
	}
	return nil
}
