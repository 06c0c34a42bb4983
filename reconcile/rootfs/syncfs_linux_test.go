package rootfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReleaseAtLeast(t *testing.T) {
	for _, c := range []struct {
		rel  string
		want bool
	}{
		{"5.8.0", true},
		{"5.8", true},
		{"5.7.19", false},
		{"5.10.0-35-amd64", true},
		{"6.18.0-rc1", true},
		{"4.19.0", false},
		{"5.8-rc7", true},
		{"5.7-rc7", false},
		{"10.0.0", true},
		{"", false},
		{"6", false},
		{"x.y.z", false},
		{"6.x", false},
	} {
		if got := releaseAtLeast(c.rel, 5, 8); got != c.want {
			t.Errorf("releaseAtLeast(%q, 5, 8) = %v, want %v", c.rel, got, c.want)
		}
	}
}

// TestSyncFS: on ext4 without a journal SyncFS flushes the folders on
// root's filesystem with one syncfs and leaves to SyncDir a folder that
// is a mount of another filesystem and one it cannot open; with a
// journal it leaves every folder to SyncDir.
func TestSyncFS(t *testing.T) {
	if !kernelAtLeast(5, 8) {
		t.Skip("syncfs reports writeback errors from Linux 5.8: SyncFS is not used")
	}
	t.Run("no journal", func(t *testing.T) {
		dir := t.TempDir()
		if !ext4NoJournal(t, dir) {
			dir = mountExt4(t, false)
		}
		f := newFS(t, dir, "a", "b/c")
		other := false
		if mountTmpfs(dir + "/m") {
			t.Cleanup(func() { unix.Unmount(dir+"/m", unix.MNT_DETACH) })
			other = true
		}
		dirs := []string{".", "a", "b", "b/c", "gone"}
		want := []string{"gone"}
		if other {
			dirs = append(dirs, "m")
			want = append(want, "m")
		}
		rest, err := f.SyncFS(dirs)
		if err != nil || !slices.Equal(rest, want) {
			t.Fatalf("SyncFS(%q) = %q, %v; want %q", dirs, rest, err, want)
		}
		if rest, err := f.SyncFS([]string{"gone"}); err != nil || !slices.Equal(rest, []string{"gone"}) {
			t.Errorf("SyncFS of a missing folder = %q, %v; want it left to SyncDir", rest, err)
		}
		if err := f.Close(); err != nil || f.sfs.top != nil {
			t.Errorf("Close: %v, root's handle %v", err, f.sfs.top)
		}
	})
	t.Run("journal", func(t *testing.T) {
		dir := mountExt4(t, true)
		f := newFS(t, dir, "a")
		dirs := []string{".", "a"}
		if rest, err := f.SyncFS(dirs); err != nil || !slices.Equal(rest, dirs) {
			t.Fatalf("SyncFS on ext4 with a journal = %q, %v; want every folder left to SyncDir", rest, err)
		}
	})
}

// newFS makes the folders under dir and returns an FS on dir.
func newFS(t *testing.T, dir string, folders ...string) *FS {
	t.Helper()
	for _, d := range folders {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := New(r)
	t.Cleanup(func() { f.Close(); r.Close() })
	if f.sfs.top == nil {
		t.Fatal("New did not open root's handle")
	}
	return f
}

// ext4NoJournal reports whether dir is on ext2/3/4 without a journal.
func ext4NoJournal(t *testing.T, dir string) bool {
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := New(r)
	defer f.Close()
	f.sfs.decide()
	return f.sfs.yes
}

// mountExt4 makes a small ext4 (with or without a journal), mounts it
// and returns where; it skips the test where that cannot be done (not
// root, no loop devices, no mkfs.ext4).
func mountExt4(t *testing.T, journal bool) string {
	t.Helper()
	mkfs, err := exec.LookPath("mkfs.ext4")
	if err != nil || os.Getuid() != 0 {
		t.Skip("needs root and mkfs.ext4 to make an ext4 to test on")
	}
	img := filepath.Join(t.TempDir(), "fs.img")
	mnt := t.TempDir()
	args := []string{"-q", "-F"}
	if !journal {
		args = append(args, "-O", "^has_journal")
	}
	if out, err := exec.Command("truncate", "-s", "64M", img).CombinedOutput(); err != nil {
		t.Skipf("truncate: %v %s", err, out)
	}
	if out, err := exec.Command(mkfs, append(args, img)...).CombinedOutput(); err != nil {
		t.Skipf("mkfs.ext4: %v %s", err, out)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot loop-mount an ext4 here: %v %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	return mnt
}

// mountTmpfs mounts a small tmpfs at dir (made), where it can.
func mountTmpfs(dir string) bool {
	if os.Mkdir(dir, 0o755) != nil {
		return false
	}
	return unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m") == nil
}
