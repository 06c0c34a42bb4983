package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

func main() {
	ignoreSIGPIPE()
	setMemoryLimit()
	stop := startProfiles()
	code := Main(os.Args[1:])
	stop()
	os.Exit(code)
}

// defaultMemoryLimit is the Go runtime's soft memory limit unless
// GOMEMLIMIT sets another: the garbage collector works harder as the heap
// nears it, rather than letting garbage grow the heap to twice what is
// live. A plan of a million links keeps ~600 MB live; without the limit it
// peaked at 1.2 GB of RSS, with it under 1 GiB (docs/performance.md). It
// is soft: a larger live heap is not refused, only collected more often.
const defaultMemoryLimit = 768 << 20

func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// startProfiles writes a CPU profile to $LINKS_CPUPROFILE and a heap
// profile (after the command) to $LINKS_MEMPROFILE when they are set: the
// profiles docs/performance.md's "what limits each phase" comes from, taken
// from the binary users run rather than from a benchmark's copy of it.
func startProfiles() (stop func()) {
	var cpu *os.File
	if p := os.Getenv("LINKS_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "links: LINKS_CPUPROFILE: %v\n", err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if p := os.Getenv("LINKS_MEMPROFILE"); p != "" {
			f, err := os.Create(p)
			if err == nil {
				runtime.GC()
				err = pprof.WriteHeapProfile(f)
				f.Close()
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "links: LINKS_MEMPROFILE: %v\n", err)
			}
		}
	}
}
