package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// floorReplaceExchange points every existing link of ls at its new text
// with the system calls links apply makes for an update since it stopped
// renaming over the old link (issue 14: no window where a file written at
// the dest meanwhile is destroyed): a temporary link, exchanged with the
// old one (renameat2 RENAME_EXCHANGE), the old one read back
// (readlinkat) and unlinked; then, with fsync, one fsync per folder.
func floorReplaceExchange(ls *linkSet, workers int, fsync bool) error {
	return floorEach(ls, workers, fsync, func(fd int, dir, name, text string) error {
		var buf [256]byte
		tmp := "." + name + ".tmp"
		if err := unix.Symlinkat(text, fd, tmp); err != nil {
			return fmt.Errorf("symlinkat %s/%s: %w", dir, tmp, err)
		}
		if err := unix.Renameat2(fd, tmp, fd, name, unix.RENAME_EXCHANGE); err != nil {
			return fmt.Errorf("renameat2 %s/%s: %w", dir, name, err)
		}
		if _, err := unix.Readlinkat(fd, tmp, buf[:]); err != nil {
			return fmt.Errorf("readlinkat %s/%s: %w", dir, tmp, err)
		}
		if err := unix.Unlinkat(fd, tmp, 0); err != nil {
			return fmt.Errorf("unlinkat %s/%s: %w", dir, tmp, err)
		}
		return nil
	})
}

const floorExchangeSupported = true
