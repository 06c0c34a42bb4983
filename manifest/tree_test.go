package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSource is a source listing written as paths: "a/b" is a file,
// "a/" a folder, "a/l@" a symlink, "a/p|" a FIFO. Folders on the way are
// implied. It is the pure input ExpandTrees takes, not a filesystem.
type fakeSource struct {
	dirs map[string][]SourceEntry
	fail map[string]error
	// shuffle lists each folder in a random order.
	shuffle *rand.Rand
	mu      sync.Mutex // list is called from several goroutines (tree_ahead.go)
}

func newSource(paths ...string) *fakeSource {
	s := &fakeSource{dirs: map[string][]SourceEntry{".": nil}, fail: map[string]error{}}
	add := func(dir, name string, typ EntryType) {
		for _, e := range s.dirs[dir] {
			if e.Name == name {
				return
			}
		}
		s.dirs[dir] = append(s.dirs[dir], SourceEntry{Name: name, Type: typ})
	}
	for _, p := range paths {
		typ := EntryFile
		switch {
		case strings.HasSuffix(p, "/"):
			typ, p = EntryDir, strings.TrimSuffix(p, "/")
		case strings.HasSuffix(p, "@"):
			typ, p = EntrySymlink, strings.TrimSuffix(p, "@")
		case strings.HasSuffix(p, "|"):
			typ, p = EntryOther, strings.TrimSuffix(p, "|")
		}
		parts := strings.Split(p, "/")
		dir := "."
		for i, c := range parts {
			t := EntryDir
			if i == len(parts)-1 {
				t = typ
			}
			add(dir, c, t)
			dir = path.Join(dir, c)
			if t == EntryDir {
				if _, ok := s.dirs[dir]; !ok {
					s.dirs[dir] = nil
				}
			}
		}
	}
	return s
}

