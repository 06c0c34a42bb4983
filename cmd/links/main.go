package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

func main() {
	ignoreSIGPIPE()
	stop := startProfiles()
	code := Main(os.Args[1:])
	stop()
	os.Exit(code)
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
