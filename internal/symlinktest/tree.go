package symlinktest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TempDir returns a fresh folder for t with the symlinks in its path
// resolved (macOS's /var is one), so that it compares equal to the real
// paths a scan reports.
func TempDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Build makes entries under dir, in path order: "dir", "file:CONTENT" or
// "link:TEXT", where TEXT may use {root} for dir itself (for absolute
// links). Keys are slash-separated paths; missing parents are made. It
// skips t, with Need, where symlinks cannot be made.
func Build(t testing.TB, dir string, entries map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		v := entries[k]
		var err error
		switch {
		case v == "dir":
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(v, "file:"):
			err = os.WriteFile(p, []byte(v[5:]), 0o644)
		case strings.HasPrefix(v, "link:"):
			Need(t)
			err = os.Symlink(strings.ReplaceAll(v[5:], "{root}", dir), p)
		default:
			t.Fatalf("bad entry %s=%s", k, v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// ScanTree has every kind of link a scan tells apart, for Build. It lives
// in root/tree; root/outside is outside the scanned path.
var ScanTree = map[string]string{
	"outside/file":       "file:out",
	"tree/f":             "file:f",
	"tree/dir/g":         "file:g",
	"tree/ok":            "link:f",
	"tree/abs":           "link:{root}/tree/f",
	"tree/broken":        "link:nowhere",
	"tree/notdir":        "link:f/x",
	"tree/loop/a":        "link:b",
	"tree/loop/b":        "link:a",
	"tree/loop/self":     "link:self",
	"tree/toloop":        "link:loop/a",
	"tree/esc":           "link:../outside/file",
	"tree/escabs":        "link:{root}/outside",
	"tree/chain/1":       "link:2",
	"tree/chain/2":       "link:3",
	"tree/chain/3":       "link:../f",
	"tree/chain/broken":  "link:../broken",
	"tree/dirlink":       "link:dir",
	"tree/through":       "link:dirlink/g",
	"tree/dir/up":        "link:..",
	"tree/dir/self":      "link:.",
	"tree/deep/a/b/c":    "link:../../../dir/g",
	"tree/with space/ln": "link:../f",
	"tree/new\nline":     "link:f",
	"tree/.git/hooks/h":  "link:nowhere",
	"tree/dotdot":        "link:dir/../f",
}

// BenchTree builds dirs folders of files files and links links each under
// a fresh folder, and returns it: links to siblings, to other folders,
// absolute, chained, broken and looping, in about the proportions of
// cmd/linksbench's scan tree (--scan-tree).
func BenchTree(b *testing.B, dirs, files, links int) string {
	b.Helper()
	root := TempDir(b)
	for d := 0; d < dirs; d++ {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := 0; f < files; f++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", f)), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		for l := 0; l < links; l++ {
			var text string
			switch k := l * 100 / links; {
			case k < 60:
				text = fmt.Sprintf("f%03d", l%files)
			case k < 75:
				text = fmt.Sprintf("../d%03d/f%03d", (d+l)%dirs, l%files)
			case k < 85:
				text = filepath.Join(root, fmt.Sprintf("d%03d", (d+3*l)%dirs), fmt.Sprintf("f%03d", l%files))
			case k < 90:
				text = "l000"
			case k < 94:
				text = "missing"
			case k < 98:
				text = fmt.Sprintf("../d%03d", (d+1)%dirs)
			default:
				text = fmt.Sprintf("l%03d", l)
			}
			if err := os.Symlink(text, filepath.Join(dir, fmt.Sprintf("l%03d", l))); err != nil {
				b.Fatal(err)
			}
		}
	}
	return root
}
