//go:build windows

package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/scan"
)

// On Windows the operations go through os.Root, which opens each name
// relative to a handle on its folder (NtCreateFile with a root directory);
// symlink_windows.go says when a link is made by path instead. What runs
// under Wine and what does not: docs/platforms.md.

func openDir(r *os.Root, rel string) (*os.File, error) {
	return r.Open(rel)
}

func (f *FS) Lstat(dir, name string) (Stat, error) {
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
	s.Identity, err = f.identity(dir, name, s.IsDir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errChangedWhileLooked) {
			// Not even attributes may be read (an ACL that allows
			// listing the folder but denies FILE_READ_ATTRIBUTES): the
			// weaker fingerprint os.Root.Lstat gives.
			s.Identity = fmt.Sprintf("%d:%d", fi.Size(), fi.ModTime().UnixNano())
			return s, nil
		}
		return Stat{}, scan.PathErr("lstat", p, err)
	}
	return s, nil
}

// errChangedWhileLooked says an entry was replaced between the two looks
// Lstat takes at it.
var errChangedWhileLooked = errors.New("changed while it was looked at")

// identity fingerprints dir/name as Unix does with dev:ino:size:mtime:
// volume serial number, file index, size and last write time, all read by
// GetFileInformationByHandle from one handle. The handle is opened beneath
// dir's folder handle (NtCreateFile with a root directory, as os.Root
// does, so the look stays confined) without following a reparse point
// and with backup semantics (FILE_OPEN_REPARSE_POINT and
// FILE_OPEN_FOR_BACKUP_INTENT, the native forms of CreateFile's
// FILE_FLAG_OPEN_REPARSE_POINT and FILE_FLAG_BACKUP_SEMANTICS, the latter
// needed to open a folder), asking only to read attributes, which a
// program holding the file open does not prevent. isDir is what
// os.Root.Lstat found; a handle that disagrees means the entry was
// replaced in between.
func (f *FS) identity(dir, name string, isDir bool) (string, error) {
	d, err := f.dir(dir)
	if err != nil {
		return "", err
	}
	h, err := openAt(windows.Handle(d.Fd()), name, windows.FILE_READ_ATTRIBUTES)
	if err != nil {
		return "", err
	}
	defer windows.CloseHandle(h)
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return "", err
	}
	return handleIdentity(&info, isDir)
}

// handleIdentity is the fingerprint of an entry from its handle's
// information, checked against what Lstat found.
func handleIdentity(info *windows.ByHandleFileInformation, isDir bool) (string, error) {
	if (info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0) != isDir {
		return "", errChangedWhileLooked
	}
	index := uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow)
	size := uint64(info.FileSizeHigh)<<32 | uint64(info.FileSizeLow)
	return fmt.Sprintf("%d:%d:%d:%d", info.VolumeSerialNumber, index, size, info.LastWriteTime.Nanoseconds()), nil
}

// Follow follows dir/name and reports whether it exists and is a folder.
func (f *FS) Follow(dir, name string) (isDir bool, statErr, err error) {
	fi, err := f.root.Stat(path.Join(dir, name))
	if err != nil {
		return false, err, nil
	}
	return fi.IsDir(), nil, nil
}

// Symlink creates dir/name with the link text, a directory link where
// kind or the target says so (see symlink_windows.go).
func (f *FS) Symlink(text, dir, name string, kind manifest.Kind) error {
	return f.symlink(text, dir, name, kind)
}

// Rename renames dir/from over dir/to. Windows replaces a file or a file
// link this way, atomically, but not a directory link (to the system it
// is a directory): that failure is marked ErrDirLinkInTheWay, and the
// caller moves the old link aside instead.
func (f *FS) Rename(dir, from, to string) error {
	err := f.root.Rename(path.Join(dir, from), path.Join(dir, to))
	if err != nil && f.isDirLink(path.Join(dir, to)) {
		return fmt.Errorf("%w (%w)", err, ErrDirLinkInTheWay)
	}
	return err
}

