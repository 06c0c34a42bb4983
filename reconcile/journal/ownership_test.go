package journal

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/linksdev/links/plan"
)

// FuzzEncodeAllMade: the merged encoding of the ownership record an apply
// makes while its changes are made (encodeAllMade) is, byte for byte, the
// record Record builds as a map and EncodeLinks encodes, for
// plans mixing every action (updates of links that displaced a file,
// rollback restores, no-ops, conflicts, forgotten links) over old records
// of this manifest and of another.
func FuzzEncodeAllMade(f *testing.F) {
	for seed := range uint64(400) {
		f.Add(seed, uint8(seed%23)+1)
	}
	f.Fuzz(func(t *testing.T, seed uint64, size uint8) {
		rng := rand.New(rand.NewPCG(seed, 7))
		const manifest = "links.yaml"
		n := int(size%40) + 1
		old := map[string]Owned{}
		p := &plan.Plan{ID: "20261206T180000Z-000001"}
		actions := []plan.Action{plan.Create, plan.Update, plan.Replace, plan.Delete, plan.Noop, plan.Conflict}
		for i := range n {
			d := fmt.Sprintf("d/%02d", rng.IntN(n*2))
			if rng.IntN(9) == 0 {
				d += "\t\"" // escaped in the state file: not merged as lines
			}
			if rng.IntN(3) > 0 {
				o := Owned{Manifest: manifest, Name: "x" + d, Link: "old/" + d, ApplyID: "old"}
				if rng.IntN(6) == 0 {
					o.Name += "\n\\ \u2028 é" // escaped, copied as it is
				}
				if rng.IntN(3) == 0 {
					o.Backup, o.BackupType, o.BackupIdentity = ".links/backups/old/"+d, plan.TypeFile, "1:2:3:4"
				}
				if rng.IntN(5) == 0 {
					o.Manifest = "other.yaml"
				}
				old[d] = o
			}
			if rng.IntN(4) == 0 {
				p.Forget = append(p.Forget, d)
				continue
			}
			c := plan.Change{Name: fmt.Sprint("l", i), Dest: d, Action: actions[rng.IntN(len(actions))],
				Before: plan.State{Type: plan.TypeFile, Identity: "5:6:7:8"}, After: plan.State{Type: plan.TypeSymlink, Link: "new/" + d}}
			if c.Action == plan.Replace && rng.IntN(2) == 0 {
				c.Backup = ".links/backups/new/" + d
			}
			if rng.IntN(6) == 0 {
				c.After = plan.State{Type: plan.TypeDir} // a rollback's restore
			}
			p.Changes = append(p.Changes, c)
		}
		slices.SortFunc(p.Changes, func(a, b plan.Change) int { return strings.Compare(a.Dest, b.Dest) })
		p.Changes = slices.CompactFunc(p.Changes, func(a, b plan.Change) bool { return a.Dest == b.Dest })

		got, ok := encodeAllMade(p, manifest, old)
		if !ok {
			t.Fatal("changes in dest order, yet not merged")
		}
		want := &Ownership{Links: map[string]Owned{}}
		for d, o := range old {
			want.Links[d] = o
		}
		want.Record(p, manifest, func(int) bool { return true })
		if string(got) != string(EncodeLinks(want.Links)) {
			t.Fatalf("merged:\n%s\nmap:\n%s", got, EncodeLinks(want.Links))
		}
		// The same merge from the state file's lines, undecoded: the
		// same bytes, or refused when a dest is escaped; and through a
		// lazily read record, the same bytes either way.
		raw := append(stateHead(stateFormat, 42), EncodeLinks(old)...)
		escaped := false
		for d := range old {
			escaped = escaped || !plainJSON(d)
		}
		if got, ok := encodeAllMadeRaw(p, manifest, raw); ok == escaped {
			t.Fatalf("lines merged: %v, with escaped dests: %v", ok, escaped)
		} else if ok && string(got) != string(EncodeLinks(want.Links)) {
			t.Fatalf("lines merged:\n%s\nmap:\n%s", got, EncodeLinks(want.Links))
		}
		lazy := &Ownership{raw: raw, JournalOffset: 42}
		if got := lazy.EncodeIfAllMade(p, manifest); string(got) != string(EncodeLinks(want.Links)) {
			t.Fatalf("lazy record:\n%s\nmap:\n%s", got, EncodeLinks(want.Links))
		}
		if len(old) > 0 && len(p.Changes) > 1 {
			// Out of order: not merged (the map is made instead).
			p.Changes[0], p.Changes[1] = p.Changes[1], p.Changes[0]
			if _, ok := encodeAllMade(p, manifest, old); ok {
				t.Fatal("changes out of dest order merged")
			}
			if _, ok := encodeAllMadeRaw(p, manifest, raw); ok {
				t.Fatal("changes out of dest order merged with the lines")
			}
		}
	})
}
