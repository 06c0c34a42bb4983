//go:build !linux

package main

// hugeHeap does nothing: transparent huge pages are Linux's (see heap.go).
func hugeHeap(n int) {}
