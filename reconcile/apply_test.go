package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
	"github.com/linksdev/links/reconcile/rootfs"
)

const mixedManifest = `version: 1
links:
  new:      {dest: a/new, target: shared/one}
  retarget: {dest: current, target: releases/b}
  file:     {dest: app/config.yaml, target: shared/one, replace: file}
  folder:   {dest: assets, target: shared/assets, replace: any}
  deep:     {dest: x/y/z/link, target: releases/b}
`

var mixedTree = map[string]string{
	"shared/one":          "file:one",
	"shared/assets/logo":  "file:logo",
	"releases/a/v":        "file:a",
	"releases/b/v":        "file:b",
	"current":             "link:releases/a",
	"app/config.yaml":     "file:hand-edited config",
	"assets/old/nested/f": "file:old asset",
	"assets/top":          "file:top",
}

func TestApplyMixedIsIdempotentAndBacksUp(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, mixedTree)
	m := parse(t, root, mixedManifest)
	p, res, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 5 {
		t.Fatalf("done %d, want 5", res.Done)
	}
	got := snapshot(t, root, ".links")
	want := map[string]string{
		"a/new":           "link:../shared/one",
		"current":         "link:releases/b",
		"app/config.yaml": "link:../shared/one",
		"assets":          "link:shared/assets",
		"x/y/z/link":      "link:../../../releases/b",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// Backups hold the displaced entries byte for byte.
	backups := snapshot(t, filepath.Join(root, ".links", "backups", p.ID))
	for k, v := range map[string]string{
		"app/config.yaml":     "file:hand-edited config",
		"assets/old/nested/f": "file:old asset",
		"assets/top":          "file:top",
		"assets/old":          "dir",
		"app":                 "dir",
		"assets":              "dir",
		"assets/old/nested":   "dir",
	} {
		if backups[k] != v {
			t.Errorf("backup %s = %q, want %q", k, backups[k], v)
		}
	}
	assertAllNoop(t, mustPlan(t, m))
	// A second apply changes nothing and journals nothing new.
	before := snapshot(t, root)
	if _, res, err := planApply(t, m, ApplyOptions{}); err != nil || res.Done != 0 {
		t.Fatalf("second apply: done %d, err %v", res.Done, err)
	}
	if after := snapshot(t, root); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second apply changed the tree")
	}
}

// TestApplyWithoutExchange runs the documented fallback (no
// RENAME_EXCHANGE: NFS, FUSE, macOS) and checks the same outcome.
func TestApplyWithoutExchange(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, mixedTree)
	m := parse(t, root, mixedManifest)
	p, _, err := planApply(t, m, ApplyOptions{WrapFS: func(f FS) FS { return &noExchangeFS{FS: f} }})
	if err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, root, ".links")
	if got["assets"] != "link:shared/assets" || got["app/config.yaml"] != "link:../shared/one" {
		t.Errorf("fallback result: assets=%q config=%q", got["assets"], got["app/config.yaml"])
	}
	backups := snapshot(t, filepath.Join(root, ".links", "backups", p.ID))
	if backups["app/config.yaml"] != "file:hand-edited config" || backups["assets/old/nested/f"] != "file:old asset" {
		t.Errorf("fallback backups: %v", backups)
	}
	assertAllNoop(t, mustPlan(t, m))
}

type noExchangeFS struct{ FS }

func (f *noExchangeFS) Exchange(dir, a, b string) error {
	return fmt.Errorf("%w: %w", rootfs.ErrExchangeUnsupported, syscall.EINVAL)
}

// faultFS fails the failAt-th mutating operation with err.
type faultFS struct {
	FS
	n      int
	failAt int
	err    error
	ops    []string
}

func (f *faultFS) step(op string) error {
	f.n++
	f.ops = append(f.ops, op)
	if f.n == f.failAt {
		if op == "exchange" && errors.Is(f.err, syscall.EINVAL) {
			return fmt.Errorf("%w: %w", rootfs.ErrExchangeUnsupported, f.err)
		}
		return &os.PathError{Op: op, Path: "injected", Err: f.err}
	}
	return nil
}

func (f *faultFS) Symlink(text, dir, name string, kind manifest.Kind) error {
	if err := f.step("symlink"); err != nil {
		return err
	}
	return f.FS.Symlink(text, dir, name, kind)
}
func (f *faultFS) Rename(dir, a, b string) error {
	if err := f.step("rename"); err != nil {
		return err
	}
	return f.FS.Rename(dir, a, b)
}
func (f *faultFS) Exchange(dir, a, b string) error {
	if err := f.step("exchange"); err != nil {
		return err
	}
	return f.FS.Exchange(dir, a, b)
}
func (f *faultFS) Move(fd, fn, td, tn string) error {
	if err := f.step("move"); err != nil {
		return err
	}
	return f.FS.Move(fd, fn, td, tn)
}
func (f *faultFS) Link(fd, fn, td, tn string) error {
	if err := f.step("link"); err != nil {
		return err
	}
	return f.FS.Link(fd, fn, td, tn)
}
func (f *faultFS) MkdirAll(dir string) error {
	if err := f.step("mkdir"); err != nil {
		return err
	}
	return f.FS.MkdirAll(dir)
}
func (f *faultFS) Remove(dir, name string) error {
	if err := f.step("remove"); err != nil {
		return err
	}
	return f.FS.Remove(dir, name)
}
func (f *faultFS) RemoveAll(dir, name string) error {
	if err := f.step("removeall"); err != nil {
		return err
	}
	return f.FS.RemoveAll(dir, name)
}
func (f *faultFS) SyncDir(dir string) error {
	if err := f.step("fsync"); err != nil {
		return err
	}
	return f.FS.SyncDir(dir)
}
func (f *faultFS) SyncFS(dirs []string) ([]string, error) {
	if err := f.step("syncfs"); err != nil {
		return dirs, err
	}
	return f.FS.SyncFS(dirs)
}

