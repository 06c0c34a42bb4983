//go:build unix

package reconcile

import (
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// lstatKind says what is at p without following a final symlink.
func lstatKind(p string) (entryKind, error) {
	var st unix.Stat_t
	for {
		err := unix.Lstat(p, &st)
		switch err {
		case nil:
			return kindOf(uint32(st.Mode)), nil
		case unix.EINTR:
			continue
		case unix.ENOENT, unix.ENOTDIR:
			return kindMissing, nil
		}
		return kindError, pathErr("lstat", p, err)
	}
}

func kindOf(mode uint32) entryKind {
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return kindDir
	case unix.S_IFLNK:
		return kindLink
	}
	return kindFile
}

// pathDev returns the device (filesystem) p lies on.
func pathDev(p string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return 0, pathErr("stat", p, err)
	}
	return uint64(st.Dev), nil
}

// fileDev returns the device of an open file's FileInfo.
//
//lint:ignore U1000 used by scan_other.go, which Linux builds do not include
func fileDev(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev)
	}
	return 0
}
