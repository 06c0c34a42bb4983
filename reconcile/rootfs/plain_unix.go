//go:build unix

package rootfs

import (
	"golang.org/x/sys/unix"

	"github.com/linksdev/links/reconcile/scan"
)

// Kind says what dir/name is without following a final symlink, in
// one system call; ok is false when it cannot tell (the caller follows
// the name instead).
func (f *FS) Kind(dir, name string) (kind scan.Kind, ok bool) {
	d, err := f.dir(dir)
	if err != nil {
		return 0, false
	}
	var st unix.Stat_t
	switch err := unix.Fstatat(fd(d), name, &st, unix.AT_SYMLINK_NOFOLLOW); err {
	case nil:
		return scan.ModeKind(uint32(st.Mode)), true
	case unix.ENOENT:
		return scan.KindMissing, true
	}
	return 0, false
}
