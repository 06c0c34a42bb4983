package scan

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/linksdev/links/internal/asnobody"
	"github.com/linksdev/links/internal/symlinktest"
)

type wantLink struct {
	status   string
	resolved string // relative to root; "" for none
	hops     int
	absolute bool
}

var scanWant = map[string]wantLink{
	"ok":            {StatusOK, "tree/f", 1, false},
	"abs":           {StatusOK, "tree/f", 1, true},
	"broken":        {StatusBroken, "tree/nowhere", 1, false},
	"notdir":        {StatusBroken, "tree/f/x", 1, false},
	"loop/a":        {StatusLoop, "", 0, false},
	"loop/b":        {StatusLoop, "", 0, false},
	"loop/self":     {StatusLoop, "", 0, false},
	"toloop":        {StatusLoop, "", 0, false},
	"esc":           {StatusEscapes, "outside/file", 1, false},
	"escabs":        {StatusEscapes, "outside", 1, true},
	"chain/1":       {StatusOK, "tree/f", 3, false},
	"chain/2":       {StatusOK, "tree/f", 2, false},
	"chain/3":       {StatusOK, "tree/f", 1, false},
	"chain/broken":  {StatusBroken, "tree/nowhere", 2, false},
	"dirlink":       {StatusOK, "tree/dir", 1, false},
	"through":       {StatusOK, "tree/dir/g", 1, false},
	"dir/up":        {StatusOK, "tree", 1, false},
	"dir/self":      {StatusOK, "tree/dir", 1, false},
	"deep/a/b/c":    {StatusOK, "tree/dir/g", 1, false},
	"with space/ln": {StatusOK, "tree/f", 1, false},
	"new\nline":     {StatusOK, "tree/f", 1, false},
	"dotdot":        {StatusOK, "tree/f", 1, false},
}

