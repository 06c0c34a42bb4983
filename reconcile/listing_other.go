//go:build !linux || links_portable

package reconcile

import "github.com/linksdev/links/reconcile/scan"

// listingSupported is false: only Linux's listings are known to match
// lookups name for name (see listing.go).
const listingSupported = false

func (f *rootFS) readNames(dir string, max int) map[string]scan.Kind { return nil }
