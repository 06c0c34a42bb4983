//go:build windows

package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/linksdev/links/internal/symlinktest"
	"github.com/linksdev/links/manifest"
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
	f := testFS(t, root, filepath.Join(root, "a"), filepath.Join(base, "outside"))
	text := `..\..\outside`
	isDir, inside := f.targetIsDir(text, "a")
	if !isDir || inside {
		t.Fatalf("targetIsDir(%q) = %v, %v; want a directory outside root", text, isDir, inside)
	}
	err := f.symlink(text, "a", "l", manifest.KindAny)
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

// TestDanglingDirLink makes a link to a folder that does not exist yet:
// with kind: dir it must be a directory link (made by path with
// SYMBOLIC_LINK_FLAG_DIRECTORY, as os.Root.Symlink cannot know), without
// it a file link. Where the system can make symlinks, the link's own
// attributes say which it is. Under Wine, whose CreateSymbolicLinkW makes
// nothing, what can be seen is that kind: dir took the by-path way and
// that it fails rather than report a link that is not there.
func TestDanglingDirLink(t *testing.T) {
	root := t.TempDir()
	f := testFS(t, root, filepath.Join(root, "a"))
	if isDir, _ := f.targetIsDir(`..\later`, "a"); isDir {
		t.Fatal("targetIsDir says a missing target is a folder")
	}
	err := f.Symlink(`..\later`, "a", "dir-link", manifest.KindDir)
	if reason := symlinktest.Reason(); reason != "" {
		if err == nil || !strings.Contains(err.Error(), "created by path, but no such link is found beneath root") {
			t.Fatalf("symlinks do not work here (%s), yet a kind: dir link = %v; want the by-path way's not-found error", reason, err)
		}
		t.Skip(reason + "; checked only that kind: dir took the by-path way")
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Symlink(`..\later`, "a", "file-link", manifest.KindAny); err != nil {
		t.Fatal(err)
	}
	for name, wantDir := range map[string]bool{"dir-link": true, "file-link": false} {
		fi, err := os.Lstat(filepath.Join(root, "a", name))
		if err != nil {
			t.Fatal(err)
		}
		attrs := fi.Sys().(*syscall.Win32FileAttributeData).FileAttributes
		if got := attrs&windows.FILE_ATTRIBUTE_DIRECTORY != 0; got != wantDir || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("a/%s: symlink %v, directory link %v; want a symlink, directory link %v", name, fi.Mode()&os.ModeSymlink != 0, got, wantDir)
		}
	}
	// Once the folder exists, the directory link opens as one.
	if err := os.Mkdir(filepath.Join(root, "later"), 0o755); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, "a", "dir-link")); err != nil || !fi.IsDir() {
		t.Errorf("a/dir-link does not open as a folder once it exists: %v, %v", fi, err)
	}
}

// testFS makes the folders dirs (absolute paths) and opens root as an FS,
// closed when the test ends.
func testFS(t *testing.T, root string, dirs ...string) *FS {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	f := New(r)
	t.Cleanup(func() { f.Close() })
	return f
}
