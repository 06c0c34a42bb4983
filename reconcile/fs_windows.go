//go:build windows

package reconcile

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"syscall"

	"golang.org/x/sys/windows"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// On Windows the operations go through os.Root, which opens each name
// relative to a handle on its folder (NtCreateFile with a root directory);
// symlink_windows.go says when a link is made by path instead. What runs
// under Wine and what does not: docs/platforms.md.

func openDir(r *os.Root, rel string) (*os.File, error) {
	return r.Open(rel)
}

func (f *rootFS) Lstat(dir, name string) (Stat, error) {
	p := path.Join(dir, name)
	fi, err := f.root.Lstat(p)
	if err != nil {
		return Stat{}, err
	}
	s := Stat{}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		s.Type = plan.TypeSymlink
		s.Link, err = f.root.Readlink(p)
		return s, err
	case fi.Mode().IsRegular():
		s.Type = plan.TypeFile
	case fi.IsDir():
		s.Type, s.IsDir = plan.TypeDir, true
	default:
		s.Type = plan.TypeOther
	}
	s.Identity = fmt.Sprintf("%d:%d", fi.Size(), fi.ModTime().UnixNano())
	return s, nil
}

// stat follows dir/name and reports whether it exists and is a folder.
func (f *rootFS) stat(dir, name string) (isDir bool, statErr, err error) {
	fi, err := f.root.Stat(path.Join(dir, name))
	if err != nil {
		return false, err, nil
	}
	return fi.IsDir(), nil, nil
}

// Symlink creates dir/name with the link text, a directory link where
// kind or the target says so (see symlink_windows.go).
func (f *rootFS) Symlink(text, dir, name string, kind manifest.Kind) error {
	return f.symlink(text, dir, name, kind)
}

// Rename renames dir/from over dir/to. Windows replaces a file or a file
// link this way, atomically, but not a directory link (to the system it
// is a directory): that failure is marked errDirLinkInTheWay, and the
// caller moves the old link aside instead.
func (f *rootFS) Rename(dir, from, to string) error {
	err := f.root.Rename(path.Join(dir, from), path.Join(dir, to))
	if err != nil && f.isDirLink(path.Join(dir, to)) {
		return fmt.Errorf("%w (%w)", err, errDirLinkInTheWay)
	}
	return err
}

// isDirLink says whether p is a directory symlink: a symlink whose own
// attributes carry FILE_ATTRIBUTE_DIRECTORY (SYMBOLIC_LINK_FLAG_DIRECTORY
// at its creation).
func (f *rootFS) isDirLink(p string) bool {
	fi, err := f.root.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return false
	}
	d, ok := fi.Sys().(*syscall.Win32FileAttributeData)
	return ok && d.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0
}

// exchangeBuilt says this build has no atomic exchange: Windows has none.
const exchangeBuilt = false

func (f *rootFS) Exchange(dir, a, b string) error { return ErrExchangeUnsupported }

func (f *rootFS) Move(fromDir, fromName, toDir, toName string) error {
	if _, err := f.root.Lstat(path.Join(toDir, toName)); err == nil {
		return &fs.PathError{Op: "rename", Path: path.Join(toDir, toName), Err: fs.ErrExist}
	}
	return f.root.Rename(path.Join(fromDir, fromName), path.Join(toDir, toName))
}

func (f *rootFS) Link(fromDir, fromName, toDir, toName string) error {
	return f.root.Link(path.Join(fromDir, fromName), path.Join(toDir, toName))
}

func (f *rootFS) Remove(dir, name string) error {
	return f.root.Remove(path.Join(dir, name))
}
