//go:build unix

package rootfs

import "golang.org/x/sys/unix"

var ErrCrossDevice error = unix.EXDEV
