//go:build unix && ((!linux && !darwin) || links_portable)

package rootfs

import "golang.org/x/sys/unix"

// ExchangeBuilt says this build has no atomic exchange.
const ExchangeBuilt = false

// exchange is unsupported here (other Unix systems, and Linux built with
// the links_portable tag, which CI uses to run the suite through this
// fallback); apply uses its documented fallback order.
func exchange(dirfd int, a, b string) error {
	return ErrExchangeUnsupported
}

// renameNoReplace checks, then renames (a race only with another writer
// inside state_dir, which the lock excludes).
func renameNoReplace(fromfd int, from string, tofd int, to string) error {
	var st unix.Stat_t
	if unix.Fstatat(tofd, to, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
		return unix.EEXIST
	}
	return unix.Renameat(fromfd, from, tofd, to)
}
