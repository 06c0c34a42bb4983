//go:build unix

package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linksdev/links/plan"
)

// TestLstatAt: readlinkat first, lstat for what is not a symlink, and
// link texts of every length around the first read's buffer.
func TestLstatAt(t *testing.T) {
	dir := t.TempDir()
	texts := map[string]string{}
	for _, n := range []int{1, 255, 256, 257, 4000} {
		name := "l" + strings.Repeat("x", n%7) + string(rune('a'+len(texts)))
		texts[name] = strings.Repeat("t", n)
		if err := os.Symlink(texts[name], filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for name, text := range texts {
		st, err := lstatAt(d, name, name)
		if err != nil || st.Type != plan.TypeSymlink || st.Link != text {
			t.Errorf("lstatAt(symlink of %d bytes) = %s %d bytes, %v", len(text), st.Type, len(st.Link), err)
		}
	}
	for name, want := range map[string]string{"file": plan.TypeFile, "dir": plan.TypeDir} {
		st, err := lstatAt(d, name, name)
		if err != nil || st.Type != want || st.Link != "" || st.Identity == "" {
			t.Errorf("lstatAt(%s) = %+v, %v; want type %s with an identity", name, st, err, want)
		}
	}
	_, err = lstatAt(d, "missing", "shown/missing")
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Op != "lstat" || pe.Path != "shown/missing" {
		t.Errorf("lstatAt(missing) = %v, want lstat shown/missing: not exist", err)
	}
}
