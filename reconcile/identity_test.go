package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linksdev/links/reconcile/rootfs"
)

// Stat.Identity names the entry itself, as dev:ino:size:mtime does on
// Unix (on Windows: volume serial:file index:size:last write time): a
// rename keeps it, another file with the same size and time has another,
// and its device is the one rootfs.DevOf reports for the folder (what plan holds
// against state_dir's to refuse a backup across filesystems). Needs no
// symlink: it runs under Wine too.
func TestIdentityIsTheEntry(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"a": "file:same", "d/f": "file:x"})
	f := openFS(t, root)
	look := func(name string) string {
		t.Helper()
		st, err := f.Lstat(".", name)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(strings.Split(st.Identity, ":")); n != 4 {
			t.Fatalf("%s: identity %q has %d fields, want device:index:size:mtime", name, st.Identity, n)
		}
		return st.Identity
	}
	a := look("a")
	if err := os.Rename(filepath.Join(root, "a"), filepath.Join(root, "b")); err != nil {
		t.Fatal(err)
	}
	if b := look("b"); b != a {
		t.Errorf("identity changed with a rename: %q, then %q", a, b)
	}
	// Another file, same content, same modification time.
	fi, err := os.Stat(filepath.Join(root, "b"))
	if err != nil {
		t.Fatal(err)
	}
	mkTree(t, root, map[string]string{"c": "file:same"})
	if err := os.Chtimes(filepath.Join(root, "c"), time.Time{}, fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if c := look("c"); c == a {
		t.Errorf("two files with the same size and time share the identity %q", c)
	}
	d := look("d")
	if dev := rootfs.DevOf(root); dev == "" || !strings.HasPrefix(a, dev+":") || !strings.HasPrefix(d, dev+":") {
		t.Errorf("rootfs.DevOf(root) = %q; identities %q (file) and %q (folder) should start with it", dev, a, d)
	}
	if _, err := f.Lstat(".", "missing"); !os.IsNotExist(err) {
		t.Errorf("Lstat of a missing name: %v, want not-exist", err)
	}
}