func (s *fakeSource) list(dir string) ([]SourceEntry, error) {
	if err := s.fail[dir]; err != nil {
		return nil, err
	}
	entries, ok := s.dirs[dir]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: syscall.ENOENT}
	}
	out := append([]SourceEntry(nil), entries...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuffle != nil {
		s.shuffle.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out, nil
}

// parseTrees parses a manifest whose links: block is body.
func parseTrees(t *testing.T, body string) *Manifest {
	t.Helper()
	m, err := Parse(testFile, []byte("version: 1\nlinks:\n"+body), testOptions())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// expandAll expands m's trees from sources (by tree name).
func expandAll(m *Manifest, sources map[string]*fakeSource) error {
	lists := make([]ListFunc, len(m.Trees))
	for i := range m.Trees {
		s := sources[m.Trees[i].Name]
		if s == nil {
			s = newSource()
		}
		lists[i] = s.list
	}
	return m.ExpandTrees(lists)
}

// linkLines renders m's links as "NAME DEST -> TARGET" lines.
func linkLines(m *Manifest) []string {
	var out []string
	for _, l := range m.Links {
		s := l.Name + " " + l.Dest + " -> " + l.Target
		if l.Kind == KindDir {
			s += " (dir)"
		}
		out = append(out, s)
	}
	return out
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		glob string
		path string
		dir  bool
		want bool
	}{
		{"**", "a/b/c", false, true},
		{"*", ".bashrc", false, true}, // * matches dotfiles
		{"README.md", "README.md", false, true},
		{"README.md", "doc/README.md", false, true}, // no /: a name at any depth
		{"*.swp", "a/b/.x.swp", false, true},
		{"lua/*.lua", "lua/a.lua", false, true},
		{"lua/*.lua", "x/lua/a.lua", false, false}, // with /: the whole path
		{"lua/*.lua", "lua/sub/a.lua", false, false},
		{"**/*.swp", "a.swp", false, true}, // ** spans zero folders
		{"**/*.swp", "a/b/c.swp", false, true},
		{"build/", "build", true, true}, // trailing /: folders only
		{"build/", "build", false, false},
		{"build/", "x/build", true, true},
		{"a/build/", "a/build", true, true},
		{"a/build/", "b/build", true, false},
		{"{a,b}.txt", "b.txt", false, true},
		{"[ab].txt", "c.txt", false, false},
		{"dot-*", "dot-config", true, true},
		{"na me", "x/na me", false, true},
	}
	for _, tt := range tests {
		p, err := newPattern(tt.glob)
		if err != nil {
			t.Fatalf("newPattern(%q): %v", tt.glob, err)
		}
		if got := p.Match(tt.path, tt.dir); got != tt.want {
			t.Errorf("%q.Match(%q, dir=%v) = %v, want %v", tt.glob, tt.path, tt.dir, got, tt.want)
		}
	}
}

func TestDotfilesName(t *testing.T) {
	tests := map[string]string{
		"dot-bashrc":               ".bashrc",
		"dot-config/nvim/init.lua": ".config/nvim/init.lua",
		"dot-config/dot-git/dot-x": ".config/.git/.x",
		"a/dot-b":                  "a/.b",
		"dot-":                     "dot-",
		"my-dot-file":              "my-dot-file",
		"plain":                    "plain",
	}
	for in, want := range tests {
		if got := DotfilesName(in); got != want {
			t.Errorf("DotfilesName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name   string
		entry  string
		source *fakeSource
		want   []string
		counts [3]int // links, excluded, folded
	}{{
		name:   "every file, mirrored",
		entry:  "dest: .config/nvim\n    target: dotfiles/nvim",
		source: newSource("init.lua", "lua/plugins.lua", "lua/core/opts.lua", "empty/"),
		want: []string{
			"nvim/init.lua .config/nvim/init.lua -> dotfiles/nvim/init.lua",
			"nvim/lua/core/opts.lua .config/nvim/lua/core/opts.lua -> dotfiles/nvim/lua/core/opts.lua",
			"nvim/lua/plugins.lua .config/nvim/lua/plugins.lua -> dotfiles/nvim/lua/plugins.lua",
		},
		counts: [3]int{3, 0, 0},
	}, {
		name:   "dest . is root",
		entry:  "dest: .\n    target: dotfiles/bash",
		source: newSource(".bashrc", ".profile"),
		want: []string{
			"nvim/.bashrc .bashrc -> dotfiles/bash/.bashrc",
			"nvim/.profile .profile -> dotfiles/bash/.profile",
		},
		counts: [3]int{2, 0, 0},
	}, {
		name:   "exclude names and paths; an excluded folder is not entered",
		entry:  "dest: d\n    target: s\n    exclude: [README.md, \"**/*.swp\", cache/]",
		source: newSource("README.md", "a/README.md", "a/x.swp", "a/keep", "cache/big", ".x.swp"),
		want:   []string{"nvim/a/keep d/a/keep -> s/a/keep"},
		counts: [3]int{1, 5, 0},
	}, {
		name:   "include globs pick files at any depth",
		entry:  "dest: bin\n    target: s\n    include: [\"*.sh\"]",
		source: newSource("a.sh", "b.py", "sub/c.sh"),
		want:   []string{"nvim/a.sh bin/a.sh -> s/a.sh", "nvim/sub/c.sh bin/sub/c.sh -> s/sub/c.sh"},
		counts: [3]int{2, 1, 0},
	}, {
		name:   "an included folder includes what is under it",
		entry:  "dest: d\n    target: s\n    include: [lua/]",
		source: newSource("init.lua", "lua/a.lua", "lua/x/b.lua"),
		want:   []string{"nvim/lua/a.lua d/lua/a.lua -> s/lua/a.lua", "nvim/lua/x/b.lua d/lua/x/b.lua -> s/lua/x/b.lua"},
		counts: [3]int{2, 1, 0},
	}, {
		name:   "version control folders are always excluded",
		entry:  "dest: d\n    target: s",
		source: newSource(".git/config", ".hg/x", "a/.svn/y", ".gitignore"),
		want:   []string{"nvim/.gitignore d/.gitignore -> s/.gitignore"},
		counts: [3]int{1, 3, 0},
	}, {
		name:   "symlinks are members, FIFOs skipped",
		entry:  "dest: d\n    target: s",
		source: newSource("l@", "p|", "f"),
		want:   []string{"nvim/f d/f -> s/f", "nvim/l d/l -> s/l"},
		counts: [3]int{2, 0, 0},
	}, {
		name:   "fold makes one folder link",
		entry:  "dest: d\n    target: s\n    fold: [lua/vendor]",
		source: newSource("lua/a.lua", "lua/vendor/x.lua", "lua/vendor/y/z.lua"),
		want:   []string{"nvim/lua/a.lua d/lua/a.lua -> s/lua/a.lua", "nvim/lua/vendor d/lua/vendor -> s/lua/vendor (dir)"},
		counts: [3]int{2, 0, 1},
	}, {
		name:   "dotfiles renames every component; names stay as in the source",
		entry:  "dest: .\n    target: s\n    dotfiles: true\n    fold: [dot-config/dot-vendor]",
		source: newSource("dot-bashrc", "dot-config/nvim/dot-init", "dot-config/dot-vendor/x", "dot-"),
		want: []string{
			"nvim/dot-bashrc .bashrc -> s/dot-bashrc",
			"nvim/dot-config/dot-vendor .config/.vendor -> s/dot-config/dot-vendor (dir)",
			"nvim/dot-config/nvim/dot-init .config/nvim/.init -> s/dot-config/nvim/dot-init",
			"nvim/dot- dot- -> s/dot-",
		},
		counts: [3]int{4, 0, 1},
	}, {
		name:   "names with spaces, newlines and bytes that are not UTF-8",
		entry:  "dest: d\n    target: s",
		source: newSource("a b/c d", "new\nline", "bad\xff\xfe"),
		want: []string{
			"nvim/a b/c d d/a b/c d -> s/a b/c d",
			"nvim/bad\xff\xfe d/bad\xff\xfe -> s/bad\xff\xfe",
			"nvim/new\nline d/new\nline -> s/new\nline",
		},
		counts: [3]int{3, 0, 0},
	}, {
		name:   "absolute target",
		entry:  "dest: d\n    target: /src/dots",
		source: newSource("a"),
		want:   []string{"nvim/a d/a -> /src/dots/a"},
		counts: [3]int{1, 0, 0},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skipOnWindows(t)
			m := parseTrees(t, "  nvim:\n    tree: true\n    "+tt.entry+"\n")
			if len(m.Trees) != 1 || len(m.Links) != 0 {
				t.Fatalf("got %d trees and %d links, want 1 tree, no links", len(m.Trees), len(m.Links))
			}
			if err := expandAll(m, map[string]*fakeSource{"nvim": tt.source}); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, linkLines(m)); d != "" {
				t.Errorf("links (-want +got):\n%s", d)
			}
			tr := &m.Trees[0]
			if got := [3]int{tr.Links, tr.Excluded, tr.Folded}; got != tt.counts {
				t.Errorf("counts (links, excluded, folded) = %v, want %v", got, tt.counts)
			}
			if tr.Problem != "" {
				t.Errorf("Problem = %q", tr.Problem)
			}
			for _, l := range m.Links {
				if l.Tree != "nvim" || l.Pos != tr.Pos {
					t.Errorf("%s: Tree %q Pos %v, want nvim %v", l.Name, l.Tree, l.Pos, tr.Pos)
				}
			}
		})
	}
}

func TestExpandWarnsOfSpecialFiles(t *testing.T) {
	m := parseTrees(t, "  t:\n    tree: true\n    dest: d\n    target: s\n")
	if err := expandAll(m, map[string]*fakeSource{"t": newSource("sock|", "f")}); err != nil {
		t.Fatal(err)
	}
	if w := m.Trees[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "s/sock is not a file, folder or symlink") {
		t.Errorf("Warnings = %q", w)
	}
}

// A walk lists folders in whatever order the filesystem gives: the
// members are the same.
func TestExpandDeterministic(t *testing.T) {
	src := newSource("b/2", "b/1", "a", "c/d/e", "c/d/f", "dot-x/y", "z@")
	var first []string
	for seed := range 20 {
		src.shuffle = rand.New(rand.NewSource(int64(seed)))
		m := parseTrees(t, "  t:\n    tree: true\n    dest: d\n    target: s\n    dotfiles: true\n")
		if err := expandAll(m, map[string]*fakeSource{"t": src}); err != nil {
			t.Fatal(err)
		}
		got := linkLines(m)
		if first == nil {
			first = got
		} else if d := cmp.Diff(first, got); d != "" {
			t.Fatalf("seed %d differs (-first +now):\n%s", seed, d)
		}
	}
	if len(first) != 7 {
		t.Errorf("got %d members, want 7: %q", len(first), first)
	}
}

// A source that cannot be listed, whole or in part, is a Problem and the
// tree declares nothing: never an empty tree.
func TestExpandProblems(t *testing.T) {
	tests := []struct {
		name   string
		source *fakeSource
		fold   string
		want   string
	}{
		{"target missing", &fakeSource{dirs: map[string][]SourceEntry{}}, "", "tree target s does not exist (missing or not mounted)"},
		{"target unreadable", func() *fakeSource {
			s := newSource("a")
			s.fail["."] = &fs.PathError{Op: "open", Path: "/w/s", Err: syscall.EACCES}
			return s
		}(), "", "cannot list s: permission denied"},
		{"a subfolder unreadable", func() *fakeSource {
			s := newSource("a", "sub/b", "sub/deep/c")
			s.fail["sub/deep"] = &fs.PathError{Op: "open", Path: "/w/s/sub/deep", Err: syscall.EACCES}
			return s
		}(), "", "cannot list s/sub/deep: permission denied"},
		{"a subfolder swapped for a symlink while listed", func() *fakeSource {
			s := newSource("sub/b")
			s.fail["sub"] = &fs.PathError{Op: "open", Path: "/w/s/sub", Err: syscall.ELOOP}
			return s
		}(), "", "cannot list s/sub: too many levels of symbolic links"},
		{"fold missing", newSource("a"), "lua", "fold lua: no such folder in target s"},
		{"fold is a file", newSource("lua"), "lua", "fold lua is not a folder in target s (it is a file)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry := "  t:\n    tree: true\n    dest: d\n    target: s\n"
			if tt.fold != "" {
				entry += "    fold: [" + tt.fold + "]\n"
			}
			m := parseTrees(t, entry+"  plain:\n    dest: p\n    target: q\n")
			if err := expandAll(m, map[string]*fakeSource{"t": tt.source}); err != nil {
				t.Fatal(err)
			}
			tr := &m.Trees[0]
			if !strings.Contains(tr.Problem, tt.want) {
				t.Errorf("Problem = %q, want it to contain %q", tr.Problem, tt.want)
			}
			if len(m.Links) != 1 || m.Links[0].Name != "plain" || tr.Links != 0 {
				t.Errorf("links = %q (tree counts %d), want only plain", linkLines(m), tr.Links)
			}
		})
	}
}

