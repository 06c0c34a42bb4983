//go:build linux && !links_portable

package journal

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// reserve allocates n bytes of f from off on, without changing its size
// (fallocate FALLOC_FL_KEEP_SIZE): later writes into that range need no
// new blocks, so they succeed on a full disk. Filesystems that cannot
// (EOPNOTSUPP) get no reservation; that is not an error.
func reserve(f *os.File, off, n int64) error {
	err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_KEEP_SIZE, off, n)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) {
		return nil
	}
	return err
}
