//go:build unix

package main

import (
	"os/signal"
	"syscall"
)

// ignoreSIGPIPE keeps `links apply | head` from killing links halfway
// through an apply when the reader goes away: writes to the closed pipe
// then fail instead, and the apply runs to its end.
func ignoreSIGPIPE() { signal.Ignore(syscall.SIGPIPE) }
