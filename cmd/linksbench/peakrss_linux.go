package main

import (
	"os"
	"runtime/debug"
)

// resetPeakRSS lowers this process's peak resident set size to what it
// holds now, before a tool is started.
//
// Linux charges a child's ru_maxrss with the high-water mark of the memory
// it was forked from: os/exec starts children with clone(CLONE_VM), so at
// exec the child inherits this process's peak. After the harness had
// parsed a 1M-link manifest itself (the yaml.v3 floor, ~1.4 GB), every tool
// it started afterwards reported at least that much, whatever it used: a
// links plan measured at 789 MB before that parse read 1.35 GB after it.
// Returning the free heap to the kernel and resetting the mark
// (/proc/self/clear_refs, "5") keeps a child's figure its own, as long as
// what this process holds live is below it.
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
