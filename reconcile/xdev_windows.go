//go:build windows

package reconcile

import "golang.org/x/sys/windows"

var errCrossDevice error = windows.ERROR_NOT_SAME_DEVICE
