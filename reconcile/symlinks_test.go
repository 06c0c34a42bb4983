package reconcile

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var symlinkProbe struct {
	once   sync.Once
	reason string // why symlinks cannot be tested here; "" where they can
}

// needSymlinks skips the test where this system cannot make symlinks that
// read back as symlinks. It probes once: create a link, then Lstat it.
// Windows refuses without the privilege or Developer Mode; Wine 8's
// CreateSymbolicLinkW returns TRUE and creates nothing.
func needSymlinks(t testing.TB) {
	t.Helper()
	symlinkProbe.once.Do(func() { symlinkProbe.reason = probeSymlinks() })
	if symlinkProbe.reason != "" {
		t.Skip(symlinkProbe.reason)
	}
}

func probeSymlinks() string {
	dir, err := os.MkdirTemp("", "links-symlink-probe")
	if err != nil {
		return "symlink probe: " + err.Error()
	}
	defer os.Remove(dir)
	p := filepath.Join(dir, "probe")
	if err := os.Symlink("target", p); err != nil {
		if runtime.GOOS == "windows" {
			return "cannot create symlinks here (" + err.Error() + "): enable Developer Mode or run elevated"
		}
		return "cannot create symlinks here: " + err.Error()
	}
	defer os.Remove(p)
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return "symlinks do not work here: creating one reported success but Lstat finds no symlink (Wine's CreateSymbolicLinkW)"
	}
	return ""
}