func TestScanStatuses(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, symlinktest.ScanTree)
	res, err := Scan([]string{"tree"}, Options{Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Link{}
	for _, l := range res.Links {
		rel := strings.TrimPrefix(filepath.ToSlash(l.Path), "tree/")
		if _, dup := got[rel]; dup {
			t.Errorf("%q reported twice", rel)
		}
		got[rel] = l
	}
	for rel, w := range scanWant {
		l, ok := got[rel]
		if !ok {
			t.Errorf("%q not reported", rel)
			continue
		}
		resolved := ""
		if l.Resolved != "" {
			r, err := filepath.Rel(root, l.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			resolved = filepath.ToSlash(r)
		}
		gotW := wantLink{l.Status, resolved, l.Hops, l.Absolute}
		if gotW != w {
			t.Errorf("%q -> %q: got %+v (%s), want %+v", rel, l.Link, gotW, l.Error, w)
		}
		if (l.Status == StatusBroken || l.Status == StatusLoop) && l.Error == "" {
			t.Errorf("%q: %s without an error message", rel, l.Status)
		}
		if wantText := strings.ReplaceAll(strings.TrimPrefix(symlinktest.ScanTree["tree/"+rel], "link:"), "{root}", root); l.Link != wantText {
			t.Errorf("%q: link text %q, want %q", rel, l.Link, wantText)
		}
	}
	for rel := range got {
		if _, ok := scanWant[rel]; !ok {
			t.Errorf("%q reported, not expected (.git is skipped by default)", rel)
		}
	}
	if !sort.SliceIsSorted(res.Links, func(i, j int) bool { return res.Links[i].Path < res.Links[j].Path }) {
		t.Error("links not sorted by path")
	}
	// The walk did not follow dir/up, dir/self or dirlink: only the real
	// folders were read (tree, dir, loop, chain, deep, deep/a, deep/a/b,
	// "with space").
	if res.Dirs != 8 {
		t.Errorf("read %d folders, want 8 (folder links must not be followed)", res.Dirs)
	}
	s := res.Summary()
	want := Summary{Links: len(scanWant), OK: 13, Broken: 3, Loop: 4, Escapes: 2, Absolute: 2, Chained: 3, MaxHops: 3, Dirs: 8, Entries: s.Entries}
	if s != want {
		t.Errorf("summary %+v, want %+v", s, want)
	}
}

func TestScanWorkersAgree(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, symlinktest.ScanTree)
	var first *Result
	for _, w := range []int{1, 2, 7} {
		res, err := Scan([]string{filepath.Join(root, "tree")}, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
			continue
		}
		if !reflect.DeepEqual(res, first) {
			t.Errorf("%d workers: result differs from 1 worker", w)
		}
	}
}

func TestScanBoundary(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, symlinktest.ScanTree)
	// With --root at the parent, links into outside/ stay inside.
	res, err := Scan([]string{"tree"}, Options{Dir: root, Root: "."})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Summary(); s.Escapes != 0 || s.OK != 15 {
		t.Errorf("with root at the parent: %+v, want 0 escapes, 15 ok", s)
	}
	// Scanning a subfolder: links leading out of it escape.
	res, err = Scan([]string{filepath.Join(root, "tree", "chain")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"1": StatusEscapes, "2": StatusEscapes, "3": StatusEscapes, "broken": StatusBroken}
	for _, l := range res.Links {
		if w := want[filepath.Base(l.Path)]; l.Status != w {
			t.Errorf("%s: %s, want %s", l.Path, l.Status, w)
		}
	}
	if len(res.Links) != len(want) {
		t.Errorf("%d links, want %d", len(res.Links), len(want))
	}
}

func TestScanExcludes(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, symlinktest.ScanTree)
	count := func(opts Options) map[string]bool {
		t.Helper()
		opts.Dir = root
		res, err := Scan([]string{"tree"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, l := range res.Links {
			found[strings.TrimPrefix(filepath.ToSlash(l.Path), "tree/")] = true
		}
		return found
	}
	if got := count(Options{IncludeGit: true}); !got[".git/hooks/h"] {
		t.Error("IncludeGit: .git/hooks/h not reported")
	}
	got := count(Options{Exclude: []string{"loop", "chain/[12]", "*space*"}})
	for _, gone := range []string{"loop/a", "loop/b", "chain/1", "chain/2", "with space/ln"} {
		if got[gone] {
			t.Errorf("%s reported despite the excludes", gone)
		}
	}
	for _, kept := range []string{"chain/3", "toloop", "ok"} {
		if !got[kept] {
			t.Errorf("%s excluded, should not be", kept)
		}
	}
	got = count(Options{SkipDirs: []string{filepath.Join(root, "tree", "deep")}})
	if got["deep/a/b/c"] {
		t.Error("SkipDirs: deep/a/b/c reported")
	}
	if _, err := Scan([]string{"tree"}, Options{Dir: root, Exclude: []string{"[x"}}); err == nil {
		t.Error("a bad glob is accepted")
	}
}

func TestScanUnreadableFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("chmod 000 does not make a folder unreadable on Windows")
	}
	if asnobody.Rerun(t) {
		return
	}
	if os.Getuid() == 0 {
		t.Skip("running as root: permissions are not enforced, so a chmod 000 folder stays readable, and the rerun as nobody is not available; run the tests as another user to cover this")
	}
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, map[string]string{
		"f":          "file:f",
		"ok":         "link:f",
		"locked/in":  "link:../f",
		"into":       "link:locked/in",
		"zz/visible": "link:../f",
	})
	locked := filepath.Join(root, "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	res, err := Scan([]string{root}, Options{})
	if err != nil {
		t.Fatalf("an unreadable folder must not fail the scan: %v", err)
	}
	if len(res.Unreadable) != 1 || res.Unreadable[0].Path != locked {
		t.Fatalf("unreadable = %v, want [%s]", res.Unreadable, locked)
	}
	st := map[string]string{}
	for _, l := range res.Links {
		st[filepath.Base(l.Path)] = l.Status
	}
	want := map[string]string{"ok": StatusOK, "visible": StatusOK, "into": StatusBroken}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("statuses %v, want %v (a link through an unreadable folder is broken: permission denied)", st, want)
	}
}

func TestScanStartPaths(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, map[string]string{
		"real/f":    "file:f",
		"real/ln":   "link:f",
		"todir":     "link:real",
		"tofile":    "link:real/f",
		"plainfile": "file:x",
	})
	// A path that is a link to a folder is followed (like find -H); its
	// links are shown under the path as given.
	res, err := Scan([]string{"todir", "tofile", "plainfile"}, Options{Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, l := range res.Links {
		paths = append(paths, filepath.ToSlash(l.Path)+"="+l.Status)
	}
	want := []string{"todir/ln=ok", "tofile=ok"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("got %v, want %v", paths, want)
	}
	if _, err := Scan([]string{"nothing-here"}, Options{Dir: root}); err == nil {
		t.Error("a missing path is not an error")
	}
}
