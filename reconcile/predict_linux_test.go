//go:build linux

package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linksdev/links/plan"
)

// mountTmpfs mounts a small tmpfs at dir for the test, or skips (it needs
// root, and a kernel that lets this process mount).
func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"+opts); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// TestPlanPredictsCrossFilesystemBackup: a file or folder to displace that
// lies on another filesystem than state_dir cannot be renamed into a
// backup (EXDEV); the plan says so, with the fix, instead of failing in
// apply. Also a read-only filesystem, which even root cannot write.
func TestPlanPredictsCrossFilesystemBackup(t *testing.T) {
	root := t.TempDir()
	mountTmpfs(t, filepath.Join(root, "mnt"), "")
	mkTree(t, root, map[string]string{"rel/keep": "file:", "mnt/conf": "file:mine", "mnt/dir/keep": "file:", "mnt/old": "link:x", "here": "file:mine"})
	m := parse(t, root, `version: 1
links:
  file: {dest: mnt/conf, target: rel, replace: file}
  dir: {dest: mnt/dir, target: rel, replace: any}
  nobackup: {dest: here, target: rel, replace: file}
  update: {dest: mnt/old, target: rel}
  create: {dest: mnt/new, target: rel}
`)
	p := mustPlan(t, m)
	for _, dest := range []string{"mnt/conf", "mnt/dir"} {
		c := changeOf(t, p, dest)
		if c.Action != plan.Conflict || !strings.Contains(c.Reason, "another filesystem than state_dir") {
			t.Errorf("%s: %s %q, want a conflict: another filesystem", dest, c.Action, c.Reason)
		}
	}
	for dest, want := range map[string]plan.Action{"here": plan.Replace, "mnt/old": plan.Update, "mnt/new": plan.Create} {
		if c := changeOf(t, p, dest); c.Action != want {
			t.Errorf("%s: %s %q, want %s", dest, c.Action, c.Reason, want)
		}
	}
	// With state_dir on that filesystem, the same backups are fine.
	m = parse(t, root, "version: 1\nstate_dir: mnt/.links\nlinks:\n  file: {dest: mnt/conf, target: rel, replace: file}\n")
	if c := changeOf(t, mustPlan(t, m), "mnt/conf"); c.Action != plan.Replace {
		t.Errorf("state_dir on the same filesystem: %s %q, want replace", c.Action, c.Reason)
	}

	// A read-only filesystem: nothing can be made there.
	mountTmpfs(t, filepath.Join(root, "ro"), "")
	mkTree(t, root, map[string]string{"ro/x": "file:"})
	if err := unix.Mount("", filepath.Join(root, "ro"), "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount read-only: %v", err)
	}
	m = parse(t, root, "version: 1\nlinks:\n  l: {dest: ro/new, target: rel}\n")
	if c := changeOf(t, mustPlan(t, m), "ro/new"); c.Action != plan.Conflict || !strings.Contains(c.Reason, "read-only file system") {
		t.Errorf("ro/new: %s %q, want a conflict: read-only file system", c.Action, c.Reason)
	}
}