// Collisions found only by expanding are errors naming both sides.
func TestExpandCollisions(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		sources map[string]*fakeSource
		want    []string
	}{{
		name:    "two members on one dest (dotfiles)",
		body:    "  t:\n    tree: true\n    dest: d\n    target: s\n    dotfiles: true\n",
		sources: map[string]*fakeSource{"t": newSource("dot-bashrc", ".bashrc")},
		want:    []string{`links.yaml:3:3: links.t: member t/dot-bashrc has dest d/.bashrc, which is also the dest of t/.bashrc (member of tree links.t, line 3); rename one, exclude one, or move one of the entries`},
	}, {
		name:    "a member on another entry's dest",
		body:    "  t:\n    tree: true\n    dest: d\n    target: s\n  x:\n    dest: d/a\n    target: elsewhere\n",
		sources: map[string]*fakeSource{"t": newSource("a")},
		want:    []string{`links.yaml:3:3: links.t: member t/a has dest d/a, which is also the dest of links.x (line 7); rename one, exclude one, or move one of the entries`},
	}, {
		name: "overlapping trees on one file",
		body: "  a:\n    tree: true\n    dest: d\n    target: s1\n  b:\n    tree: true\n    dest: d\n    target: s2\n",
		sources: map[string]*fakeSource{
			"a": newSource("x", "only-a"),
			"b": newSource("x", "only-b"),
		},
		want: []string{`links.yaml:7:3: links.b: member b/x has dest d/x, which is also the dest of a/x (member of tree links.a, line 3); rename one, exclude one, or move one of the entries`},
	}, {
		name: "a fold hiding another tree's members",
		body: "  a:\n    tree: true\n    dest: d\n    target: s1\n    fold: [lua]\n  b:\n    tree: true\n    dest: d/lua\n    target: s2\n",
		sources: map[string]*fakeSource{
			"a": newSource("lua/x"),
			"b": newSource("y"),
		},
		want: []string{`links.yaml:3:3: links.a: fold lua makes d/lua one folder link, which would hide b/y (member of tree links.b, line 8) under it; remove the fold or move that link`},
	}, {
		name:    "an exclude inside a folded folder",
		body:    "  t:\n    tree: true\n    dest: d\n    target: s\n    fold: [vendor]\n    exclude: [\"*.swp\"]\n",
		sources: map[string]*fakeSource{"t": newSource("vendor/a.swp", "b")},
		want:    []string{`links.yaml:8:15: links.t.exclude[0]: exclude "*.swp" matches vendor/a.swp inside folded folder vendor, which the folder link would expose; remove the exclude or the fold`},
	}, {
		name:    "a member in state_dir",
		body:    "  t:\n    tree: true\n    dest: .\n    target: s\n",
		sources: map[string]*fakeSource{"t": newSource(".links/x")},
		want:    []string{`links.yaml:3:3: links.t: member t/.links/x has dest .links/x, inside state_dir .links; exclude it or move the tree's dest`},
	}, {
		name:    "a member on the manifest",
		body:    "  t:\n    tree: true\n    dest: .\n    target: s\n",
		sources: map[string]*fakeSource{"t": newSource("links.yaml")},
		want:    []string{`links.yaml:3:3: links.t: member t/links.yaml has dest links.yaml, the manifest file or a folder holding it; exclude it or move the tree's dest`},
	}, {
		name:    "a member inside its own target",
		body:    "  t:\n    tree: true\n    dest: .\n    target: s\n",
		sources: map[string]*fakeSource{"t": newSource("s/x")},
		want:    []string{`links.yaml:3:3: links.t: member t/s/x has dest s/x, inside the tree's own target s: the link would be written into its source; exclude it or move the tree's dest`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skipOnWindows(t)
			m := parseTrees(t, tt.body)
			err := expandAll(m, tt.sources)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("ExpandTrees = %v, want an ErrorList", err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
		})
	}
}

func TestTreeLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"kind on a tree", "  t:\n    tree: true\n    dest: d\n    target: s\n    kind: dir\n",
			[]string{`links.yaml:7:5: links.t.kind: kind is refused on a tree: each member's kind is what its source is; remove kind`}},
		{"tree keys without tree", "  t:\n    dest: d\n    target: s\n    exclude: [x]\n    dotfiles: true\n",
			[]string{
				`links.yaml:6:5: links.t.exclude: exclude is only for a tree entry; add tree: true, or remove exclude`,
				`links.yaml:7:5: links.t.dotfiles: dotfiles is only for a tree entry; add tree: true, or remove dotfiles`,
			}},
		{"invalid glob", "  t:\n    tree: true\n    dest: d\n    target: s\n    exclude: [ok, \"[a-\"]\n",
			[]string{`links.yaml:7:19: links.t.exclude[1]: invalid glob "[a-": syntax error in pattern; globs use * ? ** [a-z] {a,b} and \ to escape`}},
		{"absolute glob", "  t:\n    tree: true\n    dest: d\n    target: s\n    include: [/x]\n",
			[]string{`links.yaml:7:15: links.t.include[0]: glob "/x" starts with /; globs are relative to the tree's target: drop the leading /`}},
		{"dotdot glob", "  t:\n    tree: true\n    dest: d\n    target: s\n    include: [../x]\n",
			[]string{`links.yaml:7:15: links.t.include[0]: glob "../x" has an empty, . or .. component; globs match paths inside the tree's target, as in lua/*.lua`}},
		{"fold outside", "  t:\n    tree: true\n    dest: d\n    target: s\n    fold: [.., /abs, \"a*\"]\n",
			[]string{
				`links.yaml:7:12: links.t.fold[0]: fold ".." is not a folder inside the tree's target; name one, as in lua/vendor (to link the whole target as one folder, write a plain link)`,
				`links.yaml:7:16: links.t.fold[1]: fold "/abs" is absolute; name a folder relative to the tree's target, as in lua/vendor`,
				`links.yaml:7:22: links.t.fold[2]: fold "a*" is a glob; fold takes folder paths, as in lua/vendor`,
			}},
		{"fold inside fold", "  t:\n    tree: true\n    dest: d\n    target: s\n    fold: [a, a/b]\n",
			[]string{`links.yaml:7:15: links.t.fold[1]: fold "a/b" lies inside fold "a", which is one folder link already; remove it`}},
		{"exclude inside a fold, written out", "  t:\n    tree: true\n    dest: d\n    target: s\n    fold: [vendor]\n    exclude: [vendor/x.lua]\n",
			[]string{`links.yaml:8:15: links.t.exclude[0]: exclude "vendor/x.lua" matches inside folded folder "vendor", which the folder link would expose; remove the exclude or the fold`}},
		{"dest inside its own target", "  t:\n    tree: true\n    dest: s/out\n    target: s\n",
			[]string{`links.yaml:5:11: links.t.dest: dest "s/out" is inside the tree's own target "s": its links would be written into the source they list; move the dest or the target`}},
		{"dest is the target", "  t:\n    tree: true\n    dest: s\n    target: s\n",
			[]string{`links.yaml:6:13: links.t.target: target "s" is the link's own dest, which would be a loop; point it elsewhere`}},
		{"tree dest inside state_dir", "  t:\n    tree: true\n    dest: .links/x\n    target: s\n",
			[]string{`links.yaml:5:11: links.t.dest: dest ".links/x" is inside state_dir ".links", where links keeps its own state; choose another dest`}},
		{"tree must be a boolean", "  t:\n    tree: yes\n    dest: d\n    target: s\n",
			[]string{`links.yaml:4:11: links.t.tree: expected a boolean, got a string; write true or false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrors(t, "version: 1\nlinks:\n"+tt.body, nil)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
		})
	}
}

func TestTreeSettings(t *testing.T) {
	m, err := Parse(testFile, []byte(`version: 1
defaults:
  kind: file
  replace: file
vars:
  host: laptop
links:
  t:
    tree: true
    dest: d
    target: dotfiles/hosts/${host}
    strategy: absolute
    backup: false
    allow: ["dotfiles/**"]
`), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	tr := m.Trees[0]
	if tr.Target != "dotfiles/hosts/laptop" || tr.Strategy != Absolute || tr.Replace != ReplaceFile || tr.Backup || tr.Kind != KindAny || len(tr.Allow) != 1 {
		t.Errorf("tree settings = %+v", tr.Link)
	}
	if len(tr.Include) != 1 || tr.Include[0].Glob != "**" {
		t.Errorf("default include = %+v, want **", tr.Include)
	}
	// --var switches the tree's target (per-host variants).
	o := testOptions()
	o.Vars = map[string]string{"host": "desktop"}
	m2, err := Parse(testFile, []byte("version: 1\nvars:\n  host: laptop\nlinks:\n  t:\n    tree: true\n    dest: d\n    target: dotfiles/hosts/${host}\n"), o)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Trees[0].Target != "dotfiles/hosts/desktop" {
		t.Errorf("target with --var = %q", m2.Trees[0].Target)
	}
	// The manifest and state_dir under the target are never members.
	m3, err := Parse(testFile, []byte("version: 1\nroot: ..\nstate_dir: w/.links\nlinks:\n  t:\n    tree: true\n    dest: home\n    target: w\n"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := expandAll(m3, map[string]*fakeSource{"t": newSource("links.yaml", ".links/state", "a")}); err != nil {
		t.Fatal(err)
	}
	if got := linkLines(m3); len(got) != 1 || got[0] != "t/a home/a -> w/a" || m3.Trees[0].Excluded != 2 {
		t.Errorf("links = %q, excluded %d; want only t/a, 2 excluded", got, m3.Trees[0].Excluded)
	}
}

// TestExpandListsAhead: the folders a walk enters are listed ahead of it
// on other goroutines (tree_ahead.go), each exactly once, never those it
// skips, excludes or folds (a folded folder is listed once, by the check
// that no exclude matches inside it); the members are the walk's, in its order; and
// of two folders that cannot be listed, the error is the first one's in
// walk order, whichever listing failed first.
func TestExpandListsAhead(t *testing.T) {
	var paths []string
	for d := range 30 {
		for f := range 3 {
			paths = append(paths, fmt.Sprintf("d%02d/f%d", d, f))
		}
	}
	paths = append(paths, "d07/sub/g", "skip/x", ".git/HEAD", "fold/y", "top")
	src := newSource(paths...)
	var mu sync.Mutex
	calls := map[string]int{}
	var inFlight, most atomic.Int32
	slow := func(dir string) ([]SourceEntry, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		mu.Lock()
		calls[dir]++
		mu.Unlock()
		time.Sleep(time.Millisecond) // listings overlap, if made ahead
		return src.list(dir)
	}
	m := parseTrees(t, "  t:\n    tree: true\n    dest: d\n    target: s\n    exclude: [skip]\n    fold: [fold]\n")
	if err := m.ExpandTrees([]ListFunc{slow}); err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.Links), 30*3+3; got != want {
		t.Errorf("%d members, want %d", got, want)
	}
	if !slices.IsSortedFunc(m.Links, func(a, b Link) int { return strings.Compare(a.Dest, b.Dest) }) {
		t.Error("members not in dest order")
	}
	for _, dir := range []string{"skip", ".git"} {
		if calls[dir] != 0 {
			t.Errorf("%s listed %d times, want never", dir, calls[dir])
		}
	}
	for dir, n := range calls {
		if n != 1 {
			t.Errorf("%s listed %d times, want once", dir, n)
		}
	}
	if len(calls) != 1+30+1+1 {
		t.Errorf("%d folders listed, want 33 (the target, d00-d29, d07/sub, fold): %v", len(calls), calls)
	}
	if most.Load() < 2 {
		t.Errorf("at most %d listing at once: nothing listed ahead", most.Load())
	}

	// d25 fails at once, d03 only after a while: the walk reaches d03
	// first, and that is the error.
	src.fail["d25"] = &fs.PathError{Op: "open", Path: "d25", Err: syscall.EACCES}
	src.fail["d03"] = &fs.PathError{Op: "open", Path: "d03", Err: syscall.EIO}
	late := func(dir string) ([]SourceEntry, error) {
		if dir == "d03" {
			time.Sleep(20 * time.Millisecond)
		}
		return src.list(dir)
	}
	m = parseTrees(t, "  t:\n    tree: true\n    dest: d\n    target: s\n")
	if err := m.ExpandTrees([]ListFunc{late}); err != nil {
		t.Fatal(err)
	}
	if p := m.Trees[0].Problem; !strings.Contains(p, "s/d03") || !strings.Contains(p, "input/output error") {
		t.Errorf("problem %q, want d03's", p)
	}
	if len(m.Links) != 0 {
		t.Errorf("%d members of a tree that could not be listed", len(m.Links))
	}
}
