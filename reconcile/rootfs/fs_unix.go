//go:build unix

package rootfs

import (
	"fmt"
	"os"
	"path"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/scan"
)

// openDir opens a folder handle beneath root. O_DIRECTORY keeps a FIFO from
// blocking the open (PLATFORM-NOTES: os.OpenRoot on a FIFO blocks forever).
func openDir(r *os.Root, rel string) (*os.File, error) {
	return r.OpenFile(rel, os.O_RDONLY|syscall.O_DIRECTORY, 0)
}

func fd(d *os.File) int { return int(d.Fd()) }

func (f *FS) Lstat(dir, name string) (Stat, error) {
	d, err := f.dir(dir)
	if err != nil {
		return Stat{}, err
	}
	return lstatAt(d, name, path.Join(dir, name))
}

func lstatAt(d *os.File, name, shown string) (Stat, error) {
	// readlinkat first: what links mostly finds at a dest is a symlink,
	// which then costs one system call, not two; a missing name fails the
	// same way lstat would. Anything else (EINVAL: not a symlink; a text
	// that fills the buffer; any other error) goes the lstat way, which
	// also reports the errors.
	var buf [256]byte
	n, err := unix.Readlinkat(fd(d), name, buf[:])
	switch {
	case err == nil && n < len(buf):
		return Stat{Type: plan.TypeSymlink, Link: string(buf[:n])}, nil
	case err == unix.ENOENT:
		return Stat{}, scan.PathErr("lstat", shown, err)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(fd(d), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return Stat{}, scan.PathErr("lstat", shown, err)
	}
	s := Stat{}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		s.Type = plan.TypeSymlink
		text, err := readlinkAt(d, name, int(st.Size))
		if err != nil {
			return Stat{}, scan.PathErr("readlink", shown, err)
		}
		s.Link = text
		return s, nil
	case unix.S_IFREG:
		s.Type = plan.TypeFile
	case unix.S_IFDIR:
		s.Type, s.IsDir = plan.TypeDir, true
	default:
		s.Type = plan.TypeOther
	}
	s.Identity = fmt.Sprintf("%d:%d:%d:%d", st.Dev, st.Ino, st.Size, st.Mtim.Nano())
	return s, nil
}

func readlinkAt(d *os.File, name string, size int) (string, error) {
	n := size + 1
	if n < 128 {
		n = 128
	}
	for {
		buf := make([]byte, n)
		got, err := unix.Readlinkat(fd(d), name, buf)
		if err != nil {
			return "", err
		}
		if got < n {
			return string(buf[:got]), nil
		}
		n *= 2
	}
}

// Follow follows dir/name (read-only, not part of the apply seam): it
// reports whether it resolves and to a folder, or why not (statErr).
func (f *FS) Follow(dir, name string) (isDir bool, statErr, err error) {
	d, err := f.dir(dir)
	if err != nil {
		return false, nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(fd(d), name, &st, 0); err != nil {
		return false, err, nil
	}
	return st.Mode&unix.S_IFMT == unix.S_IFDIR, nil, nil
}

// Symlink makes dir/name; kind matters only on Windows (a Unix symlink
// is neither a file link nor a directory link).
func (f *FS) Symlink(text, dir, name string, _ manifest.Kind) error {
	d, err := f.dir(dir)
	if err != nil {
		return err
	}
	return scan.PathErr("symlink", name, unix.Symlinkat(text, fd(d), name))
}

func (f *FS) Rename(dir, from, to string) error {
	d, err := f.dir(dir)
	if err != nil {
		return err
	}
	return scan.PathErr("rename", from, unix.Renameat(fd(d), from, fd(d), to))
}

func (f *FS) Exchange(dir, a, b string) error {
	d, err := f.dir(dir)
	if err != nil {
		return err
	}
	return scan.PathErr("exchange", a, exchange(fd(d), a, b))
}

func (f *FS) Move(fromDir, fromName, toDir, toName string) error {
	src, dst, err := f.dirPair(fromDir, toDir)
	if err != nil {
		return err
	}
	return scan.PathErr("rename", path.Join(fromDir, fromName), renameNoReplace(src, fromName, dst, toName))
}

func (f *FS) Link(fromDir, fromName, toDir, toName string) error {
	src, dst, err := f.dirPair(fromDir, toDir)
	if err != nil {
		return err
	}
	return scan.PathErr("link", path.Join(fromDir, fromName), unix.Linkat(src, fromName, dst, toName, 0))
}

// dirPair opens the folders an operation between two of them needs, as
// descriptors.
func (f *FS) dirPair(fromDir, toDir string) (src, dst int, err error) {
	s, err := f.dir(fromDir)
	if err != nil {
		return 0, 0, err
	}
	d, err := f.dir(toDir)
	if err != nil {
		return 0, 0, err
	}
	return fd(s), fd(d), nil
}

func (f *FS) Remove(dir, name string) error {
	d, err := f.dir(dir)
	if err != nil {
		return err
	}
	err = unix.Unlinkat(fd(d), name, 0)
	if err == unix.EISDIR || err == unix.EPERM {
		if err2 := unix.Unlinkat(fd(d), name, unix.AT_REMOVEDIR); err2 == nil {
			return nil
		}
	}
	return scan.PathErr("remove", name, err)
}
