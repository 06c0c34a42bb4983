//go:build linux

package reconcile

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/linksdev/links/manifest"
)

const treeManifest = "version: 1\nlinks:\n  t:\n    tree: true\n    dest: home\n    target: src\n"

// expandTree loads treeManifest over root and expands it.
func expandTree(t *testing.T, root string) *manifest.Manifest {
	t.Helper()
	m := parse(t, root, treeManifest)
	if err := open(t, m).ExpandTrees(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func memberNames(m *manifest.Manifest) []string {
	var out []string
	for _, l := range m.Links {
		out = append(out, strings.TrimPrefix(l.Name, "t/"))
	}
	slices.Sort(out)
	return out
}

// The source is listed without following a symlink inside it: a symlink
// is a member, sockets and FIFOs are skipped with a warning.
func TestExpandTreesListsWithoutFollowing(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		"src/a":        "file:a",
		"src/d/b":      "file:b",
		"src/dirlink":  "link:d",
		"src/dangling": "link:nowhere",
		"src/fifo":     "fifo",
		"outside/x":    "file:x",
		"src/out":      "link:../outside",
		"src/.git/c":   "file:c",
	})
	m := expandTree(t, root)
	want := []string{"a", "d/b", "dangling", "dirlink", "out"}
	if got := memberNames(m); !slices.Equal(got, want) {
		t.Errorf("members = %q, want %q", got, want)
	}
	tr := m.Trees[0]
	if tr.Problem != "" || tr.Excluded != 1 || len(tr.Warnings) != 1 || !strings.Contains(tr.Warnings[0], "src/fifo") {
		t.Errorf("tree = problem %q, excluded %d, warnings %q", tr.Problem, tr.Excluded, tr.Warnings)
	}
	// The plan links to the symlinks themselves.
	p := mustPlan(t, m)
	for _, c := range p.Changes {
		if c.Dest == "home/dirlink" && c.After.Link != "../src/dirlink" {
			t.Errorf("home/dirlink -> %s, want ../src/dirlink", c.After.Link)
		}
	}
}

// A folder of the source swapped for a symlink between listings is
// refused by the O_NOFOLLOW walk, never walked.
func TestSourceListerRefusesSymlinkedFolder(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"src/real/a": "file:a", "src/fake": "link:real"})
	list := SourceLister(filepath.Join(root, "src"))
	if _, err := list("real"); err != nil {
		t.Fatalf("list real: %v", err)
	}
	if got, err := list("fake"); err == nil {
		t.Fatalf("list fake (a symlink) = %v, want an error", got)
	}
}

// A missing source is a conflict that prunes nothing; after it comes back
// the plan is all no-op.
func TestExpandTreesMissingSourcePrunesNothing(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"src/a": "file:a", "src/b/c": "file:c"})
	m := expandTree(t, root)
	if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, "src"), filepath.Join(root, "src.off")); err != nil {
		t.Fatal(err)
	}
	m = expandTree(t, root)
	p := mustPlan(t, m)
	s := p.Summary()
	if s.Delete != 0 || s.Conflict != 1 {
		t.Fatalf("plan with the source missing: %+v, want 1 conflict and no delete", s)
	}
	if c := p.Changes[0]; c.Name != "t" || !strings.Contains(c.Reason, "does not exist") {
		t.Errorf("conflict = %+v", c)
	}
	if err := os.Rename(filepath.Join(root, "src.off"), filepath.Join(root, "src")); err != nil {
		t.Fatal(err)
	}
	assertAllNoop(t, mustPlan(t, expandTree(t, root)))
}

// A folder of the source that cannot be read makes the whole tree a
// conflict, never a smaller tree. As root, permissions do not stop a
// read: the check then runs in a child process as nobody.
func TestExpandTreesUnreadableInPart(t *testing.T) {
	if os.Getenv("LINKS_TREES_CHILD") != "" {
		root := os.Getenv("LINKS_TREES_CHILD")
		m := parse(t, root, treeManifest)
		r, err := Open(m)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := r.ExpandTrees(m); err != nil {
			t.Fatal(err)
		}
		if tr := m.Trees[0]; !strings.Contains(tr.Problem, "cannot list src/locked: permission denied") || len(m.Links) != 0 {
			t.Fatalf("problem %q, %d links; want the tree a conflict", tr.Problem, len(m.Links))
		}
		return
	}
	root := t.TempDir()
	mkTree(t, root, map[string]string{"src/a": "file:a", "src/locked/b": "file:b"})
	if err := os.Chmod(filepath.Join(root, "src", "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "src", "locked"), 0o755) })
	if os.Geteuid() != 0 {
		m := expandTree(t, root)
		if tr := m.Trees[0]; !strings.Contains(tr.Problem, "cannot list src/locked: permission denied") || len(m.Links) != 0 {
			t.Fatalf("problem %q, %d links; want the tree a conflict", tr.Problem, len(m.Links))
		}
		p := mustPlan(t, m)
		if s := p.Summary(); s.Conflict != 1 || s.Create != 0 {
			t.Errorf("plan: %+v", s)
		}
		return
	}
	// Open the test's own folders to nobody: t.TempDir()'s folder and the
	// per-test folder above it (both made 0700 by the testing package),
	// and nothing above them (never the system's temporary folder).
	for _, d := range []string{root, filepath.Dir(root)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(filepath.Dir(filepath.Dir(root))); err != nil || fi.Mode().Perm()&0o001 == 0 {
		t.Skipf("nobody cannot reach %s (%v): the check as nobody cannot run here", root, err)
	}
	// The test binary, where nobody may run it.
	bin := filepath.Join(root, "reconcile.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestExpandTreesUnreadableInPart$", "-test.v")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "LINKS_TREES_CHILD="+root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child did not run the check:\n%s", out)
	}
}
