package main

import "runtime/debug"

// Fresh heap pages. links allocates most of what it keeps up front (the
// manifest, the observations, the plan), and every 4 KiB page of new heap
// costs a page fault when first touched: 11-16 us each on the VM measured,
// so the ~38,000 faults of an apply of 100,000 links took ~0.4 s of its
// ~1.6 s (docs/performance.md, "fresh memory, and huge pages"). Where the
// kernel gives transparent huge pages on request (THP "madvise", the
// default of Debian and Ubuntu, or "always"), reserveHeap asks for 2 MiB
// pages for the heap the command is about to use: one fault instead of
// 512. Elsewhere (THP "never", other systems) it changes nothing but the
// reservation's bookkeeping. It takes no more than half of the 2 MiB
// blocks the kernel has free (heap_linux.go: a fault must not wait for
// memory to be compacted). LINKS_HUGE_PAGES=off turns it off.
//
// The reservation follows the work: heapPerManifestByte per byte of the
// manifest file before it is parsed, heapPerTree per tree entry before
// the trees are walked (their size is not known yet, and the walk itself
// allocates ~500 bytes a member), and heapPerLink per declared link once
// they are known (a tree's members only after the walk). Reserving more
// than is used costs nothing but address space: untouched pages are
// never faulted in. (An allocation made there is zeroed by the allocator,
// though, all of it: a buffer sized far beyond its use now costs its
// size.)
//
// Measured peaks at 100,000 links, for a 5.9 MB manifest: 236 MB for an
// apply that updates them all, 158 MB for one that creates them, 133 MB
// for plan; the manifest factor covers the largest (at 28, the updates'
// last 70 MB took 17,000 small faults). Below minHeapReserve it is not
// worth a collection; above maxHeapReserve (a manifest of ~100,000 links)
// the rest of the heap takes ordinary pages, so that a huge manifest does
// not hold a large reservation against the memory limit.
const (
	heapPerManifestByte = 40
	heapPerLink         = 1600
	heapPerTree         = 64 << 20
	minHeapReserve      = 8 << 20
	maxHeapReserve      = 256 << 20
)

var (
	// hugePages is false when $LINKS_HUGE_PAGES is "off".
	hugePages bool
	// heapReserved is what reserveHeap has reserved so far.
	heapReserved int64
)

// reserveHeap makes sure that about want bytes of heap have been asked
// for in huge pages (see above).
func reserveHeap(want int64) {
	if !hugePages {
		return
	}
	// A third of the collector's soft limit at most (256 MiB of the
	// default 768): a GOMEMLIMIT set low (a small container) is not spent
	// on a reservation.
	want = min(want, debug.SetMemoryLimit(-1)/3)
	if n := reservation(want, heapReserved); n > 0 {
		heapReserved += int64(hugeHeap(int(n)))
	}
}

// reserveHeapMore asks for n bytes more than reserveHeap has reserved so
// far (a tree about to be walked, whose size is not known yet).
func reserveHeapMore(n int64) { reserveHeap(heapReserved + n) }

// reservation is how much more to reserve for want bytes when reserved
// already are: none below minHeapReserve, nothing past maxHeapReserve.
func reservation(want, reserved int64) int64 {
	n := min(want, maxHeapReserve) - reserved
	if n < minHeapReserve {
		return 0
	}
	return n
}
