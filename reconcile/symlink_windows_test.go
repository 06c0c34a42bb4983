//go:build windows

package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/linksdev/links/internal/symlinktest"
)

func TestSymlinkErrorAdvice(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&os.LinkError{Op: "symlinkat", Old: "t", New: "a", Err: windows.ERROR_PRIVILEGE_NOT_HELD}, "Developer Mode"},
		{windows.ERROR_PRIVILEGE_NOT_HELD, "elevated prompt"},
		{windows.ERROR_ACCESS_DENIED, "symlink a/b:"},
	}
	for _, tt := range tests {
		got := symlinkError("a/b", tt.err).Error()
		if !strings.Contains(got, tt.want) || !strings.HasPrefix(got, "symlink a/b: ") {
			t.Errorf("symlinkError(%v) = %q, want it to start with \"symlink a/b: \" and contain %q", tt.err, got, tt.want)
		}
	}
	if got := symlinkError("a/b", windows.ERROR_ACCESS_DENIED).Error(); strings.Contains(got, "Developer Mode") {
		t.Errorf("access denied got the privilege advice: %q", got)
	}
}

// TestSymlinkByPathIsChecked makes a directory link by path (the way used
// for a directory target outside root and in Developer Mode). Where the
// system can make symlinks, it is a directory link; where it reports
// success and makes nothing (Wine 8), the change fails instead of
// reporting a link that is not there.
func TestSymlinkByPathIsChecked(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	if err := os.MkdirAll(filepath.Join(root, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(base, "outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := newRootFS(r)
	defer f.Close()
	text := `..\..\outside`
	isDir, inside := f.targetIsDir(text, "a")
	if !isDir || inside {
		t.Fatalf("targetIsDir(%q) = %v, %v; want a directory outside root", text, isDir, inside)
	}
	err = f.symlink(text, "a", "l")
	if reason := symlinktest.Reason(); reason != "" {
		if err == nil || !strings.Contains(err.Error(), "no such link is found beneath root") {
			t.Fatalf("symlinks do not work here (%s), yet symlink = %v; want the not-found error", reason, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(root, "a", "l"))
	if err != nil || !fi.IsDir() {
		t.Errorf("a/l does not open as a directory: %v, %v", fi, err)
	}
}
