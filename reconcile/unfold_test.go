package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
)

// parseExpanded parses yaml as root's manifest and expands its trees, as
// the CLI does before planning.
func parseExpanded(t *testing.T, root, yaml string) *manifest.Manifest {
	t.Helper()
	m := parse(t, root, yaml)
	if err := open(t, m).ExpandTrees(m); err != nil {
		t.Fatal(err)
	}
	return m
}

// folded is a fresh root with the folded tree applied (foldedFirst),
// and the unfolding manifest's expansion there.
func folded(t *testing.T) (string, *manifest.Manifest) {
	t.Helper()
	root := t.TempDir()
	return root, parseExpanded(t, root, foldedFirst(t, root))
}

// foldedFirst applies the unfold fixture folded (d/vendor is one folder
// link) and returns the manifest without the fold.
func foldedFirst(t *testing.T, root string) string {
	t.Helper()
	needSymlinks(t)
	mkTree(t, root, unfoldTree)
	if _, _, err := planApply(t, parseExpanded(t, root, unfoldManifest+"    fold: [vendor]\n"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, root, ".links")["d/vendor"]; got != "link:../src/vendor" {
		t.Fatalf("d/vendor = %q after the folded apply", got)
	}
	return unfoldManifest
}

// stagingIn returns the staging folder's path (relative to root) in
// snapshot s, or "".
func stagingIn(s map[string]string) string {
	for k, v := range s {
		if strings.HasPrefix(k, "d/.vendor"+TempMarker) && !strings.Contains(strings.TrimPrefix(k, "d/"), "/") && v == "dir" {
			return k
		}
	}
	return ""
}

// checkUnfolded checks d/vendor is a folder of the member links and the
// source is untouched.
func checkUnfolded(t *testing.T, got map[string]string) {
	t.Helper()
	want := map[string]string{
		"d/vendor": "dir", "d/vendor/f1": "link:../../src/vendor/f1", "d/vendor/sub": "dir",
		"d/vendor/sub/f2": "link:../../../src/vendor/sub/f2", "d/top": "link:../src/top",
		"src/vendor/f1": "file:v1", "src/vendor/sub/f2": "file:v2",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q\n%v", k, got[k], v, got)
		}
	}
}

