//go:build unix

package scan

import (
	"golang.org/x/sys/unix"
)

// lstatKind says what is at p without following a final symlink.
func lstatKind(p string) (Kind, error) {
	var st unix.Stat_t
	for {
		err := unix.Lstat(p, &st)
		switch err {
		case nil:
			return ModeKind(uint32(st.Mode)), nil
		case unix.EINTR:
			continue
		case unix.ENOENT, unix.ENOTDIR:
			return KindMissing, nil
		}
		return 0, PathErr("lstat", p, err)
	}
}

// ModeKind says what a stat mode (st_mode) is.
func ModeKind(mode uint32) Kind {
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return KindDir
	case unix.S_IFLNK:
		return KindLink
	}
	return KindFile
}

// pathDev returns the device (filesystem) p lies on.
func pathDev(p string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return 0, PathErr("stat", p, err)
	}
	return uint64(st.Dev), nil
}
