//go:build unix

package main

import (
	"os"
	"syscall"
	"time"
)

// usage returns the CPU time (user + system) and the peak resident set
// size in bytes of a finished child process.
func usage(ps *os.ProcessState) (cpu time.Duration, maxRSS int64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return ps.UserTime() + ps.SystemTime(), 0
	}
	return ps.UserTime() + ps.SystemTime(), int64(ru.Maxrss) * maxrssUnit
}

// selfCPU is the CPU time (user + system) this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// syncAll flushes every filesystem's dirty data, so that writeback left by
// one measurement does not land in the next one's time.
func syncAll() { syscall.Sync() }
