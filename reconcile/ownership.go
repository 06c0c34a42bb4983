package reconcile

import (
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// updateState records in state.json the links this apply made (they are
// links' to delete later) and drops the ones it deleted or was told to
// forget.
func (r *Root) updateState(p *plan.Plan, owned *journal.Ownership) error {
	r.recordOwnership(p, func(int) bool { return false }, owned) // only forgets
	return r.State.WriteState(owned)
}

// recordOwnership updates owned with what the apply did: the changes
// made reports made (a change that failed, or was never started because
// the journal failed, changes nothing).
func (r *Root) recordOwnership(p *plan.Plan, made func(i int) bool, owned *journal.Ownership) {
	for i, c := range p.Changes {
		if !made(i) {
			continue
		}
		switch c.Action {
		case plan.Create, plan.Update, plan.Replace:
			if c.After.Type == plan.TypeSymlink {
				rec := journal.Owned{Manifest: r.Manifest, Name: c.Name, Link: c.After.Link, ApplyID: p.ID}
				switch c.Action {
				case plan.Replace:
					if c.Backup != "" {
						rec.Backup, rec.BackupType, rec.BackupIdentity = c.Backup, c.Before.Type, c.Before.Identity
					}
				case plan.Update:
					prev, ok := owned.Links[c.Dest]
					rec = rec.Displaced(prev, ok)
				}
				owned.Links[c.Dest] = rec
			} else {
				delete(owned.Links, c.Dest) // a rollback restored a file or folder
			}
		case plan.Delete:
			delete(owned.Links, c.Dest)
		}
	}
	for _, d := range p.Forget {
		delete(owned.Links, d)
	}
}
