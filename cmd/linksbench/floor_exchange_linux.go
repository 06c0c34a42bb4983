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
	fds, err := openDirs(ls)
	if err != nil {
		return err
	}
	defer closeDirs(fds)
	err = parallel(units(ls, workers), workers, func(u unit) error {
		fd, names, texts := fds[u.dir], ls.Names[u.dir], ls.Texts[u.dir]
		var buf [256]byte
		for i := u.lo; i < u.hi; i++ {
			tmp := "." + names[i] + ".tmp"
			if err := unix.Symlinkat(texts[i], fd, tmp); err != nil {
				return fmt.Errorf("symlinkat %s/%s: %w", ls.Dirs[u.dir], tmp, err)
			}
			if err := unix.Renameat2(fd, tmp, fd, names[i], unix.RENAME_EXCHANGE); err != nil {
				return fmt.Errorf("renameat2 %s/%s: %w", ls.Dirs[u.dir], names[i], err)
			}
			if _, err := unix.Readlinkat(fd, tmp, buf[:]); err != nil {
				return fmt.Errorf("readlinkat %s/%s: %w", ls.Dirs[u.dir], tmp, err)
			}
			if err := unix.Unlinkat(fd, tmp, 0); err != nil {
				return fmt.Errorf("unlinkat %s/%s: %w", ls.Dirs[u.dir], tmp, err)
			}
		}
		return nil
	})
	if err == nil && fsync {
		err = syncDirs(ls, fds, workers)
	}
	return err
}

const floorExchangeSupported = true
