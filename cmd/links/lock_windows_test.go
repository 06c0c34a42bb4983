//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes the LockFileEx lock links apply takes, without waiting.
func lockFile(f *os.File) error {
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, new(windows.Overlapped))
}
