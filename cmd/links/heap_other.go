//go:build !linux

package main

// hugeHeap reserves nothing: transparent huge pages are Linux's (see
// heap.go).
func hugeHeap(n int) int { return 0 }
