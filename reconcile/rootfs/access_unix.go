//go:build unix

package rootfs

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// WriteProblem says why this process could not create, rename or remove
// entries in dir/name (a folder; name "." for dir itself), as access(2)
// answers for the effective user: permission denied, a read-only
// filesystem. "" when it can, or when that cannot be told (apply then
// finds out).
func (f *FS) WriteProblem(dir, name string) string {
	d, err := f.dir(dir)
	if err != nil {
		return ""
	}
	switch err := unix.Faccessat(fd(d), name, unix.W_OK|unix.X_OK, unix.AT_EACCESS); err {
	case unix.EACCES, unix.EROFS, unix.EPERM:
		return err.Error()
	}
	return ""
}

// DevOf is the device (filesystem) p lies on, as Stat.Identity writes
// it; "" when p cannot be looked at.
func DevOf(p string) string {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return ""
	}
	return strconv.FormatUint(uint64(st.Dev), 10)
}
