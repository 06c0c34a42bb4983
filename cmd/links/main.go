package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/linksdev/links/reconcile"
)

func main() {
	ignoreSIGPIPE()
	tuneGC()
	startTrace()
	reconcile.UseSyncFS = os.Getenv("LINKS_SYNCFS") != "off"
	stop := startProfiles()
	code := Main(os.Args[1:])
	stop()
	os.Exit(code)
}

// The garbage collector's settings, unless GOGC or GOMEMLIMIT set others.
// links is a short-lived batch program that allocates most of what it
// keeps up front (the manifest, the observations, the plan):
//
//   - Under a soft limit of 768 MiB, near which the collector works harder
//     instead of growing the heap.
//   - While it works on a manifest of fewer than largeManifest links, the
//     collector is off (GOGC=off): it runs only if the heap nears the
//     limit. It was chosen when a 100,000-link plan allocated ~350 MB of
//     yaml garbage; the parse now allocates little (manifest/lines.go),
//     and GOGC=100 was measured again (linksbench, 100,000 links, quiet
//     machine): peak memory 124 against 154 MiB, but apply's create
//     1.77 s against 1.58 s and 2.77 against 2.45 s of CPU - marking a
//     growing live heap again and again costs more than the fresh pages
//     it saves (~11 us each on the VM measured). Peak RSS is what the
//     command allocates: ~115-155 MB at 100,000 links.
//   - For manifests of largeManifest links or more, GOGC drops to 50 once
//     the manifest is loaded. A plan of a million links keeps ~620 MB live,
//     close to the limit; when the collector cannot hold the limit (Go
//     caps its CPU share at half), the heap grows to what GOGC allows, and
//     at 300 a 1M-link verify was seen at 1.3 GB. At 50 it stays within
//     1.5× of live.
//   - Otherwise (a scan walks trees of any size, whose garbage is not
//     bounded by a manifest), GOGC=300: the heap grows to four times what
//     is live between collections.
//
// The limit refuses nothing: a larger live heap is only collected more
// often. docs/performance.md has the figures.
const (
	defaultGCPercent   = 300
	largeGCPercent     = 50
	largeManifest      = 250_000
	defaultMemoryLimit = 768 << 20
	treeCollectMin     = 20_000
)

func tuneGC() {
	hugePages = os.Getenv("LINKS_HUGE_PAGES") != "off"
	setGC := os.Getenv("GOGC") == ""
	if setGC {
		debug.SetGCPercent(defaultGCPercent)
		gcHooks.walking = func() { debug.SetGCPercent(defaultGCPercent) }
	}
	gcHooks.loading = func(size int64) {
		if setGC {
			debug.SetGCPercent(-1)
		}
		reserveHeap(size * heapPerManifestByte)
	}
	gcHooks.loaded = func(links int) {
		if setGC && links >= largeManifest {
			debug.SetGCPercent(largeGCPercent)
		}
		reserveHeap(int64(links) * heapPerLink)
	}
	gcHooks.walked = func(links int) {
		// The heap is reserved for the members (see heap.go) before the
		// walk's garbage is collected: while it is still held, the
		// reservation comes from fresh address space. Reserved after
		// the collection, it sometimes began in the pages the walk had
		// freed, and the allocator zeroed all of it before it could be
		// advised: a tree plan of 100,000 files peaked at 200 MiB
		// instead of 104, in 4 plans of 24 (none of 24 with this order).
		reserved := heapReserved
		gcHooks.loaded(links)
		// The walk's own garbage (listings, the member list: ~120 bytes
		// a member) is collected, so that the links' changes reuse it:
		// a plan of a tree of 100,000 files peaked at 127 MiB without,
		// 114 with (and 126 for the same links written out), in the
		// same time. A reservation collects it already (hugeHeap).
		// Below treeCollectMin it is not worth a collection.
		if links >= treeCollectMin && heapReserved == reserved {
			runtime.GC()
		}
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// gcHooks, set by main (tests running Main leave them nil), fit the
// collector to the work at hand (see tuneGC) unless GOGC is set, and
// reserve the heap in huge pages (see heap.go).
var gcHooks struct {
	loading func(size int64) // a manifest of size bytes is about to be parsed
	loaded  func(links int)  // it was, and declares links
	walked  func(links int)  // its trees were walked: links declared in all
	walking func()           // a scan is about to walk trees of any size
}

// startTrace prints, when $LINKS_TRACE is set, what plan and apply are
// doing and when, one line each on stderr, timed from the process start:
// where a slow run spends its time, without a profiler.
func startTrace() {
	if os.Getenv("LINKS_TRACE") == "" {
		return
	}
	start := time.Now()
	var mu sync.Mutex
	reconcile.Trace = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stderr, "links: trace %8.3fs %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
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