// isDirLink says whether p is a directory symlink: a symlink whose own
// attributes carry FILE_ATTRIBUTE_DIRECTORY (SYMBOLIC_LINK_FLAG_DIRECTORY
// at its creation).
func (f *FS) isDirLink(p string) bool {
	fi, err := f.root.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return false
	}
	d, ok := fi.Sys().(*syscall.Win32FileAttributeData)
	return ok && d.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0
}

// ExchangeBuilt says this build has no atomic exchange: Windows has none.
const ExchangeBuilt = false

func (f *FS) Exchange(dir, a, b string) error { return ErrExchangeUnsupported }

// Move renames fromDir/fromName to toDir/toName in one step that fails if
// the destination exists: NtSetInformationFile(FileRenameInformation)
// with ReplaceIfExists false (what MoveFileEx does without
// MOVEFILE_REPLACE_EXISTING), on a handle opened beneath fromDir's folder
// handle, naming toName relative to toDir's. Both handles come through
// os.Root, so the move stays confined; and nothing that appears at the
// destination can be replaced (a look first and a rename after could).
func (f *FS) Move(fromDir, fromName, toDir, toName string) error {
	shown := path.Join(fromDir, fromName)
	src, err := f.dir(fromDir)
	if err != nil {
		return err
	}
	dst, err := f.dir(toDir)
	if err != nil {
		return err
	}
	if err := renameNoReplace(windows.Handle(src.Fd()), fromName, windows.Handle(dst.Fd()), toName); err != nil {
		return scan.PathErr("rename", shown, err)
	}
	return nil
}

// fileRenameInformation is FILE_RENAME_INFORMATION (ntifs.h) with room
// for a name; ReplaceIfExists is a BOOLEAN in a union with a ULONG.
type fileRenameInformation struct {
	ReplaceIfExists uint32
	RootDirectory   windows.Handle
	FileNameLength  uint32
	FileName        [windows.MAX_PATH]uint16
}

func renameNoReplace(fromDir windows.Handle, from string, toDir windows.Handle, to string) error {
	h, err := openAt(fromDir, from, windows.DELETE)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	name, err := windows.UTF16FromString(to)
	if err != nil {
		return err
	}
	info := fileRenameInformation{RootDirectory: toDir} // ReplaceIfExists: false
	if len(name) > len(info.FileName) {
		return windows.ERROR_FILENAME_EXCED_RANGE
	}
	copy(info.FileName[:], name)
	info.FileNameLength = uint32((len(name) - 1) * 2)
	err = windows.NtSetInformationFile(h, &windows.IO_STATUS_BLOCK{}, (*byte)(unsafe.Pointer(&info)),
		uint32(unsafe.Sizeof(info)), windows.FileRenameInformation)
	return ntErr(err)
}

// openAt opens name in the folder dir with access (and SYNCHRONIZE),
// sharing everything, without following a reparse point and with backup
// semantics (see identity); the caller closes the handle.
func openAt(dir windows.Handle, name string, access uint32) (windows.Handle, error) {
	u, err := windows.NewNTUnicodeString(name)
	if err != nil {
		return 0, err
	}
	oa := windows.OBJECT_ATTRIBUTES{RootDirectory: dir, ObjectName: u}
	oa.Length = uint32(unsafe.Sizeof(oa))
	var h windows.Handle
	err = windows.NtCreateFile(&h, access|windows.SYNCHRONIZE, &oa, &windows.IO_STATUS_BLOCK{}, nil, 0,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, windows.FILE_OPEN,
		windows.FILE_OPEN_REPARSE_POINT|windows.FILE_OPEN_FOR_BACKUP_INTENT|windows.FILE_SYNCHRONOUS_IO_NONALERT, 0, 0)
	if err != nil {
		return 0, ntErr(err)
	}
	return h, nil
}

// ntErr turns an NTSTATUS into the Win32 error it stands for, which
// errors.Is matches against fs.ErrExist, fs.ErrNotExist and the rest.
func ntErr(err error) error {
	if st, ok := err.(windows.NTStatus); ok {
		return st.Errno()
	}
	return err
}

func (f *FS) Link(fromDir, fromName, toDir, toName string) error {
	return f.root.Link(path.Join(fromDir, fromName), path.Join(toDir, toName))
}

func (f *FS) Remove(dir, name string) error {
	return f.root.Remove(path.Join(dir, name))
}
