package journal

import (
	"testing"
	"time"

	"github.com/linksdev/links/plan"
)

// TestEncodedSize: EncodedSize is exactly what Encode makes of a record
// whose strings need no escaping when the time has all nine fractional
// digits (at most that otherwise), for every kind of record an apply
// writes, and a lower bound when a string is escaped.
func TestEncodedSize(t *testing.T) {
	actor := &Actor{User: "someone", UID: "1000", Host: "host.example", PID: 123456}
	recs := []Record{
		{Status: Begin, Actor: actor, Manifest: "links.yaml", ManifestKey: "/srv/links.yaml", RollbackOf: "20261206T210536Z-647072",
			Summary: &plan.Summary{Create: 100000, Update: 3, Replace: 0, Delete: 12, Noop: 7, Conflict: 0}},
		{Status: Intent, Actor: actor, Name: "t/d00/f000000", Dest: "r0/tl/d00/f000000", Action: "create",
			Before: &plan.State{Type: plan.TypeMissing}, After: &plan.State{Type: plan.TypeSymlink, Link: "../../../t/d00/f000000"}},
		{Status: Intent, Actor: actor, Name: "bashrc", Dest: ".bashrc", Action: "replace",
			Before: &plan.State{Type: plan.TypeFile, Identity: "2049:1234:56:1733500000000000000"}, After: &plan.State{Type: plan.TypeSymlink, Link: "dotfiles/bashrc"},
			Backup: ".links/backups/20261206T210536Z-647072/.bashrc", Temp: "..bashrc.links-tmp.0a1b2c3d", Staged: true},
		{Status: Done, Name: "l", Dest: "l", Action: "update"},
		{Status: Failed, Name: "l", Dest: "l", Action: "delete", Error: "delete l: permission denied"},
		{Status: End, Summary: &plan.Summary{}},
	}
	for _, at := range []struct {
		t     time.Time
		exact bool
	}{{time.Date(2026, 12, 7, 1, 2, 3, 123456789, time.UTC), true}, {time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC), false}} {
		j := &Writer{id: "20261207T010203Z-a1b2c3", now: func() time.Time { return at.t }}
		for _, rec := range recs {
			got, want := len(j.Encode(nil, rec)), j.EncodedSize(rec)
			if got > want || at.exact && got != want {
				t.Errorf("%s record at %v: Encode made %d bytes, EncodedSize says %d", rec.Status, at.t, got, want)
			}
		}
	}
	// An escaped string takes more than its length: the size is a lower
	// bound. (The time has all nine digits, as above: a clock with a
	// coarser tick, Windows', prints fewer, which would hide the escape.)
	j := &Writer{id: "x", now: func() time.Time { return time.Date(2026, 12, 7, 1, 2, 3, 123456789, time.UTC) }}
	rec := Record{Status: Intent, Dest: "a\"b\tc"}
	if got, est := len(j.Encode(nil, rec)), j.EncodedSize(rec); got <= est {
		t.Errorf("escaped dest: Encode %d bytes, EncodedSize %d; want the encoding longer", got, est)
	}
}
