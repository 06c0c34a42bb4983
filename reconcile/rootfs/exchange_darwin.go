//go:build darwin && !links_portable

package rootfs

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ExchangeBuilt says this build has an atomic exchange (the volume may
// still refuse it at run time).
const ExchangeBuilt = true

// exchange swaps a and b in the folder dirfd with renameatx_np(RENAME_SWAP)
// (macOS 10.12 and later). A volume that cannot swap (APFS and HFS+ can;
// SMB, NFS, FAT and exFAT may not) answers ENOTSUP or EINVAL: "not
// supported here", and apply uses its fallback order.
func exchange(dirfd int, a, b string) error {
	err := unix.RenameatxNp(dirfd, a, dirfd, b, unix.RENAME_SWAP)
	if unsupportedRenameFlag(err) {
		return fmt.Errorf("%w: %w", ErrExchangeUnsupported, err)
	}
	return err
}

// renameNoReplace renames without replacing an existing destination, with
// renameatx_np(RENAME_EXCL).
func renameNoReplace(fromfd int, from string, tofd int, to string) error {
	err := unix.RenameatxNp(fromfd, from, tofd, to, unix.RENAME_EXCL)
	if unsupportedRenameFlag(err) {
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

func unsupportedRenameFlag(err error) bool {
	switch err {
	case unix.EINVAL, unix.ENOTSUP, unix.EOPNOTSUPP, unix.ENOSYS:
		return true
	}
	return false
}
