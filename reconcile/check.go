package reconcile

import (
	"errors"
	"io/fs"
	"path"

	"github.com/linksdev/links/plan"
)

// holds reports whether what is at a dest now is still what a change was
// planned against: same type and link text, and for a file or folder the
// same device, inode, size and mtime when the plan recorded them.
func holds(before, now plan.State) bool {
	return now.Type == before.Type && now.Link == before.Link &&
		(before.Identity == "" || now.Identity == before.Identity)
}

// CheckPlan re-observes the dest of every change a saved plan would make
// and returns one StaleError per dest that is no longer what the plan was
// made against (link text, or a file's or folder's device, inode, size and
// mtime). Apply of a saved plan is refused whole if any is returned.
func (r *Root) CheckPlan(p *plan.Plan) ([]*StaleError, error) {
	var stale []*StaleError
	for _, c := range p.Changes {
		if c.Action == plan.Noop || c.Action == plan.Conflict {
			continue
		}
		now := plan.State{Type: plan.TypeMissing}
		info := r.resolveDir(c.Dir())
		if info.problem != "" {
			stale = append(stale, &StaleError{Dest: c.Dest, Planned: showState(c.Before), Observed: info.problem})
			continue
		}
		if len(info.missing) == 0 {
			st, err := r.fs.Lstat(info.real, path.Base(c.Dest))
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				return nil, err
			default:
				now = plan.State{Type: st.Type, Link: st.Link, Identity: st.Identity}
			}
		}
		if !holds(c.Before, now) {
			obs := showState(now)
			if now.Type == c.Before.Type && now.Link == c.Before.Link {
				obs += " whose content, size or time changed"
			}
			stale = append(stale, &StaleError{Dest: c.Dest, Planned: showState(c.Before), Observed: obs})
		}
	}
	return stale, nil
}
