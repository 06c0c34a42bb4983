//go:build unix

package rootfs

import (
	"errors"
	"io/fs"
	"os"
)

// syncDir fsyncs the folder handle d, which makes the names created,
// renamed or removed in it durable. A filesystem that cannot fsync a
// folder answers EINVAL (fs.ErrInvalid): nothing more can be done there.
func syncDir(d *os.File) error {
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}
