package examples_test

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linksdev/links/internal/symlinktest"
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
)

// copyTree copies the example's files (not links) into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		switch {
		case fi.IsDir():
			return os.MkdirAll(out, 0o755)
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(out, b, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// applyWith loads the example manifest with --var overrides and applies it.
func applyWith(t *testing.T, dir string, vars map[string]string) *plan.Plan {
	t.Helper()
	m, err := manifest.Load(filepath.Join(dir, "links.yaml"), manifest.Options{Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	r, err := reconcile.Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lock, err := r.State.Lock(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	p, err := r.Plan(m, plan.NewID(time.Now(), rand.Reader))
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Conflict > 0 {
		t.Fatalf("conflicts: %+v", p.Changes)
	}
	if _, err := r.Apply(p, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBlueGreenRecipe runs the recipe of examples/blue-green and
// docs/workflow-releases.md: apply, switch with --var while readers open a
// file through current/ (zero failed opens), roll back, and check that a
// --var pointing outside releases/ is refused.
func TestBlueGreenRecipe(t *testing.T) {
	symlinktest.Need(t)
	dir := t.TempDir()
	copyTree(t, "blue-green", dir)
	applyWith(t, dir, nil)
	target, _ := os.Readlink(filepath.Join(dir, "current"))
	target = filepath.ToSlash(target) // \ on Windows
	if target != "releases/2026-02-07_1200" {
		t.Fatalf("current -> %s", target)
	}

	// Readers open current/VERSION in a tight loop during the switches.
	var stop atomic.Bool
	var reads, failures atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				f, err := os.Open(filepath.Join(dir, "current", "VERSION"))
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, f)
				f.Close()
				reads.Add(1)
			}
		}()
	}
	switches := 40
	if testing.Short() {
		switches = 10
	}
	releases := []string{"2026-02-10_1530", "2026-02-07_1200"}
	for i := 0; i < switches; i++ {
		applyWith(t, dir, map[string]string{"release": releases[i%2]})
	}
	stop.Store(true)
	wg.Wait()
	if failures.Load() != 0 || reads.Load() == 0 {
		t.Fatalf("%d reads, %d failed opens during %d switches", reads.Load(), failures.Load(), switches)
	}
	t.Logf("%d switches, %d reads through current/, 0 failed", switches, reads.Load())

	// Switch to the candidate, then roll the switch back.
	applyWith(t, dir, map[string]string{"release": "2026-02-10_1530"})
	m, _ := manifest.Load(filepath.Join(dir, "links.yaml"), manifest.Options{})
	r, err := reconcile.Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h, err := r.State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	last := h.LastChange()
	rb, err := r.RollbackPlan(last.ID, last.Mutations(), plan.NewID(time.Now(), rand.Reader), "links.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(rb, reconcile.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if target, _ := os.Readlink(filepath.Join(dir, "current")); filepath.ToSlash(target) != "releases/2026-02-07_1200" {
		t.Fatalf("after rollback current -> %s", target)
	}

	// allow keeps a bad --var from pointing live outside releases/.
	bad, err := manifest.Load(filepath.Join(dir, "links.yaml"), manifest.Options{Vars: map[string]string{"release": "../../etc"}})
	if err == nil {
		p, _ := r.Plan(bad, "x")
		for _, c := range p.Changes {
			if c.Dest == "current" && c.Action != plan.Conflict {
				t.Fatalf("--var release=../../etc: %s, want a conflict", c.Action)
			}
		}
	}
}
