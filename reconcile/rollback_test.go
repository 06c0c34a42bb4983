package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// rollback plans and applies the rollback of apply id (the last one with
// mutations when id is empty).
func rollback(t *testing.T, m *manifest.Manifest, id string) (*plan.Plan, error) {
	t.Helper()
	r := open(t, m)
	h, err := r.State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	var a *journal.ApplyLog
	if id == "" {
		for i := len(h.Applies) - 1; i >= 0 && a == nil; i-- {
			if len(h.Applies[i].Mutations()) > 0 {
				a = h.Applies[i]
			}
		}
	} else if a, err = h.Find(id); err != nil {
		t.Fatal(err)
	}
	if a == nil {
		t.Fatal("no apply to roll back")
	}
	p, err := r.RollbackPlan(a.ID, a.Mutations(), newID(), "links.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Apply(p, ApplyOptions{})
	return p, err
}

func TestRollbackRestoresEverything(t *testing.T) {
	root := t.TempDir()
	tree := map[string]string{
		"shared/one": "file:one", "shared/assets/logo": "file:logo",
		"releases/a/v": "file:a", "releases/b/v": "file:b",
		"current": "link:releases/a", "app/config.yaml": "file:hand-edited config",
		"assets/old/nested/f": "file:old asset", "assets/top": "file:top",
	}
	mkTree(t, root, tree)
	original := snapshot(t, root)
	m := parse(t, root, mixedManifest)
	if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	applied := snapshot(t, root, ".links")

	if _, err := rollback(t, m, ""); err != nil {
		t.Fatal(err)
	}
	now := snapshot(t, root, ".links")
	for k, v := range original {
		if now[k] != v {
			t.Errorf("after rollback %s = %q, want %q", k, now[k], v)
		}
	}
	for _, created := range []string{"a/new", "x/y/z/link"} {
		if _, ok := now[created]; ok {
			t.Errorf("created link %s survived the rollback", created)
		}
	}

	// Rolling back the rollback redoes the apply.
	if _, err := rollback(t, m, ""); err != nil {
		t.Fatal(err)
	}
	again := snapshot(t, root, ".links")
	for _, d := range []string{"a/new", "current", "app/config.yaml", "assets", "x/y/z/link"} {
		if again[d] != applied[d] {
			t.Errorf("after rollback of rollback %s = %q, want %q", d, again[d], applied[d])
		}
	}
	assertAllNoop(t, mustPlan(t, m))
	checkContentKept(t, root, original)
}

func TestRollbackRefusesChangedDest(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"a/f": "file:a", "b/f": "file:b", "c/f": "file:c", "cur": "link:a"})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: b}\n  other: {dest: other, target: a}\n")
	if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	mkTree(t, root, map[string]string{"cur2": "link:c"})
	replaceLink(t, root, "cur", "c") // someone retargets cur by hand
	before := snapshot(t, root, ".links")
	p, err := rollback(t, m, "")
	if err == nil {
		t.Fatal("rollback applied over a dest changed since the apply")
	}
	var conflict *plan.Change
	for i, c := range p.Changes {
		if c.Dest == "cur" {
			conflict = &p.Changes[i]
		}
	}
	if conflict == nil || conflict.Action != plan.Conflict || !strings.Contains(conflict.Reason, "changed since apply") {
		t.Fatalf("cur: %+v, want a conflict", conflict)
	}
	if after := snapshot(t, root, ".links"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused rollback changed the tree")
	}
}

// killFS stops the apply goroutine dead at mutating operation K, like a
// SIGKILL: deferred closes run, but buffered journal records are lost.
type killFS struct{ faultFS }

func (k *killFS) step(op string) {
	k.n++
	if k.n == k.failAt {
		runtime.Goexit()
	}
}
func (k *killFS) Symlink(text, dir, name string, kind manifest.Kind) error {
	k.step("symlink")
	return k.FS.Symlink(text, dir, name, kind)
}
func (k *killFS) Rename(dir, a, b string) error { k.step("rename"); return k.FS.Rename(dir, a, b) }
func (k *killFS) Exchange(dir, a, b string) error {
	k.step("exchange")
	return k.FS.Exchange(dir, a, b)
}
func (k *killFS) Move(fd, fn, td, tn string) error { k.step("move"); return k.FS.Move(fd, fn, td, tn) }
func (k *killFS) MkdirAll(dir string) error        { k.step("mkdir"); return k.FS.MkdirAll(dir) }
func (k *killFS) Remove(dir, name string) error    { k.step("remove"); return k.FS.Remove(dir, name) }
func (k *killFS) Link(fd, fn, td, tn string) error { k.step("link"); return k.FS.Link(fd, fn, td, tn) }
func (k *killFS) RemoveAll(dir, name string) error {
	k.step("removeall")
	return k.FS.RemoveAll(dir, name)
}
func (k *killFS) SyncDir(dir string) error { k.step("fsync"); return k.FS.SyncDir(dir) }
func (k *killFS) SyncFS(dirs []string) ([]string, error) {
	k.step("syncfs")
	return k.FS.SyncFS(dirs)
}

