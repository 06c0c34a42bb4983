//go:build linux

// Package ext4test makes a small ext4 in an image file and loop-mounts it
// for a test, with or without a journal: what apply does to flush its
// folders depends on which (reconcile/rootfs SyncFS), and a copy of the
// image is the disk a power cut would leave. It skips the test, with the
// reason, where that cannot be done (not root, no mkfs.ext4, no loop
// devices).
package ext4test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Mount makes a 64 MiB ext4 (without a journal unless journal is set) in
// an image file, mounts it and returns both; the mount is undone when the
// test ends.
func Mount(t testing.TB, journal bool) (img, mnt string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to loop-mount an ext4")
	}
	for _, tool := range []string{"mkfs.ext4", "mount", "umount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	img = filepath.Join(t.TempDir(), "fs.img")
	mnt = t.TempDir()
	f, err := os.Create(img)
	if err == nil {
		err = f.Truncate(64 << 20)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-q", "-F"}
	if !journal {
		args = append(args, "-O", "^has_journal")
	}
	if out, err := exec.Command("mkfs.ext4", append(args, img)...).CombinedOutput(); err != nil {
		t.Skipf("mkfs.ext4: %v %s", err, out)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot loop-mount an ext4 here: %v %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	return img, mnt
}
