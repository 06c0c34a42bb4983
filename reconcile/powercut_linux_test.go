//go:build linux && !links_portable

package reconcile

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/linksdev/links/internal/ext4test"
)

// TestPowerCutAfterApply: what a power cut right after apply
// returns leaves on ext4 without a journal. The filesystem is a loop
// device on an image file: what the loop device has written is in the
// image, what ext4 still holds in memory is not, so a copy of the image
// taken as apply returns is the disk a power cut would leave (the host
// keeps the image's pages; only ext4's own unwritten buffers are lost).
// Every link apply reported made must be on that disk, readable, with its
// text: apply flushes the folders with one syncfs (rootfs SyncFS). With
// LINKS_SYNCFS=off (a fsync per folder) 196 of the 200 links were lost
// in every run when this test was written (Linux 6.18): the names are on
// the disk, but e2fsck finds their inodes, and the new folders' own, in
// the groups' unused inode area (the group descriptors and bitmaps were
// never written), and clears them. The test logs what that mode leaves
// and does not assert it (it depends on the kernel's writeback timing).
// The same apply on ext4 with a journal (where apply keeps a fsync per
// folder: each commits the journal) must leave every link too; mounting
// the copy replays its journal. Root only (mkfs.ext4 and a loop mount).
func TestPowerCutAfterApply(t *testing.T) {
	for _, mode := range []string{"syncfs", "off", "journal"} {
		t.Run(mode, func(t *testing.T) {
			if _, err := exec.LookPath("e2fsck"); err != nil {
				t.Skip("e2fsck is not installed")
			}
			img, mnt := ext4test.Mount(t, mode == "journal")
			const folders, per = 4, 50
			var y strings.Builder
			y.WriteString("version: 1\nlinks:\n")
			for d := range folders {
				for i := range per {
					fmt.Fprintf(&y, "  l%d_%d: {dest: d%d/l%d, target: shared/x, parents: true}\n", d, i, d, i)
				}
			}
			mkTree(t, mnt, map[string]string{"shared/x": "file:x", "links.yaml": "file:" + y.String()})
			if out, err := exec.Command("sync", "-f", mnt).CombinedOutput(); err != nil {
				t.Fatalf("sync: %v %s", err, out)
			}
			wrapper := []string{"env", "LINKS_SYNCFS=" + map[string]string{"syncfs": "on", "off": "off", "journal": "on"}[mode]}
			r := runWrapped(t, mnt, append(wrapper, "LINKS_TRACE=1"), "apply", "--auto-approve")
			if r.code != 0 {
				t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			// The way the folders were flushed is the one this mode is for.
			m := regexp.MustCompile(`folders flushed \(([0-9]+) by one syncfs\)`).FindStringSubmatch(r.stderr)
			if m == nil || (m[1] != "0") != (mode == "syncfs") {
				t.Fatalf("%s: the trace says %q of the flush, want syncfs only in mode syncfs\n%s", mode, m, r.stderr)
			}
			disk := filepath.Join(t.TempDir(), "cut.img")
			copyFile(t, img, disk)
			fsck, _ := exec.Command("e2fsck", "-fn", disk).CombinedOutput()
			cut := t.TempDir()
			opts := "loop,ro"
			if mode == "journal" {
				opts = "loop" // the journal's recovery writes (to the copy)
			}
			if out, err := exec.Command("mount", "-o", opts, disk, cut).CombinedOutput(); err != nil {
				t.Fatalf("mount the copy: %v %s\n%s", err, out, fsck)
			}
			defer exec.Command("umount", cut).Run()
			missing := 0
			for d := range folders {
				for i := range per {
					got, err := os.Readlink(filepath.Join(cut, fmt.Sprintf("d%d/l%d", d, i)))
					if err != nil || got != "../shared/x" {
						missing++
						if mode != "off" && missing <= 5 {
							t.Errorf("d%d/l%d after the power cut: %q, %v", d, i, got, err)
						}
					}
				}
			}
			if mode != "off" && missing > 0 {
				t.Errorf("%d of %d links apply made are not on the disk a power cut leaves; e2fsck -fn:\n%s", missing, folders*per, fsck)
			}
			t.Logf("%s, LINKS_SYNCFS=%s: %d of %d links missing or unreadable after the cut; e2fsck -fn:\n%s", mode, wrapper[1][len("LINKS_SYNCFS="):], missing, folders*per, fsck)
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
