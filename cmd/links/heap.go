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
// The reservation follows the work, and is made once per process, at the
// first of these that reaches minHeapReserve: heapPerManifestByte per byte
// of the manifest file before it is parsed, and heapPerLink per declared
// link once they are known (for a manifest with trees, once their walk
// has found their members: a tree's size is not known before). Reserving more
// than is used costs nothing but address space: untouched pages are never
// faulted in. (An allocation made there is zeroed by the allocator,
// though, all of it: a buffer sized far beyond its use now costs its
// size.)
//
// Once, because a second reservation is such an allocation: placed by the
// allocator at the lowest free pages, it began in the first one's unused
// tail, so the allocator zeroed all of it before it could be advised, and
// what lay past the first reservation came in small pages. A tree of
// 100,000 files (64 MiB reserved before the walk, 88 more after) took
// 17,000 faults and 139 MB instead of 2,200 and 118 MB in 4 runs of 14,
// depending on where the randomized heap began.
//
// Not below minHeapReserve (64 MiB), and not before a tree's walk: a huge
// page is a 2 MiB block of the kernel's, and under a hypervisor that takes
// free memory back (free page reporting through a virtio balloon, as on
// the Firecracker VM measured on 2026-12-07) free 2 MiB blocks are what
// is given back, so a huge page's first touch is often a fault on the
// host too. There a 32 MiB region took 3 ms in huge pages just freed by
// another process, 26-82 ms in huge pages after a few seconds idle, and
// 13-18 ms in small pages either way (small pages come first from the
// kernel's recently freed ones). Measured on linksbench there (fresh ext4
// each): at 10,000 links, six runs each way (three against
// LINKS_HUGE_PAGES=off, three against this threshold), the tree apply
// took 152 ms (median) with the tree's 256 MiB reserved before its walk
// and 135 ms with nothing reserved, the written-out apply 152 and 144 ms;
// at 100,000 links huge pages still win (plan 0.29-0.31 s against
// 0.33-0.37 s with LINKS_HUGE_PAGES=off, two runs each), and reserving
// after the walk left the tree apply and the tree plan no slower (two
// runs each way). 64 MiB lies between the ~25 MiB of 10,000 links and
// the ~150 MiB of 100,000; where exactly the two costs cross was not
// measured.
//
// Measured peaks at 100,000 links, for a 5.9 MB manifest: 236 MB for an
// apply that updates them all, 158 MB for one that creates them, 133 MB
// for plan; the manifest factor covers the largest (at 28, the updates'
// last 70 MB took 17,000 small faults). Above maxHeapReserve (a manifest
// of ~100,000 links) the rest of the heap takes ordinary pages, so that a
// huge manifest does not hold a large reservation against the memory
// limit.
const (
	heapPerManifestByte = 40
	heapPerLink         = 1600
	minHeapReserve      = 64 << 20
	maxHeapReserve      = 256 << 20
)

var (
	// hugePages is false when $LINKS_HUGE_PAGES is "off".
	hugePages bool
	// heapReserved is what reserveHeap has reserved so far.
	heapReserved int64
)

// reserveHeap reserves about want bytes of heap in huge pages, unless a
// reservation was made already (see above).
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

// reservation is how much to reserve for want bytes when reserved already
// are: nothing once a reservation was made, none below minHeapReserve,
// nothing past maxHeapReserve.
func reservation(want, reserved int64) int64 {
	if reserved > 0 {
		return 0
	}
	n := min(want, maxHeapReserve)
	if n < minHeapReserve {
		return 0
	}
	return n
}
