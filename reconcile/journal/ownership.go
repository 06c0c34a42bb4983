package journal

import (
	"bytes"
	"maps"
	"slices"

	"github.com/linksdev/links/plan"
)

// The ownership record's one rule, and the two ways an apply applies it:
// to the map (Record), or merged into the encoded state file while the
// changes are made (EncodeIfAllMade).

// Record updates o with what an apply of p, by the manifest whose key is
// manifest, did: the changes made reports made (a change that failed, or
// was never started because the journal failed, changes nothing), and
// the links p forgets.
func (o *Ownership) Record(p *plan.Plan, manifest string, made func(i int) bool) {
	o.materialize()
	for i := range p.Changes {
		if !made(i) {
			continue
		}
		c := &p.Changes[i]
		prev, had := o.Links[c.Dest]
		if rec, ok := ownedAfter(manifest, p.ID, c, prev, had); ok {
			o.Links[c.Dest] = rec
		} else {
			delete(o.Links, c.Dest)
		}
	}
	for _, d := range p.Forget {
		delete(o.Links, d)
	}
}

// ownedAfter is the one rule of ownership: the record of c's dest once c
// is made (prev: the record before, if had), or ok false when links no
// longer owns it (deleted, or a rollback put a file or folder back).
func ownedAfter(manifest, id string, c *plan.Change, prev Owned, had bool) (Owned, bool) {
	switch c.Action {
	case plan.Create, plan.Update, plan.Replace:
		if c.After.Type != plan.TypeSymlink {
			return Owned{}, false // a rollback restored a file or folder
		}
		rec := Owned{Manifest: manifest, Name: c.Name, Link: c.After.Link, ApplyID: id}
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
		return Owned{}, false
	}
	return prev, had // a no-op or a conflict changes nothing
}

// EncodeIfAllMade is the state file's links as o will hold them once
// every change of p (applied by manifest) is made, encoded; o is not
// changed. An apply makes it while its changes are made (they leave part
// of a core idle, waiting on the kernel); if any change is not made (it
// failed, or the journal failed first), it records and encodes again
// from what was done.
func (o *Ownership) EncodeIfAllMade(p *plan.Plan, manifest string) []byte {
	if o.raw != nil {
		if b, ok := encodeAllMadeRaw(p, manifest, o.raw); ok {
			return b
		}
		o.materialize()
	}
	if b, ok := encodeAllMade(p, manifest, o.Links); ok {
		return b
	}
	all := &Ownership{Links: maps.Clone(o.Links)}
	all.Record(p, manifest, func(int) bool { return true })
	return EncodeLinks(all.Links)
}

// encodeAllMade is EncodeLinks of what Record makes of
// old when every change of p is made, without building that map (at
// 100,000 links, 16 MB and ~0.1 s of CPU taken from the changes): old's
// dests (sorted) and p's changes (in dest order) are merged. ok is false
// when p's changes are not strictly in dest order.
func encodeAllMade(p *plan.Plan, manifest string, old map[string]Owned) ([]byte, bool) {
	forget, ok := mergeable(p)
	if !ok {
		return nil, false
	}
	olds := make([]string, 0, len(old))
	for d := range old {
		if !forget[d] {
			olds = append(olds, d)
		}
	}
	slices.Sort(olds)
	seq := func(yield func(string, Owned) bool) {
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
			if rec, ok := ownedAfter(manifest, p.ID, c, prev, had); ok && !yield(c.Dest, rec) {
				return
			}
		}
	}
	// The buffer is sized by a first pass: a guess per record was twice
	// the size for an apply that updates every link (old and new
	// records both counted), and the excess was zeroed, then not used.
	size := 8
	for d, o := range seq {
		size += recordSize(d, o)
	}
	return EncodeSorted(size, seq), true
}

// mergeable reports whether p's changes are strictly in dest order (so
// that both merges can walk them beside the old records), and returns
// the set of dests p forgets.
func mergeable(p *plan.Plan) (forget map[string]bool, ok bool) {
	for i := 1; i < len(p.Changes); i++ {
		if p.Changes[i-1].Dest >= p.Changes[i].Dest {
			return nil, false
		}
	}
	forget = make(map[string]bool, len(p.Forget))
	for _, d := range p.Forget {
		forget[d] = true
	}
	return forget, true
}

// encodeAllMadeRaw is encodeAllMade of the links of the state file raw
// (read whole by decodeStateFast) without decoding them: its lines and
// p's changes are merged in dest order, a line no change touches is
// copied as it is, and a line is decoded only when the rule needs what
// it holds (an update of a link that displaced an entry). ok is false
// when p's changes or raw's dests are not strictly in order, or a dest
// is escaped: the caller decodes the map instead.
func encodeAllMadeRaw(p *plan.Plan, manifest string, raw []byte) ([]byte, bool) {
	forget, ok := mergeable(p)
	if !ok {
		return nil, false
	}
	cs := p.Changes
	// The buffer is sized to what the merge most likely makes (a buffer
	// allocated is zeroed whole, used or not): the old lines, a line for
	// each change that adds a dest, and what an update's new link adds
	// to its line (its other fields stay as long). A guess short of it
	// only costs append's growth.
	size := len(raw) + len(raw)/64 + 64
	for i := range cs {
		c := &cs[i]
		switch c.Action {
		case plan.Update:
			size += max(0, len(c.After.Link)-len(c.Before.Link))
		case plan.Create, plan.Replace:
			size += recordSize(c.Dest, Owned{Manifest: manifest, Name: c.Name, Link: c.After.Link, ApplyID: p.ID, Backup: c.Backup, BackupType: c.Before.Type, BackupIdentity: c.Before.Identity})
		}
	}
	out := make([]byte, 0, size)
	first := true
	// made appends the record of c's dest once c is made (prev: its old
	// line's record, when the rule needs it).
	made := func(c *plan.Change, prev Owned, had bool) {
		if forget[c.Dest] {
			return
		}
		if rec, ok := ownedAfter(manifest, p.ID, c, prev, had); ok {
			out = appendOwned(out, first, c.Dest, rec)
			first = false
		}
	}
	d := &stateDecoder{b: raw}
	d.header()
	i := 0 // the next change
	var last []byte
	for n := 0; d.next(n); n++ {
		start := d.i
		dest, escaped := d.raw()
		if d.bad || escaped || n > 0 && bytes.Compare(last, dest) >= 0 {
			return nil, false
		}
		last = dest
		backup := d.skipValue()
		if d.bad {
			break
		}
		for i < len(cs) && cs[i].Dest < string(dest) {
			made(&cs[i], Owned{}, false)
			i++
		}
		if i < len(cs) && cs[i].Dest == string(dest) {
			c := &cs[i]
			i++
			switch {
			case c.Action == plan.Create || c.Action == plan.Replace || c.Action == plan.Delete,
				c.Action == plan.Update && !backup:
				// The old record does not matter to the rule (an update
				// keeps only an old record's displaced entry).
				made(c, Owned{}, false)
				continue
			case c.Action == plan.Update:
				e := &stateDecoder{b: raw, i: start}
				_, prev := e.entry()
				if e.bad {
					return nil, false
				}
				made(c, prev, true)
				continue
			}
			// Any other action leaves the record as it was.
		}
		if !forget[string(dest)] {
			if !first {
				out = append(out, ',')
			}
			out = append(out, '\n')
			out = append(out, raw[start:d.i]...)
			first = false
		}
	}
	if !d.end() {
		return nil, false
	}
	for ; i < len(cs); i++ {
		made(&cs[i], Owned{}, false)
	}
	return append(out, "\n}}\n"...), true
}
