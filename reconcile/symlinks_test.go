package reconcile

import (
	"testing"

	"github.com/linksdev/links/internal/symlinktest"
)

// needSymlinks skips the test where this system cannot make symlinks that
// read back as symlinks (see internal/symlinktest).
func needSymlinks(t testing.TB) {
	t.Helper()
	symlinktest.Need(t)
}
