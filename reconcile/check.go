package reconcile

import (
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// holds reports whether what is at a dest now is still what a change was
// planned against: same type and link text, and for a file or folder the
// same device, inode, size and mtime when the plan recorded them.
func holds(before, now plan.State) bool {
	return now.Type == before.Type && now.Link == before.Link &&
		(before.Identity == "" || now.Identity == before.Identity)
}

// Replan plans m again, now, under the saved plan's id, and compares the
// two (plan.Compare). A saved plan is untrusted input (an artifact passed
// between CI jobs, which anyone may have edited): it is applied only when
// there is no difference, and then what is applied is the new plan, which
// is the same change for change. The caller holds the lock, so nothing
// links does can come between this plan and its apply.
func (r *Root) Replan(m *manifest.Manifest, saved *plan.Plan) (*plan.Plan, []plan.Difference, error) {
	now, err := r.Plan(m, saved.ID)
	if err != nil {
		return nil, nil, err
	}
	now.ManifestDigest, now.Vars = saved.ManifestDigest, saved.Vars
	return now, plan.Compare(saved, now), nil
}
