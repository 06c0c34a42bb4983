//go:build !linux

package main

// resetPeakRSS: see peakrss_linux.go.
func resetPeakRSS() {}
