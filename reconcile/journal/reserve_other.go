//go:build !linux || links_portable

package journal

import "os"

// reserve is a no-op where fallocate(FALLOC_FL_KEEP_SIZE) is not
// available: the journal's tail is not reserved there (docs/threat-model.md).
func reserve(f *os.File, off, n int64) error { return nil }
