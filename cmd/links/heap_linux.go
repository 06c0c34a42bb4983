package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

const hugePageSize = 2 << 20

// hugeHeap grows the heap by up to n bytes, asks the kernel to back them
// with huge pages (madvise MADV_HUGEPAGE), and frees them again: the
// allocator hands out its lowest free pages first, so the next allocations
// land there. It returns how many bytes it reserved.
//
// The allocation is not touched (fresh memory from the kernel is known to
// be zero), so nothing is faulted in with small pages first, and the
// collection that frees it is cheap: the heap is small when this runs.
// The advice is only a hint: if it fails (THP compiled out), the heap is
// as it would have been.
//
// A fault in memory advised MADV_HUGEPAGE may stall while the kernel
// compacts memory to find a free 2 MiB block (with THP defrag "madvise",
// Debian's default; why Go's runtime stopped advising its heap, see
// golang/go#61718). So hugeHeap reserves no more than half of the 2 MiB
// blocks the kernel has free right now (/proc/buddyinfo), and nothing
// when that is below minHeapReserve: faults then find their blocks
// without compaction.
func hugeHeap(n int) int {
	n = min(n, freeHugeBlocks()*hugePageSize/2)
	if n < minHeapReserve {
		return 0
	}
	adviseHuge(n)
	runtime.GC()
	return n
}

// adviseHuge allocates n bytes and advises huge pages for them; they are
// garbage once it returns.
//
//go:noinline
func adviseHuge(n int) {
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int((hugePageSize - p%hugePageSize) % hugePageSize)
	if whole := (n - skip) &^ (hugePageSize - 1); skip < n && whole > 0 {
		_ = unix.Madvise(b[skip:skip+whole], unix.MADV_HUGEPAGE)
	}
	runtime.KeepAlive(b)
}

// freeHugeBlocks is how many free 2 MiB blocks the kernel's buddy
// allocator holds (orders 9 and up of /proc/buddyinfo, on x86-64 and
// arm64 with 4 KiB pages); 0 if it cannot tell.
func freeHugeBlocks() int {
	b, err := os.ReadFile("/proc/buddyinfo")
	if err != nil {
		return 0
	}
	return parseBuddyInfo(b, hugePageSize/os.Getpagesize())
}

// parseBuddyInfo sums, over every zone line of a /proc/buddyinfo, the free
// blocks of at least per pages, counted in blocks of per pages.
func parseBuddyInfo(b []byte, per int) int {
	total := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// "Node 0, zone   Normal  14084  31354 ...": counts by order after
		// the zone's name.
		f := bytes.Fields(sc.Bytes())
		if len(f) < 5 || string(f[2]) != "zone" {
			continue
		}
		for order, c := range f[4:] {
			count, err := strconv.Atoi(string(c))
			if err != nil {
				break
			}
			if pages := 1 << order; pages >= per {
				total += count * (pages / per)
			}
		}
	}
	return total
}
