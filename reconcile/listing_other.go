//go:build !linux || links_portable

package reconcile

// listingSupported is false: only Linux's listings are known to match
// lookups name for name (see listing.go).
const listingSupported = false

func (f *rootFS) readNames(dir string, max int) map[string]listed { return nil }
