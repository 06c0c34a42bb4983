//go:build unix

package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linksdev/links/internal/asnobody"
	"github.com/linksdev/links/plan"
)

// changeOf returns p's change at dest.
func changeOf(t *testing.T, p *plan.Plan, dest string) plan.Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Dest == dest {
			return c
		}
	}
	t.Fatalf("no change at %s", dest)
	return plan.Change{}
}

// TestPlanPredictsUnwritableFolder: a dest folder the user cannot write in
// is a conflict in the plan, with the fix, instead of "Apply incomplete:
// 1 created, 2 failed" (issue 14 item 12). Run as a real unprivileged user
// (root writes anywhere): as nobody when the test runs as root.
func TestPlanPredictsUnwritableFolder(t *testing.T) {
	if asnobody.Rerun(t) {
		return
	}
	if os.Getuid() == 0 {
		t.Skip("root may write in any folder; rerun as nobody did not happen")
	}
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		"rel/keep": "file:", "ro/old": "link:elsewhere", "ro/file": "file:mine",
		"rw/x": "dir", "ro/sub/keep": "file:", "ro/dir/keep": "file:",
	})
	for _, d := range []string{"ro/sub", "ro"} {
		if err := os.Chmod(filepath.Join(root, d), 0o555); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "ro"), 0o755); os.Chmod(filepath.Join(root, "ro/sub"), 0o755) })
	m := parse(t, root, `version: 1
links:
  create: {dest: ro/new, target: rel}
  update: {dest: ro/old, target: rel}
  replace: {dest: ro/file, target: rel, replace: file}
  parents: {dest: ro/sub/a/b/c, target: rel}
  fine: {dest: rw/new, target: rel}
`)
	p := mustPlan(t, m)
	for _, dest := range []string{"ro/new", "ro/old", "ro/file", "ro/sub/a/b/c"} {
		c := changeOf(t, p, dest)
		if c.Action != plan.Conflict || !strings.Contains(c.Reason, "permission denied") || !strings.Contains(c.Reason, "cannot write in folder ro") {
			t.Errorf("%s: %s %q, want a conflict: cannot write in folder", dest, c.Action, c.Reason)
		}
	}
	if c := changeOf(t, p, "rw/new"); c.Action != plan.Create {
		t.Errorf("rw/new: %s %q, want create", c.Action, c.Reason)
	}
	// A folder at dest that the user cannot write cannot be moved to a
	// backup either (moving a folder rewrites its ..).
	if err := os.Chmod(filepath.Join(root, "ro"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "ro/dir"), 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "ro/dir"), 0o755) })
	m = parse(t, root, "version: 1\nlinks:\n  d: {dest: ro/dir, target: rel, replace: any}\n")
	c := changeOf(t, mustPlan(t, m), "ro/dir")
	if c.Action != plan.Conflict || !strings.Contains(c.Reason, "cannot move the folder ro/dir") {
		t.Errorf("ro/dir: %s %q, want a conflict: cannot move the folder", c.Action, c.Reason)
	}
	// A state_dir the user cannot write in: no change can be applied (the
	// lock, the journal and backups live there).
	mkTree(t, root, map[string]string{"st/keep": "file:"})
	if err := os.Chmod(filepath.Join(root, "st"), 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "st"), 0o755) })
	m = parse(t, root, "version: 1\nstate_dir: st\nlinks:\n  n: {dest: rw/other, target: rel}\n")
	c = changeOf(t, mustPlan(t, m), "rw/other")
	if c.Action != plan.Conflict || !strings.Contains(c.Reason, "cannot write in state_dir st (permission denied") {
		t.Errorf("rw/other with state_dir st read-only: %s %q, want a conflict: cannot write in state_dir", c.Action, c.Reason)
	}
}