// TestUnfoldBuildsAside: during an unfold, the folder is built under a
// temporary name beside the link (the link still in place), and switched
// in with one exchange.
func TestUnfoldBuildsAside(t *testing.T) {
	needExchange(t)
	root, m := folded(t)
	var atSwitch map[string]string
	_, _, err := planApply(t, m, ApplyOptions{WrapFS: func(f FS) FS {
		return &hookFS{FS: f, k: -1, onOp: func(op string) {
			if strings.HasPrefix(op, "exchange") && atSwitch == nil {
				atSwitch = snapshot(t, root, ".links")
			}
		}}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if atSwitch == nil {
		t.Fatal("the unfold made no exchange")
	}
	if atSwitch["d/vendor"] != "link:../src/vendor" {
		t.Errorf("just before the switch d/vendor = %q, want the folder link still there", atSwitch["d/vendor"])
	}
	staging := stagingIn(atSwitch)
	if staging == "" {
		t.Fatalf("no staging folder beside d/vendor before the switch: %v", atSwitch)
	}
	if atSwitch[staging+"/f1"] != "link:../../src/vendor/f1" || atSwitch[staging+"/sub/f2"] != "link:../../../src/vendor/sub/f2" {
		t.Errorf("the staging folder does not hold the member links: %v", atSwitch)
	}
	got := snapshot(t, root, ".links")
	checkUnfolded(t, got)
	if s := stagingIn(got); s != "" {
		t.Errorf("staging folder %s left after the apply", s)
	}
	for k := range got {
		if strings.Contains(k, TempMarker) {
			t.Errorf("temporary entry %s left", k)
		}
	}
}

// TestUnfoldKilledBeforeSwitch: an apply killed while the folder is built
// aside leaves the staging folder; the next apply removes the links it
// made there and the folders, then unfolds. A file the user put in the
// staging folder meanwhile stays, with the folder holding it, and the
// apply says so.
func TestUnfoldKilledBeforeSwitch(t *testing.T) {
	needExchange(t)
	for _, userFile := range []bool{false, true} {
		name := "clean"
		if userFile {
			name = "user-file-inside"
		}
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			m := parseExpanded(t, root, foldedFirst(t, root))
			killMidApply(t, m, func(op, a, b string) bool { return op == "exchange" })
			after := snapshot(t, root, ".links")
			staging := stagingIn(after)
			if staging == "" {
				t.Fatalf("no staging folder after the kill: %v", after)
			}
			if after["d/vendor"] != "link:../src/vendor" {
				t.Fatalf("d/vendor = %q after the kill, want the folder link untouched", after["d/vendor"])
			}
			if userFile {
				mkTree(t, root, map[string]string{staging + "/sub/mine": "file:the user's"})
			}
			_, res, err := planApply(t, parseExpanded(t, root, unfoldManifest), ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := snapshot(t, root, ".links")
			checkUnfolded(t, got)
			if !userFile {
				for k := range got {
					if strings.Contains(k, TempMarker) {
						t.Errorf("%s left after recovery", k)
					}
				}
				if len(res.Recovered) != 1 || !strings.Contains(res.Recovered[0], "removed the folder "+staging+" (2 links)") {
					t.Errorf("recovered %q", res.Recovered)
				}
				return
			}
			if got[staging+"/sub/mine"] != "file:the user's" {
				t.Errorf("the user's file in the staging folder is gone: %v", got)
			}
			if got[staging+"/f1"] != "" || got[staging+"/sub/f2"] != "" {
				t.Errorf("the killed apply's links are still in the staging folder: %v", got)
			}
			if len(res.Recovered) != 1 || !strings.Contains(res.Recovered[0], "left alone") {
				t.Errorf("recovered %q, want a note that the folder was left alone", res.Recovered)
			}
		})
	}
}

// TestUnfoldKilledAfterSwitch: killed after the exchange, before the old
// folder link (now under the temporary name) is unlinked; the next apply
// removes it, and the unfold stands.
func TestUnfoldKilledAfterSwitch(t *testing.T) {
	needExchange(t)
	root, m := folded(t)
	killMidApply(t, m, func(op, a, b string) bool {
		return op == "remove" && strings.Contains(a, "d/.vendor"+TempMarker)
	})
	after := snapshot(t, root, ".links")
	var tmp string
	for k, v := range after {
		if strings.Contains(k, TempMarker) && v == "link:../src/vendor" {
			tmp = k
		}
	}
	if tmp == "" || after["d/vendor"] != "dir" {
		t.Fatalf("after the kill: want the folder in place and the old link aside: %v", after)
	}
	_, res, err := planApply(t, parseExpanded(t, root, unfoldManifest), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, root, ".links")
	checkUnfolded(t, got)
	if _, ok := got[tmp]; ok {
		t.Errorf("%s left", tmp)
	}
	if len(res.Recovered) != 1 || !strings.Contains(res.Recovered[0], "removed temporary link "+tmp) {
		t.Errorf("recovered %q", res.Recovered)
	}
}

// TestUnfoldLinkReplacedMeanwhile: when the folder link is replaced by
// the user's folder while the apply builds aside, the switch brings the
// user's folder out, puts it back, takes the staging folder apart, and
// every change of the unfold fails as stale.
func TestUnfoldLinkReplacedMeanwhile(t *testing.T) {
	needExchange(t)
	root, m := folded(t)
	vendor := filepath.Join(root, "d", "vendor")
	planted := false
	_, res, err := planApply(t, m, ApplyOptions{WrapFS: func(f FS) FS {
		return &hookFS{FS: f, k: -1, onOp: func(op string) {
			if strings.HasPrefix(op, "exchange") && !planted {
				planted = true
				if err := os.Remove(vendor); err != nil {
					t.Fatal(err)
				}
				mkTree(t, root, map[string]string{"d/vendor/own": "file:the user's folder"})
			}
		}}
	}})
	if err == nil || !planted {
		t.Fatalf("apply: %v (planted %v), want stale changes", err, planted)
	}
	got := snapshot(t, root, ".links")
	if got["d/vendor/own"] != "file:the user's folder" || got["d/vendor/f1"] != "" {
		t.Errorf("d/vendor is not the user's folder as they left it: %v", got)
	}
	for k := range got {
		if strings.Contains(k, TempMarker) {
			t.Errorf("%s left", k)
		}
	}
	stale := 0
	for _, e := range res.Errors {
		if strings.Contains(e.Error(), "d/vendor") {
			stale++
		}
	}
	if stale != 3 { // the delete and its two members
		t.Errorf("%d errors name d/vendor, want 3: %v", stale, res.Errors)
	}
}

// TestRollbackOfUnfold: rolling back an unfold deletes the member links
// and puts the folder link back in the folder's place, the folder (now
// without links) kept in a backup: the tree is as the folded manifest
// declares it again.
func TestRollbackOfUnfold(t *testing.T) {
	root, m := folded(t)
	p, _, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkUnfolded(t, snapshot(t, root, ".links"))
	r := open(t, m)
	h, err := r.State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	a, err := h.Find(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := r.RollbackPlan(a.ID, a.Mutations(), newID(), "links.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := rb.Summary(); s.Conflict != 0 || s.Delete != 2 || s.Replace != 1 {
		t.Fatalf("rollback plan %+v, want 2 deletes and the folder link back (a replace):\n%+v", s, rb.Changes)
	}
	lock, err := r.State.Lock(0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Apply(rb, ApplyOptions{})
	lock.Unlock()
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	got := snapshot(t, root, ".links/journal.jsonl", ".links/state.json", ".links/lock")
	if got["d/vendor"] != "link:../src/vendor" || got["d/top"] != "link:../src/top" {
		t.Errorf("after the rollback d/vendor = %q, d/top = %q; want the folder link back", got["d/vendor"], got["d/top"])
	}
	backup := ".links/backups/" + rb.ID + "/d/vendor"
	if got[backup] != "dir" || got[backup+"/sub"] != "dir" || got[backup+"/f1"] != "" {
		t.Errorf("the unfolded folder is not in the backup %s without its links: %v", backup, got)
	}
	folded := parseExpanded(t, root, unfoldManifest+"    fold: [vendor]\n")
	if s := mustPlan(t, folded).Summary(); s.Changed() || s.Conflict > 0 {
		t.Errorf("the folded manifest plans %+v after the rollback, want nothing to do", s)
	}
}

// TestRollbackOfKilledUnfold: an unfold killed before its switch made
// nothing at its dests (its links are in the staging folder, and the
// folder link still leads into the source): rolling it back has nothing
// to undo, and no conflict.
func TestRollbackOfKilledUnfold(t *testing.T) {
	needExchange(t)
	_, m := folded(t)
	id := killMidApply(t, m, func(op, a, b string) bool { return op == "exchange" })
	r := open(t, m)
	h, err := r.State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	a, err := h.Find(id)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := r.RollbackPlan(a.ID, a.Mutations(), newID(), "links.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := rb.Summary(); s.Changed() || s.Conflict > 0 {
		t.Errorf("rollback of the killed unfold plans %+v, want nothing:\n%+v", s, rb.Changes)
	}
}
