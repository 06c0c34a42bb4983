package reconcile

import (
	"maps"
	"slices"

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
	for i := range p.Changes {
		if !made(i) {
			continue
		}
		c := &p.Changes[i]
		prev, had := owned.Links[c.Dest]
		if rec, ok := r.ownedAfter(p.ID, c, prev, had); ok {
			owned.Links[c.Dest] = rec
		} else {
			delete(owned.Links, c.Dest)
		}
	}
	for _, d := range p.Forget {
		delete(owned.Links, d)
	}
}

// ownedAfter is the one rule of ownership: the record of c's dest once c
// is made (prev: the record before, if had), or ok false when links no
// longer owns it (deleted, or a rollback put a file or folder back).
func (r *Root) ownedAfter(id string, c *plan.Change, prev journal.Owned, had bool) (journal.Owned, bool) {
	switch c.Action {
	case plan.Create, plan.Update, plan.Replace:
		if c.After.Type != plan.TypeSymlink {
			return journal.Owned{}, false // a rollback restored a file or folder
		}
		rec := journal.Owned{Manifest: r.Manifest, Name: c.Name, Link: c.After.Link, ApplyID: id}
		switch c.Action {
		case plan.Replace:
			if c.Backup != "" {
				rec.Backup, rec.BackupType, rec.BackupIdentity = c.Backup, c.Before.Type, c.Before.Identity
			}
		case plan.Update:
			rec = rec.Displaced(prev, had)
		}
		return rec, true
	case plan.Delete:
		return journal.Owned{}, false
	}
	return prev, had // a no-op or a conflict changes nothing
}

// encodeIfAllMade is the new ownership record, encoded, as it will be if
// every change of p is made: made while the changes are (they leave part
// of a core idle, waiting on the kernel); if any change is not made (it
// failed, or the journal failed first), the record is made again from
// what was done. owned is not changed.
func (r *Root) encodeIfAllMade(p *plan.Plan, owned *journal.Ownership) []byte {
	if b, ok := r.encodeAllMade(p, owned.Links); ok {
		return b
	}
	o := &journal.Ownership{Links: maps.Clone(owned.Links)}
	r.recordOwnership(p, func(int) bool { return true }, o)
	return journal.EncodeLinks(o.Links)
}

// encodeAllMade is journal.EncodeLinks of what recordOwnership makes of
// old when every change of p is made, without building that map (at
// 100,000 links, 16 MB and ~0.1 s of CPU taken from the changes): old's
// dests (sorted) and p's changes (in dest order) are merged. ok is false
// when p's changes are not strictly in dest order.
func (r *Root) encodeAllMade(p *plan.Plan, old map[string]journal.Owned) ([]byte, bool) {
	for i := 1; i < len(p.Changes); i++ {
		if p.Changes[i-1].Dest >= p.Changes[i].Dest {
			return nil, false
		}
	}
	forget := make(map[string]bool, len(p.Forget))
	for _, d := range p.Forget {
		forget[d] = true
	}
	olds := make([]string, 0, len(old))
	for d := range old {
		if !forget[d] {
			olds = append(olds, d)
		}
	}
	slices.Sort(olds)
	seq := func(yield func(string, journal.Owned) bool) {
		i, k := 0, 0 // next change, next old dest
		for i < len(p.Changes) || k < len(olds) {
			var c *plan.Change
			if i < len(p.Changes) {
				c = &p.Changes[i]
			}
			switch {
			case c == nil || k < len(olds) && olds[k] < c.Dest:
				if !yield(olds[k], old[olds[k]]) {
					return
				}
				k++
				continue
			case k < len(olds) && olds[k] == c.Dest:
				k++
			}
			i++
			if forget[c.Dest] {
				continue
			}
			prev, had := old[c.Dest]
			if rec, ok := r.ownedAfter(p.ID, c, prev, had); ok && !yield(c.Dest, rec) {
				return
			}
		}
	}
	return journal.EncodeSorted(8+160*(len(olds)+len(p.Changes)), seq), true
}
