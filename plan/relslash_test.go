package plan

import (
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linksdev/links/manifest"
)

// relSlashSplit is relSlash as first written (split, compare, join): the
// reference the allocation-free one must agree with.
func relSlashSplit(from, to string) string {
	var fs, ts []string
	if from != "." && from != "" {
		fs = strings.Split(from, "/")
	}
	if to != "." && to != "" {
		ts = strings.Split(to, "/")
	}
	i := 0
	for i < len(fs) && i < len(ts) && fs[i] == ts[i] && ts[i] != ".." {
		i++
	}
	parts := make([]string, 0, len(fs)-i+len(ts)-i)
	for range fs[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, ts[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}

func TestRelSlash(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{".", ".", "."},
		{".", "t/a", "t/a"},
		{"l", "l", "."},
		{"l/d00", "t/d00/f1", "../../t/d00/f1"},
		{"a/b", "a/c", "../c"},
		{"a/b", "a/b/c", "c"},
		{"a/b/c", "a", "../.."},
		{"a", "../out", "../../out"},
		{"a/b", "a/../x", "../../x"},
		{"ab", "a/b", "../a/b"},
		{"a", "ab", "../ab"},
	}
	for _, tt := range tests {
		if got := relSlash(tt.from, tt.to); got != tt.want {
			t.Errorf("relSlash(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
		if got := relSlashSplit(tt.from, tt.to); got != tt.want {
			t.Errorf("relSlashSplit(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}

// FuzzRelSlash: relSlash agrees with the reference on clean paths.
func FuzzRelSlash(f *testing.F) {
	for _, s := range [][2]string{{"l/d00", "t/d00/f1"}, {".", "../x"}, {"a/b", "a/../x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, from, to string) {
		from, to = path.Clean("/" + from)[1:], path.Clean(to)
		if from == "" {
			from = "."
		}
		to = strings.TrimPrefix(to, "/")
		if to == "" {
			to = "."
		}
		if got, want := relSlash(from, to), relSlashSplit(from, to); got != want {
			t.Errorf("relSlash(%q, %q) = %q, want %q", from, to, got, want)
		}
	})
}

func TestIDTime(t *testing.T) {
	at := time.Date(2026, 12, 6, 15, 30, 0, 0, time.UTC)
	id := NewID(at, strings.NewReader("\x4f\x2a\x9c"))
	if got, ok := IDTime(id); !ok || !got.Equal(at) {
		t.Errorf("IDTime(%q) = %v, %v; want %v", id, got, ok, at)
	}
	for _, bad := range []string{"", "20261206T153000Z", "20261206T153000Z-", "20261206T153000Z-XYZ", "2026-12-06-4f2a9c", "20261306T153000Z-4f2a9c", "x20261206T153000Z-4f2a9c", "20261206T153000Z-4f2a9c/x"} {
		if _, ok := IDTime(bad); ok {
			t.Errorf("IDTime(%q) accepted it", bad)
		}
	}
}

// TestDestSet: a path is found as a dest by binary search in the sorted
// links, refused at once when no dest is in its folder, and found the
// same way in links made by hand out of order (a map then).
func TestDestSet(t *testing.T) {
	dests := []string{"a/x", "a/y", "b", "c/d/e", "c/f"}
	queries := map[string]int{"a/x": 0, "a/y": 1, "b": 2, "c/d/e": 3, "c/f": 4,
		"a": -1, "a/z": -1, "c/d": -1, "c": -1, "zz/q": -1, "t/a/x": -1, ".": -1}
	for _, sorted := range []bool{true, false} {
		m := &manifest.Manifest{}
		for _, d := range dests {
			m.Links = append(m.Links, manifest.Link{Name: d, Dest: d})
		}
		if !sorted {
			slices.Reverse(m.Links)
		}
		s := newDestSet(m)
		if (s.all == nil) != sorted {
			t.Fatalf("sorted %v: map of every dest made: %v", sorted, s.all != nil)
		}
		for q, want := range queries {
			j, ok := s.index(q)
			switch {
			case want < 0 && ok:
				t.Errorf("sorted %v: %q found at %d, want not a dest", sorted, q, j)
			case want >= 0 && (!ok || m.Links[j].Dest != q):
				t.Errorf("sorted %v: %q: %d, %v; want the link of that dest", sorted, q, j, ok)
			}
		}
	}
}

// TestChangeDirAndOrder: Dir is path.Dir of the clean dest (or Folder);
// Order keeps the plan's order when nothing goes first, and puts a delete
// first otherwise.
func TestChangeDirAndOrder(t *testing.T) {
	for _, d := range []string{"a", "a/b", "a/b/c", "x y/z"} {
		if got := (&Change{Dest: d}).Dir(); got != path.Dir(d) {
			t.Errorf("Dir of %q = %q, want %q", d, got, path.Dir(d))
		}
	}
	if got := (&Change{Dest: "a/b", Folder: "r/a"}).Dir(); got != "r/a" {
		t.Errorf("Dir with Folder = %q", got)
	}
	p := &Plan{Changes: []Change{{Dest: "a", Action: Create}, {Dest: "b", Action: Update}, {Dest: "c", Action: Noop}}}
	if got := p.Order(); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("order %v, want the plan's", got)
	}
	p.Changes[2].Action = Delete
	if got := p.Order(); !slices.Equal(got, []int{2, 0, 1}) {
		t.Errorf("order %v, want the delete first", got)
	}
}
