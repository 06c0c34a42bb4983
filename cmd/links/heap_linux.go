package main

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

const hugePageSize = 2 << 20

// hugeHeap grows the heap by n bytes, asks the kernel to back them with
// huge pages (madvise MADV_HUGEPAGE), and frees them again: the allocator
// hands out its lowest free pages first, so the next allocations land
// there. The allocation is not touched (fresh memory from the kernel is
// known to be zero), so nothing is faulted in with small pages first, and
// the collection that frees it is cheap: the heap is small when this runs.
// The advice is only a hint: if it fails (THP compiled out), the heap is
// as it would have been.
func hugeHeap(n int) {
	adviseHuge(n)
	runtime.GC()
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
