//go:build linux && !links_portable

package rootfs

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// syncFS is SyncFS's handle on root and its decision, made once per FS.
type syncFS struct {
	// top is root, opened when the FS is made, before any change through
	// it: syncfs reports the writeback errors of its filesystem since the
	// handle it is given was opened (Linux 5.8 and later), so the handle
	// must be older than the writes it is to vouch for. Without it (an
	// error opening it), SyncFS leaves every folder to SyncDir.
	top  *os.File
	once sync.Once
	yes  bool   // flush root's filesystem whole
	dev  uint64 // root's device, when yes
}

func (s *syncFS) open(r *os.Root) {
	if d, err := openDir(r, "."); err == nil {
		s.top = d
	}
}

func (s *syncFS) close() error {
	if s.top == nil {
		return nil
	}
	err := s.top.Close()
	s.top = nil
	return err
}

// SyncFS flushes the whole filesystem that holds root with one syncfs(2)
// when that filesystem is ext2/3/4 without a journal, and returns the
// folders of dirs it did not cover (those on other filesystems, those it
// cannot open: SyncDir reports why), for SyncDir.
//
// Without a journal a folder's fsync writes the folder's blocks and inode
// but not the inodes of the links just made in it, nor the block groups'
// descriptors and bitmaps: a copy of a loop device's image taken as such
// an apply returned (the disk a power cut leaves) had lost 196 of its 200
// new links (TestPowerCutAfterApply). syncfs writes every dirty
// block of the filesystem, those too, with one cache flush instead of one
// per folder: on a fresh ext4 without a journal, 100 folders of 100 new
// links 4-6 ms against 12-20 ms for a fsync each on 8 goroutines, 1,000
// folders 32-34 ms against 135-181 ms (docs/performance.md). With a
// journal a folder's fsync commits the journal, which holds the new
// inodes, and one syncfs is no faster (1,000 folders of 100 links: 34 ms
// against 18-23 ms): there each folder keeps its fsync. The cost of
// syncfs is that it also writes whatever else waits to be written on that
// filesystem, and reports that data's writeback errors too.
func (f *FS) SyncFS(dirs []string) ([]string, error) {
	if len(dirs) == 0 {
		return dirs, nil
	}
	s := &f.sfs
	s.once.Do(s.decide)
	if !s.yes {
		return dirs, nil
	}
	var rest []string
	covered := 0
	for _, d := range dirs {
		h, err := f.dir(d)
		var st unix.Stat_t
		if err != nil || unix.Fstat(fd(h), &st) != nil || st.Dev != s.dev {
			rest = append(rest, d)
			continue
		}
		covered++
	}
	if covered == 0 {
		return rest, nil
	}
	if err := unix.Syncfs(fd(s.top)); err != nil {
		return dirs, err
	}
	return rest, nil
}

// decide decides whether SyncFS flushes root's filesystem whole: a
// handle on root opened with the FS, Linux 5.8 or later (syncfs
// reports writeback errors), ext2/3/4 (they share one magic number), and
// no journal, which the kernel shows as the journal task "<none>" in
// /sys/fs/ext4/DEVICE/journal_task. Anything it cannot read answers no.
func (s *syncFS) decide() {
	if s.top == nil || !kernelAtLeast(5, 8) {
		return
	}
	var sfs unix.Statfs_t
	if unix.Fstatfs(fd(s.top), &sfs) != nil || sfs.Type != unix.EXT4_SUPER_MAGIC {
		return
	}
	var st unix.Stat_t
	if unix.Fstat(fd(s.top), &st) != nil {
		return
	}
	dev, err := os.Readlink(fmt.Sprintf("/sys/dev/block/%d:%d", unix.Major(st.Dev), unix.Minor(st.Dev)))
	if err != nil {
		return
	}
	task, err := os.ReadFile("/sys/fs/ext4/" + path.Base(dev) + "/journal_task")
	if err != nil || string(bytes.TrimSpace(task)) != "<none>" {
		return
	}
	s.yes, s.dev = true, st.Dev
}

// kernelAtLeast reports whether the running kernel's release is at least
// major.minor.
func kernelAtLeast(major, minor int) bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	return releaseAtLeast(unix.ByteSliceToString(u.Release[:]), major, minor)
}

// releaseAtLeast reports whether the kernel release rel ("6.18.0-rc1",
// "5.8.0-63-generic") is at least major.minor; one it cannot read is not.
func releaseAtLeast(rel string, major, minor int) bool {
	parts := strings.SplitN(rel, ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err1 := strconv.Atoi(parts[0])
	num := parts[1]
	if i := strings.IndexFunc(num, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		num = num[:i]
	}
	min, err2 := strconv.Atoi(num)
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && min >= minor
}
