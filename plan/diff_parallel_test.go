package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/linksdev/links/manifest"
)

// TestDiffParallelMatchesSequential: a manifest large enough to be diffed
// on several goroutines gets the plan a one-goroutine diff makes, with
// every kind of change, conflicts that depend on one link (cycles, nested
// dests, missing targets) and on two (dests aliased through a symlinked
// folder, where the first in manifest order wins) spread over the ranges
// the workers split.
func TestDiffParallelMatchesSequential(t *testing.T) {
	const n = 40_000
	m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links", Links: make([]manifest.Link, n)}
	obs := &Observed{RootReal: "/r", Index: make([]Observation, n)}
	for i := range n {
		d := fmt.Sprintf("d%02d", i*100/n)
		l := manifest.Link{
			Name: fmt.Sprintf("l%06d", i), Dest: fmt.Sprintf("%s/f%06d", d, i), Target: fmt.Sprintf("t/f%06d", i),
			Strategy: manifest.Relative, Replace: manifest.ReplaceAny, Backup: i%2 == 0, Parents: i%3 != 0,
		}
		o := Observation{ParentReal: d, TargetExists: i%97 != 0}
		switch i % 7 {
		case 0:
			o.Dest = State{Type: TypeMissing}
		case 1:
			o.Dest = State{Type: TypeSymlink, Link: LinkText(&l, m.Root, m.Root, d)}
		case 2:
			o.Dest = State{Type: TypeSymlink, Link: "elsewhere"}
		case 3:
			o.Dest = State{Type: TypeFile, Identity: "1:2:3:4"}
		case 4:
			o.Dest = State{Type: TypeDir}
		case 5:
			o.Dest = State{Type: TypeMissing}
			o.Missing = []string{d}
		case 6:
			o.Dest = State{Type: TypeOther}
		}
		switch {
		case i%1000 == 10:
			// d is a symlink to the folder "real": links 10 and 1010 (2010
			// and 3010, ...) both resolve to real/aliasK, one entry.
			l.Dest = fmt.Sprintf("%s/alias%d", d, i/2000)
			o.ParentReal = "real"
			o.Dest = State{Type: TypeMissing}
		case i%1000 == 20:
			l.Target = m.Links[i-1].Dest // goes through another link
		case i%5000 == 30:
			l.Target = m.Links[i-1].Dest + "/inner"
		}
		m.Links[i], obs.Index[i] = l, o
	}
	parallel := Diff(m, obs, "id")
	defer func(v int) { parallelMin = v }(parallelMin)
	parallelMin = n + 1
	sequential := Diff(m, obs, "id")
	if diff := cmp.Diff(sequential, parallel); diff != "" {
		t.Fatalf("parallel diff differs (-sequential +parallel):\n%s", diff)
	}
	kinds := map[Action]int{}
	aliasConflicts := 0
	for _, c := range parallel.Changes {
		kinds[c.Action]++
		if c.Action == Conflict && strings.Contains(c.Reason, "the same entry as") {
			aliasConflicts++
		}
	}
	for _, a := range []Action{Noop, Create, Update, Replace, Conflict} {
		if kinds[a] == 0 {
			t.Errorf("no %s change: the test does not cover it (%v)", a, kinds)
		}
	}
	if aliasConflicts == 0 {
		t.Errorf("no aliased-dest conflict: the test does not cover the order-dependent part")
	}
}
