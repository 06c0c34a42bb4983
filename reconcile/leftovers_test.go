package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// TestLookAlikeTempNamesUntouched: entries whose names merely look like
// links' temporary names (no journal intent gave them) are the user's:
// applies, with or without changes, never touch them.
func TestLookAlikeTempNamesUntouched(t *testing.T) {
	root := t.TempDir()
	planted := map[string]string{
		"app/report.links-tmp.2024":         "file:notes",
		"app/hosts.links-tmp.bak":           "link:/etc/hosts",
		"app/.cur.links-tmp.0badf00d":       "link:t",
		"app/.conf.links-tmp.feedbeef":      "file:user data",
		"app/.dir.links-tmp.12345678/f":     "file:folder data",
		"app/.cur.links-tmp.0badf00d-aside": "file:aside look-alike",
	}
	tree := map[string]string{"t": "file:t", "u": "file:u", "app/old": "link:../u"}
	for k, v := range planted {
		tree[k] = v
	}
	mkTree(t, root, tree)
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: app/cur, target: t}\n  old: {dest: app/old, target: t}\n")
	if _, res, err := planApply(t, m, ApplyOptions{}); err != nil || len(res.Recovered) != 0 {
		t.Fatalf("apply: err %v, recovered %q", err, res.Recovered)
	}
	if _, res, err := planApply(t, m, ApplyOptions{}); err != nil || len(res.Recovered) != 0 {
		t.Fatalf("no-op apply: err %v, recovered %q", err, res.Recovered)
	}
	got := snapshot(t, root)
	for k, v := range planted {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (untouched)", k, got[k], v)
		}
	}
	if got["app/cur"] != "link:../t" || got["app/old"] != "link:../t" {
		t.Errorf("links: cur %q old %q", got["app/cur"], got["app/old"])
	}
}

// blockFS stops the apply for good at the first operation block picks, as
// a kill would: the goroutine never returns, and what it left is on disk.
type blockFS struct {
	FS
	block   func(op, a, b string) bool
	stopped chan struct{}
}

func (f *blockFS) at(op, a, b string) {
	if f.block(op, a, b) {
		close(f.stopped)
		select {} // killed here
	}
}

func (f *blockFS) Move(fd, fn, td, tn string) error {
	f.at("move", fd+"/"+fn, td+"/"+tn)
	return f.FS.Move(fd, fn, td, tn)
}

func (f *blockFS) Remove(dir, name string) error {
	f.at("remove", dir+"/"+name, "")
	return f.FS.Remove(dir, name)
}

func (f *blockFS) Exchange(dir, a, b string) error {
	f.at("exchange", dir+"/"+a, dir+"/"+b)
	return f.FS.Exchange(dir, a, b)
}

// killMidApply plans m and applies it until block says stop, and returns
// the plan's id once the apply is stopped there.
func killMidApply(t *testing.T, m *manifest.Manifest, block func(op, a, b string) bool) string {
	t.Helper()
	needSymlinks(t)
	r, err := Open(m)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	bf := &blockFS{block: block, stopped: make(chan struct{})}
	go func() {
		_, _ = r.Apply(p, ApplyOptions{WrapFS: func(f FS) FS { bf.FS = f; return bf }})
		t.Errorf("apply %s was not stopped", p.ID)
	}()
	select {
	case <-bf.stopped:
	case <-time.After(20 * time.Second):
		t.Fatal("apply never reached the operation to stop at")
	}
	return p.ID
}

// TestRecoveryPutsDisplacedEntryInItsBackup: an apply killed between the
// exchange and the move to the backup leaves the user's file under the
// journaled temporary name. The next apply moves it where the killed
// apply's intent said, so rolling back the killed apply gives it back.
func TestRecoveryPutsDisplacedEntryInItsBackup(t *testing.T) {
	needExchange(t)
	root := t.TempDir()
	mkTree(t, root, map[string]string{"shared/rc": "file:managed", ".bashrc": "file:the user's own bashrc"})
	m := parse(t, root, "version: 1\nlinks:\n  rc: {dest: .bashrc, target: shared/rc, replace: file}\n")
	killed := killMidApply(t, m, func(op, a, b string) bool {
		return op == "move" && strings.Contains(b, "/backups/")
	})
	before := snapshot(t, root, ".links")
	temps := 0
	for k, v := range before {
		if strings.Contains(k, TempMarker) {
			temps++
			if v != "file:the user's own bashrc" {
				t.Fatalf("temporary entry %s = %q", k, v)
			}
		}
	}
	if temps != 1 || before[".bashrc"] != "link:shared/rc" {
		t.Fatalf("after the kill: %v", before)
	}

	_, res, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Recovered) != 1 || !strings.Contains(res.Recovered[0], filepath.ToSlash(filepath.Join(".links/backups", killed, ".bashrc"))) {
		t.Fatalf("recovered %q, want the entry moved to the killed apply's backup", res.Recovered)
	}
	if got := snapshot(t, filepath.Join(root, ".links", "backups", killed)); got[".bashrc"] != "file:the user's own bashrc" {
		t.Fatalf("backup of %s: %v", killed, got)
	}

	// Rollback of the killed apply now finds the backup and restores it.
	r := open(t, m)
	lock, err := r.State.Lock(0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	h, err := r.State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	a, err := h.Find(killed)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := r.RollbackPlan(killed, a.Mutations(), newID(), "links.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := rp.Summary(); s.Conflict != 0 || s.Replace != 1 {
		for _, c := range rp.Changes {
			t.Logf("%s %s: %s", c.Action, c.Dest, c.Reason)
		}
		t.Fatalf("rollback plan: %+v", s)
	}
	if _, err := r.Apply(rp, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, root, ".links"); got[".bashrc"] != "file:the user's own bashrc" {
		t.Errorf("after rollback: .bashrc = %q", got[".bashrc"])
	}
}

