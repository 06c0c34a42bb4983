//go:build unix

package reconcile

import "golang.org/x/sys/unix"

var errCrossDevice error = unix.EXDEV
