//go:build !unix

package main

import "errors"

// The raw-syscall floor uses *at system calls on folder handles, which
// only Unix has; elsewhere the floors are skipped with a note.

var errNoFloor = errors.New("the raw-syscall floor needs Unix *at system calls")

func floorCreate(ls *linkSet, workers int, fsync bool) error  { return errNoFloor }
func floorReplace(ls *linkSet, workers int, fsync bool) error { return errNoFloor }
func floorObserve(ls *linkSet, workers int) error             { return errNoFloor }

func floorCreateMkdir(ls *linkSet, top string, workers int) error { return errNoFloor }

const floorSupported = false
