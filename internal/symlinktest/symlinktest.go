// Package symlinktest lets tests skip, with the reason, where this system
// cannot make symlinks that read back as symlinks.
//
// It probes once per test binary: create a symlink in a temporary folder,
// then Lstat it. Windows refuses without SeCreateSymbolicLinkPrivilege or
// Developer Mode; Wine 8's CreateSymbolicLinkW returns TRUE and creates
// nothing, which only the Lstat shows.
package symlinktest

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var probe struct {
	once   sync.Once
	reason string
}

// Reason says why symlinks cannot be tested here, or "" where they can.
func Reason() string {
	probe.once.Do(func() { probe.reason = run() })
	return probe.reason
}

// Need skips t where symlinks cannot be tested, with the reason.
func Need(t testing.TB) {
	t.Helper()
	if r := Reason(); r != "" {
		t.Skip(r)
	}
}

func run() string {
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
