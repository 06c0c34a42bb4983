//go:build unix && !darwin

package main

// maxrssUnit: getrusage's ru_maxrss is in kilobytes on Linux and the BSDs.
const maxrssUnit = 1024
