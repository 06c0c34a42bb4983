//go:build race

package main

// raceEnabled: the test binary (and so links-process) runs under the race
// detector, whose shadow memory is faulted in page by page.
const raceEnabled = true