// TestApplyFaultAtEveryOperation fails operation K of an apply, for every
// K and several errors, and checks that every dest is in its old or its
// new state, that no displaced content is lost, and that a second apply
// converges and leaves no temporary entries.
func TestApplyFaultAtEveryOperation(t *testing.T) {
	// Count the operations of a clean run.
	root := t.TempDir()
	mkTree(t, root, mixedTree)
	counter := &faultFS{}
	if _, _, err := planApply(t, parse(t, root, mixedManifest), ApplyOptions{WrapFS: func(f FS) FS { counter.FS = f; return counter }}); err != nil {
		t.Fatal(err)
	}
	total := counter.n
	if total < 10 {
		t.Fatalf("only %d operations counted", total)
	}
	newState := snapshot(t, root, ".links")

	errs := []error{syscall.ENOSPC, syscall.EACCES, syscall.EROFS, syscall.EIO, syscall.EXDEV, syscall.EINVAL}
	for k := 1; k <= total; k++ {
		for _, injected := range errs {
			t.Run(fmt.Sprintf("op%d-%s", k, counter.ops[k-1]+"-"+errName(injected)), func(t *testing.T) {
				root := t.TempDir()
				mkTree(t, root, mixedTree)
				oldState := snapshot(t, root)
				m := parse(t, root, mixedManifest)
				ff := &faultFS{failAt: k, err: injected}
				_, _, err := planApply(t, m, ApplyOptions{WrapFS: func(f FS) FS { ff.FS = f; return ff }})
				if err == nil && !errors.Is(injected, syscall.EINVAL) && counter.ops[k-1] != "fsync" && counter.ops[k-1] != "link" {
					// EINVAL on exchange falls back and succeeds; so does a
					// failed hard link into the backup (without exchange:
					// links_portable, macOS volumes without RENAME_SWAP),
					// which moves the entry there instead. Others must fail.
					t.Fatalf("apply succeeded despite %v at op %d (%s)", injected, k, counter.ops[k-1])
				}
				now := snapshot(t, root, ".links")
				checkOldOrNew(t, root, oldState, newState, now)
				// A second apply converges.
				if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
					t.Fatalf("second apply: %v", err)
				}
				final := snapshot(t, root, ".links")
				for k, v := range newState {
					if final[k] != v {
						t.Errorf("after second apply %s = %q, want %q", k, final[k], v)
					}
				}
				for k := range final {
					if strings.Contains(k, TempMarker) {
						t.Errorf("temporary entry left after second apply: %s", k)
					}
				}
				checkContentKept(t, root, oldState)
			})
		}
	}
}

func errName(err error) string {
	var e syscall.Errno
	if errors.As(err, &e) {
		return fmt.Sprintf("errno%d", int(e))
	}
	return "err"
}

// checkOldOrNew asserts each declared dest is exactly old or new.
func checkOldOrNew(t *testing.T, root string, oldState, newState, now map[string]string) {
	t.Helper()
	for _, dest := range []string{"a/new", "current", "app/config.yaml", "assets", "x/y/z/link"} {
		if now[dest] != oldState[dest] && now[dest] != newState[dest] {
			t.Errorf("%s = %q: neither old %q nor new %q", dest, now[dest], oldState[dest], newState[dest])
		}
	}
	// Displaced files are in place or in some backup.
	for _, rel := range []string{"app/config.yaml", "assets/old/nested/f", "assets/top"} {
		if now[rel] == oldState[rel] {
			continue
		}
		if !inBackupsOrRecovered(t, root, oldState[rel]) && !inTemp(now, oldState[rel]) {
			t.Errorf("%s (%q) is neither in place nor in a backup", rel, oldState[rel])
		}
	}
}

// checkContentKept asserts every file of the original tree still exists
// somewhere under root (in place, or in backups).
func checkContentKept(t *testing.T, root string, oldState map[string]string) {
	t.Helper()
	all := snapshot(t, root)
	have := map[string]bool{}
	for _, v := range all {
		have[v] = true
	}
	for k, v := range oldState {
		if strings.HasPrefix(v, "file:") && !have[v] {
			t.Errorf("content of %s (%q) was lost", k, v)
		}
	}
}

func inBackupsOrRecovered(t *testing.T, root, content string) bool {
	for _, v := range snapshot(t, filepath.Join(root, ".links")) {
		if v == content {
			return true
		}
	}
	return false
}

