//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes the flock links apply takes, without waiting.
func lockFile(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) }
