package reconcile

import (
	"os"
	"testing"

	"github.com/linksdev/links/internal/symlinktest"
	"github.com/linksdev/links/reconcile/rootfs"
)

// noExchangeBuild is why a test of the RENAME_EXCHANGE path skips in a
// build without one (links_portable, Windows, Unix other than Linux and
// macOS).
const noExchangeBuild = "this test follows the RENAME_EXCHANGE path, and this build has no exchange"

// needExchange skips the test in a build without RENAME_EXCHANGE.
func needExchange(t testing.TB) {
	t.Helper()
	if !rootfs.ExchangeBuilt {
		t.Skip(noExchangeBuild)
	}
}

// openFS opens root as a rootfs.FS, closed when the test ends.
func openFS(t *testing.T, root string) *rootfs.FS {
	t.Helper()
	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	f := rootfs.New(r)
	t.Cleanup(func() { f.Close() })
	return f
}

// needSymlinks skips the test where this system cannot make symlinks that
// read back as symlinks (see internal/symlinktest).
func needSymlinks(t testing.TB) {
	t.Helper()
	symlinktest.Need(t)
}