func inTemp(now map[string]string, content string) bool {
	for k, v := range now {
		if strings.Contains(k, TempMarker) && v == content {
			return true
		}
	}
	return false
}

func TestApplyRefusesConflictsWhole(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"t": "file:t", "blocked": "file:mine"})
	m := parse(t, root, "version: 1\nlinks:\n  ok: {dest: ok, target: t}\n  no: {dest: blocked, target: t}\n")
	before := snapshot(t, root)
	_, _, err := planApply(t, m, ApplyOptions{})
	var ce *plan.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a ConflictError", err)
	}
	after := snapshot(t, root, ".links")
	delete(before, ".links")
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a plan with a conflict changed the tree:\nbefore %v\nafter  %v", before, after)
	}
}

func TestApplyStaleDest(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"t": "file:t", "cur": "link:a"})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: t}\n  new: {dest: new, target: t}\n")
	r := open(t, m)
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	// Someone retargets cur and creates new between plan and apply.
	os.Remove(filepath.Join(root, "cur"))
	os.Symlink("b", filepath.Join(root, "cur"))
	os.WriteFile(filepath.Join(root, "new"), []byte("theirs"), 0o644)
	res, err := r.Apply(p, ApplyOptions{})
	if res == nil {
		t.Fatalf("apply: %v", err)
	}
	if err == nil || len(res.Errors) != 2 {
		t.Fatalf("err %v, errors %v: want both changes stale", err, res.Errors)
	}
	for _, e := range res.Errors {
		var se *StaleError
		if !errors.As(e, &se) {
			t.Errorf("%v is not a StaleError", e)
		}
	}
	if got := snapshot(t, root, ".links"); got["cur"] != "link:b" || got["new"] != "file:theirs" {
		t.Errorf("stale entries were overwritten: %v", got)
	}
}

// TestEscapeThroughParentSymlink: a parent folder that is a symlink leading
// out of root is a conflict, and nothing is written outside.
func TestEscapeThroughParentSymlink(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	mkTree(t, base, map[string]string{"root/t": "file:t", "outside/keep": "file:k"})
	mkTree(t, root, map[string]string{"out": "link:" + outside, "rel": "link:../outside"})
	m := parse(t, root, "version: 1\nlinks:\n  a: {dest: out/x, target: t}\n  b: {dest: rel/y, target: t}\n  c: {dest: rel/deep/z, target: t}\n")
	p := mustPlan(t, m)
	for _, c := range p.Changes {
		if c.Action != plan.Conflict || !strings.Contains(c.Reason, "outside root") {
			t.Errorf("%s: %s %q, want an outside-root conflict", c.Dest, c.Action, c.Reason)
		}
	}
	planApply(t, m, ApplyOptions{})
	if got := snapshot(t, outside); len(got) != 1 {
		t.Errorf("outside root changed: %v", got)
	}
}

// TestEscapeRace swaps a parent folder between a real folder and a symlink
// leading out of root while apply runs; nothing may land outside.
func TestEscapeRace(t *testing.T) {
	needSymlinks(t)
	trials := 30
	if testing.Short() {
		trials = 5
	}
	for i := 0; i < trials; i++ {
		base := t.TempDir()
		root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
		mkTree(t, base, map[string]string{"root/t": "file:t", "root/p/.keep": "file:", "outside/.keep": "file:"})
		var links strings.Builder
		links.WriteString("version: 1\nlinks:\n")
		for j := 0; j < 200; j++ {
			fmt.Fprintf(&links, "  l%d: {dest: p/l%d, target: t, allow_dangling: true}\n", j, j)
		}
		m := parse(t, root, links.String())
		var stop atomic.Bool
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the attacker
			defer wg.Done()
			p, aside := filepath.Join(root, "p"), filepath.Join(root, "p.real")
			for !stop.Load() {
				if os.Rename(p, aside) == nil {
					os.Symlink(outside, p)
					os.Remove(p)
					os.Rename(aside, p)
				}
			}
		}()
		r := open(t, m)
		if p, err := r.Plan(m, newID()); err == nil {
			r.Apply(p, ApplyOptions{})
		}
		stop.Store(true)
		wg.Wait()
		if got := snapshot(t, outside); len(got) != 1 {
			t.Fatalf("trial %d: %d entries outside root: %v", i, len(got)-1, got)
		}
	}
}

func TestLockSerializes(t *testing.T) {
	root := t.TempDir()
	m := parse(t, root, "version: 1\nlinks: {}\n")
	a, b := open(t, m), open(t, m)
	la, err := a.State.Lock(0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.State.Lock(0)
	var le *journal.LockError
	if !errors.As(err, &le) || !strings.Contains(le.Error(), "pid") {
		t.Fatalf("second lock: %v, want a journal.LockError naming the holder", err)
	}
	done := make(chan error)
	go func() {
		lb, err := b.State.Lock(5e9)
		if err == nil {
			lb.Unlock()
		}
		done <- err
	}()
	la.Unlock()
	if err := <-done; err != nil {
		t.Fatalf("waiting lock: %v", err)
	}
}
