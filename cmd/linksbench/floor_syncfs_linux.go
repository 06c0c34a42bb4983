package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// floorCreateSyncFS is floorCreate made durable the way links apply does
// it on ext2/3/4 without a journal: one syncfs of the filesystem instead
// of a fsync per folder (reconcile/rootfs SyncFS; on this benchmark's
// filesystem, which has no journal, links apply does that). The handle
// given to syncfs is opened before the links are made, as links does.
func floorCreateSyncFS(ls *linkSet, workers int) error {
	if len(ls.Dirs) == 0 {
		return nil
	}
	top, err := unix.Open(ls.Dirs[0], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", ls.Dirs[0], err)
	}
	defer unix.Close(top)
	if err := floorCreate(ls, workers, false); err != nil {
		return err
	}
	if err := unix.Syncfs(top); err != nil {
		return fmt.Errorf("syncfs %s: %w", ls.Dirs[0], err)
	}
	return nil
}

const floorSyncFSSupported = true
