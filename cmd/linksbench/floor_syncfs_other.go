//go:build !linux

package main

import "errors"

// floorCreateSyncFS needs syncfs, which only Linux has; elsewhere its row
// is skipped.
func floorCreateSyncFS(ls *linkSet, workers int) error {
	return errors.New("the syncfs floor needs Linux syncfs")
}

const floorSyncFSSupported = false
