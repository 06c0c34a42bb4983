//go:build linux && !links_portable

package rootfs

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ExchangeBuilt says this build has an atomic exchange (the filesystem
// may still refuse it at run time).
const ExchangeBuilt = true

// exchange swaps a and b in the folder dirfd with renameat2(RENAME_EXCHANGE).
// EINVAL (filesystem without rename2 flags: NFS, 9p, some FUSE), ENOSYS (old
// kernel, seccomp) and EOPNOTSUPP mean "not supported here".
func exchange(dirfd int, a, b string) error {
	err := unix.Renameat2(dirfd, a, dirfd, b, unix.RENAME_EXCHANGE)
	switch err {
	case unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP:
		return fmt.Errorf("%w: %w", ErrExchangeUnsupported, err)
	}
	return err
}

// renameNoReplace renames without replacing an existing destination.
func renameNoReplace(fromfd int, from string, tofd int, to string) error {
	err := unix.Renameat2(fromfd, from, tofd, to, unix.RENAME_NOREPLACE)
	switch err {
	case unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP:
		// No flag support: check, then rename (a race only with another
		// writer inside state_dir, which the lock excludes).
		var st unix.Stat_t
		if unix.Fstatat(tofd, to, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
			return unix.EEXIST
		}
		return unix.Renameat(fromfd, from, tofd, to)
	}
	return err
}
