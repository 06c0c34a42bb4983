//go:build !linux || links_portable

package rootfs

import "github.com/linksdev/links/reconcile/scan"

// ListingSupported is false: only Linux's listings are known to match
// lookups name for name (see listing.go).
const ListingSupported = false

func (f *FS) ReadNames(dir string, expect, max int) map[string]scan.Kind { return nil }
