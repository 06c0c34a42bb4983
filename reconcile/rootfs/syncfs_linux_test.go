//go:build linux && !links_portable

package rootfs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linksdev/links/internal/ext4test"
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
			_, dir = ext4test.Mount(t, false)
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
		_, dir := ext4test.Mount(t, true)
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

// mountTmpfs mounts a small tmpfs at dir (made), where it can.
func mountTmpfs(dir string) bool {
	if os.Mkdir(dir, 0o755) != nil {
		return false
	}
	return unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m") == nil
}
