//go:build windows

package rootfs

import "golang.org/x/sys/windows"

var ErrCrossDevice error = windows.ERROR_NOT_SAME_DEVICE
