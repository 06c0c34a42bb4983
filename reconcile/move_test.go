package reconcile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FS.Move renames without ever replacing: onto a free name it moves (a
// file, a folder with its content, across folders); onto anything that
// exists it fails with fs.ErrExist and both entries stay as they were.
// Needs no symlink: it runs under Wine too, where Move is Windows' own
// no-replace rename (FileRenameInformation, ReplaceIfExists false).
func TestMoveNeverReplaces(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"a": "file:A", "c": "file:C", "d/f": "file:in d", "empty": "dir", "sub/keep": "file:K"})
	f := openFS(t, root)
	steps := []struct {
		fromDir, from, toDir, to string
		want                     error // nil, fs.ErrExist or fs.ErrNotExist
	}{
		{".", "a", ".", "b", nil},
		{".", "c", ".", "b", fs.ErrExist},
		{".", "d", ".", "b", fs.ErrExist},
		{".", "c", ".", "empty", fs.ErrExist},
		{".", "c", "sub", "keep", fs.ErrExist},
		{".", "d", "sub", "e", nil},
		{".", "missing", ".", "x", fs.ErrNotExist},
	}
	for _, s := range steps {
		err := f.Move(s.fromDir, s.from, s.toDir, s.to)
		switch {
		case s.want == nil && err != nil:
			t.Errorf("Move %s/%s to %s/%s: %v", s.fromDir, s.from, s.toDir, s.to, err)
		case s.want != nil && !errors.Is(err, s.want):
			t.Errorf("Move %s/%s to %s/%s: %v, want %v", s.fromDir, s.from, s.toDir, s.to, err, s.want)
		}
	}
	want := map[string]string{"b": "A", "c": "C", "sub/e/f": "in d", "sub/keep": "K"}
	for p, content := range want {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil || string(b) != content {
			t.Errorf("%s: %q, %v; want %q", p, b, err, content)
		}
	}
	for _, gone := range []string{"a", "d"} {
		if _, err := os.Lstat(filepath.Join(root, gone)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there after its move: %v", gone, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "empty")); err != nil || !fi.IsDir() {
		t.Errorf("empty is no longer a folder: %v", err)
	}
}
