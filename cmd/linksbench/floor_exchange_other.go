//go:build !linux

package main

import "errors"

// floorReplaceExchange needs renameat2(RENAME_EXCHANGE), which only Linux
// has; elsewhere its row is skipped.
func floorReplaceExchange(ls *linkSet, workers int, fsync bool) error {
	return errors.New("the exchange floor needs Linux renameat2")
}

const floorExchangeSupported = false