// TestKilledApplyThenLogApplyRollback kills an apply at every operation,
// then checks the journal shows it interrupted, that rolling it back
// restores the original tree, and that a later apply converges.
func TestKilledApplyThenLogApplyRollback(t *testing.T) {
	// Count the operations of a clean run (the folders' flush is one
	// syncfs or a fsync each, as the filesystem under the test decides).
	counted := t.TempDir()
	mkTree(t, counted, mixedTree)
	counter := &faultFS{}
	if _, _, err := planApply(t, parse(t, counted, mixedManifest), ApplyOptions{WrapFS: func(f FS) FS { counter.FS = f; return counter }}); err != nil {
		t.Fatal(err)
	}
	if counter.n < 10 {
		t.Fatalf("only %d operations counted", counter.n)
	}
	for k := 1; k <= counter.n; k++ {
		t.Run(fmt.Sprint("kill-at-", k), func(t *testing.T) {
			root := t.TempDir()
			mkTree(t, root, mixedTree)
			original := snapshot(t, root)
			m := parse(t, root, mixedManifest)
			r := open(t, m)
			p, err := r.Plan(m, newID())
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				kf := &killFS{faultFS{failAt: k}}
				r.Apply(p, ApplyOptions{WrapFS: func(f FS) FS { kf.FS = f; return kf }})
			}()
			<-done
			r.Close()

			h, err := open(t, m).State.ReadJournal()
			if err != nil {
				t.Fatal(err)
			}
			if a := h.LastChange(); a == nil || a.Status != journal.ApplyInterrupted {
				t.Fatalf("journal: last apply %+v, want interrupted", a)
			}
			if _, err := rollback(t, m, p.ID); err != nil {
				t.Fatalf("rollback of the killed apply: %v", err)
			}
			now := snapshot(t, root, ".links")
			for key, v := range original {
				if now[key] != v {
					t.Errorf("after rollback %s = %q, want %q", key, now[key], v)
				}
			}
			checkContentKept(t, root, original)
			if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
				t.Fatalf("apply after rollback: %v", err)
			}
			assertAllNoop(t, mustPlan(t, m))
			for key := range snapshot(t, root, ".links") {
				if strings.Contains(key, TempMarker) {
					t.Errorf("temporary entry left: %s", key)
				}
			}
		})
	}
}

// TestStateRebuiltFromJournal: with state.json gone, ownership comes back
// from the journal, so a link no longer declared is still deleted.
func TestStateRebuiltFromJournal(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"t": "file:t"})
	m := parse(t, root, "version: 1\nlinks:\n  a: {dest: a, target: t}\n  b: {dest: b, target: t}\n")
	if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, ".links", journal.StateFile)); err != nil {
		t.Fatal(err)
	}
	m2 := parse(t, root, "version: 1\nlinks:\n  a: {dest: a, target: t}\n")
	p := mustPlan(t, m2)
	var del bool
	for _, c := range p.Changes {
		if c.Dest == "b" && c.Action == plan.Delete {
			del = true
		}
	}
	if !del {
		t.Fatalf("b not planned for delete after the state file was removed: %+v", p.Changes)
	}
	// Another manifest on the same root never deletes this one's links,
	// from the state file or from the rebuilt record.
	other, err := manifest.Parse(filepath.Join(root, "other.yaml"), []byte("version: 1\nlinks:\n  o: {dest: o, target: t}\n"), manifest.Options{Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range mustPlan(t, other).Changes {
		if c.Action == plan.Delete {
			t.Errorf("other.yaml plans to delete %s, a link links.yaml made", c.Dest)
		}
	}
	// A corrupt state file is an error, not an empty record.
	os.WriteFile(filepath.Join(root, ".links", journal.StateFile), []byte("{not json"), 0o644)
	if _, err := open(t, m2).Plan(m2, newID()); err == nil || !strings.Contains(err.Error(), "move it aside") {
		t.Fatalf("corrupt state: err = %v", err)
	}
}
