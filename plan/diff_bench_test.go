package plan_test

import (
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// The hot paths of plan at 100,000 links (the size of issue 7's targets):
// Diff and the renderers. cmd/linksbench times the whole command; these
// isolate the pure part. Run with
//
//	go test -run '^$' -bench . -benchmem ./plan

const benchLinks = 100_000

// benchManifest declares n links spread over 100 folders, relative
// strategy, each to its own target, sorted by dest as manifest.Load
// returns them.
func benchManifest(n int) *manifest.Manifest {
	m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links", Links: make([]manifest.Link, n)}
	for i := range n {
		d := i * 100 / n
		m.Links[i] = manifest.Link{
			Name:     fmt.Sprintf("l%07d", i),
			Dest:     fmt.Sprintf("l/d%02d/f%07d", d, i),
			Target:   fmt.Sprintf("t/d%02d/f%07d", d, i),
			Strategy: manifest.Relative, Replace: manifest.ReplaceSymlink, Backup: true, Parents: true,
		}
	}
	return m
}

// benchObserved is what observe reports for m's links: each already the
// declared symlink (applied), missing (to create) or a symlink pointing
// elsewhere (to update).
func benchObserved(m *manifest.Manifest, state string) *plan.Observed {
	// Indexed by link, as reconcile fills it (not the map tests use).
	obs := &plan.Observed{RootReal: m.Root, Index: make([]plan.Observation, len(m.Links))}
	for i := range m.Links {
		l := &m.Links[i]
		dir := path.Dir(l.Dest)
		o := plan.Observation{ParentReal: dir, TargetExists: true}
		switch state {
		case "noop":
			o.Dest = plan.State{Type: plan.TypeSymlink, Link: plan.LinkText(l, m.Root, m.Root, dir)}
		case "create":
			o.Dest = plan.State{Type: plan.TypeMissing}
		case "update":
			o.Dest = plan.State{Type: plan.TypeSymlink, Link: "../../old/" + path.Base(l.Target)}
		}
		obs.Index[i] = o
	}
	return obs
}

func BenchmarkDiff100k(b *testing.B) {
	m := benchManifest(benchLinks)
	for _, state := range []string{"noop", "create", "update"} {
		b.Run(state, func(b *testing.B) {
			obs := benchObserved(m, state)
			b.ReportAllocs()
			for b.Loop() {
				p := plan.Diff(m, obs, "20261123T091500Z-4f2a9c")
				if len(p.Changes) != benchLinks {
					b.Fatalf("%d changes", len(p.Changes))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchLinks, "ns/link")
		})
	}
}

// benchPlans are the plans the renderers are timed on: all no-op (what
// links plan prints on an applied tree) and all create (every line shown).
func benchPlans(b *testing.B) map[string]*plan.Plan {
	b.Helper()
	m := benchManifest(benchLinks)
	out := map[string]*plan.Plan{}
	for _, state := range []string{"noop", "create"} {
		out[state] = plan.Diff(m, benchObserved(m, state), "20261123T091500Z-4f2a9c")
	}
	return out
}

// countingWriter counts bytes and discards them.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func benchRender(b *testing.B, render func(io.Writer, *plan.Plan) error) {
	for state, p := range benchPlans(b) {
		b.Run(state, func(b *testing.B) {
			var w countingWriter
			if err := render(&w, p); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(w.n)
			b.ReportAllocs()
			for b.Loop() {
				if err := render(io.Discard, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteText100k(b *testing.B) {
	benchRender(b, func(w io.Writer, p *plan.Plan) error { return plan.WriteText(w, p, plan.TextOptions{}) })
}

func BenchmarkWriteJSON100k(b *testing.B) {
	benchRender(b, func(w io.Writer, p *plan.Plan) error { return plan.WriteJSON(w, p, plan.JSONOptions{}) })
}

func BenchmarkWriteMarkdown100k(b *testing.B) {
	benchRender(b, plan.WriteMarkdown)
}

// TestBenchFixtures keeps the fixtures honest: the "noop" observation
// really plans all no-op, "create" all create, "update" all update.
func TestBenchFixtures(t *testing.T) {
	m := benchManifest(1000)
	for state, want := range map[string]plan.Action{"noop": plan.Noop, "create": plan.Create, "update": plan.Update} {
		p := plan.Diff(m, benchObserved(m, state), "ID")
		for _, c := range p.Changes {
			if c.Action != want {
				t.Fatalf("%s: %s is %s (%s), want %s", state, c.Dest, c.Action, c.Reason, want)
			}
		}
		if !strings.HasPrefix(p.Changes[0].After.Link, filepath.FromSlash("../../t/")) {
			t.Fatalf("%s: link text %q", state, p.Changes[0].After.Link)
		}
	}
}
