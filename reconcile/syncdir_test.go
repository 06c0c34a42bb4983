package reconcile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestSyncDirRealFolders syncs real folders through the confined root. On
// Windows this is the check that a read-only folder handle no longer makes
// every apply fail with "fsync .: Access is denied".
func TestSyncDirRealFolders(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a", "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := openFS(t, dir)
	for _, d := range []string{".", "a", "a/b"} {
		if err := f.SyncDir(d); err != nil {
			t.Errorf("SyncDir(%q): %v", d, err)
		}
	}
	if err := f.SyncDir("missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SyncDir(missing) = %v, want not exist", err)
	}
}