// TestRecoveryCleansOnlyWhatTheIntentSays: an apply killed after making
// its temporary link, then the user replacing that temporary entry with a
// file of their own: the next apply leaves the file alone and says so.
func TestRecoveryCleansOnlyWhatTheIntentSays(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"a": "file:a", "b": "file:b", "cur": "link:a"})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: b}\n")
	killMidApply(t, m, func(op, a, b string) bool { return op == "exchange" })
	var tmp string
	for k := range snapshot(t, root, ".links") {
		if strings.Contains(k, TempMarker) {
			tmp = k
		}
	}
	if tmp == "" {
		t.Fatal("no temporary link after the kill")
	}
	mkTree(t, root, map[string]string{"x": "file:user file"})
	replaceWith(t, filepath.Join(root, "x"), filepath.Join(root, tmp))
	_, res, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, root, ".links")
	if got[tmp] != "file:user file" {
		t.Errorf("%s = %q, want the user's file left alone", tmp, got[tmp])
	}
	if got["cur"] != "link:b" {
		t.Errorf("cur = %q", got["cur"])
	}
	if len(res.Recovered) != 1 || !strings.Contains(res.Recovered[0], "left alone") {
		t.Errorf("recovered %q, want one note saying it was left alone", res.Recovered)
	}
}

// TestFailedChangeLeftoverCleanedNext: a change that fails after its
// switch (the old link could not be unlinked) leaves it under the
// temporary name its intent gave; the next apply removes it.
func TestFailedChangeLeftoverCleanedNext(t *testing.T) {
	needExchange(t)
	root := t.TempDir()
	mkTree(t, root, map[string]string{"a": "file:a", "b": "file:b", "cur": "link:a"})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: b}\n")
	_, _, err := planApply(t, m, ApplyOptions{WrapFS: func(f FS) FS {
		return &faultFS{FS: f, failAt: 3, err: syscall.EIO}
	}})
	if err == nil {
		t.Fatal("apply with a failing unlink succeeded")
	}
	var tmp string
	for k, v := range snapshot(t, root, ".links") {
		if strings.Contains(k, TempMarker) {
			tmp = k
			if v != "link:a" {
				t.Fatalf("%s = %q, want the old link", k, v)
			}
		}
	}
	if tmp == "" {
		t.Fatal("the failed change left no temporary entry: the test does not test what it says")
	}
	_, res, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, root, ".links"); len(got) != 3 || got["cur"] != "link:b" {
		t.Errorf("after the next apply: %v (recovered %q)", got, res.Recovered)
	}
	assertAllNoop(t, mustPlan(t, m))
}

// replaceWith renames from over to, as `mv -Tf` does.
func replaceWith(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteGivesBackDisplacedFolder: a link that displaced a folder is
// deleted when the manifest stops declaring it, and the folder, with its
// contents, comes back in the same step (issue 14.4).
func TestDeleteGivesBackDisplacedFolder(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"shared/cfg/x": "file:managed", "cfg/mine": "file:the user's", "cfg/sub/deep": "file:deep"})
	with := parse(t, root, "version: 1\nlinks:\n  cfg: {dest: cfg, target: shared/cfg, replace: any}\n")
	if _, _, err := planApply(t, with, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	without := parse(t, root, "version: 1\nlinks: {}\n")
	p, res, err := planApply(t, without, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Action != plan.Delete || p.Changes[0].Restore == "" || res.Done != 1 {
		t.Fatalf("plan %+v, done %d", p.Changes, res.Done)
	}
	got := snapshot(t, root, ".links")
	if got["cfg"] != "dir" || got["cfg/mine"] != "file:the user's" || got["cfg/sub/deep"] != "file:deep" {
		t.Errorf("after the delete: %v", got)
	}
	assertAllNoop(t, mustPlan(t, without))
}
