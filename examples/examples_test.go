// Package examples_test checks that every example manifest under examples/
// loads, declares the links its README describes, and can be tried in place:
// its targets are committed, its writes stay inside the example, and what
// `links apply` makes there is ignored by git.
package examples_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile"
)

// wantLinks is the number of links each example declares. A new example
// must be added here.
var wantLinks = map[string]int{
	"blue-green": 2,
	"dotfiles":   5,
	"quickstart": 4,
}

// noEnv is a LookupEnv under which no environment variable is set, so an
// example cannot depend on the machine running the test.
func noEnv(string) (string, bool) { return "", false }

// load loads an example's manifest as `links` would, with a home folder that
// is not the real one.
func load(t *testing.T, dir string, vars map[string]string) (*manifest.Manifest, error) {
	t.Helper()
	m, err := manifest.Load(filepath.Join(dir, "links.yaml"), manifest.Options{
		Vars:      vars,
		LookupEnv: noEnv,
		Home:      t.TempDir(),
	})
	if err != nil || len(m.Trees) == 0 {
		return m, err
	}
	// Tree entries expand into their members from the committed source.
	root, err := reconcile.Open(m)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	if err := root.ExpandTrees(m); err != nil {
		return nil, err
	}
	for _, tr := range m.Trees {
		if tr.Problem != "" {
			return nil, errors.New(tr.Problem)
		}
	}
	return m, nil
}

func TestExamples(t *testing.T) {
	found, err := filepath.Glob(filepath.Join("*", "links.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range found {
		seen[filepath.Dir(f)] = true
	}
	for name := range wantLinks {
		if !seen[name] {
			t.Errorf("examples/%s/links.yaml is missing", name)
		}
	}
	for _, f := range found {
		name := filepath.Dir(f)
		t.Run(name, func(t *testing.T) {
			want, ok := wantLinks[name]
			if !ok {
				t.Fatalf("examples/%s is not in wantLinks; add it with its link count", name)
			}
			m, err := load(t, name, nil)
			if err != nil {
				t.Fatalf("load %s:\n%v", f, err)
			}
			if len(m.Links) != want {
				t.Errorf("%s declares %d links, want %d", f, len(m.Links), want)
			}
			checkModeline(t, name)
			checkTree(t, name, m)
		})
	}
}

// checkModeline checks that the manifest starts with a yaml-language-server
// modeline that names the repository's schema file.
func checkModeline(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "links.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
	if !ok {
		t.Errorf("first line is %q, want the modeline # yaml-language-server: $schema=../../schema/links.schema.json", first)
		return
	}
	got, err := filepath.Abs(filepath.Join(dir, filepath.FromSlash(ref)))
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs(filepath.Join("..", "schema", "links.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("modeline names %s, want the schema at %s", got, want)
	}
}

// checkTree checks that the example can be tried where it is checked out.
func checkTree(t *testing.T, dir string, m *manifest.Manifest) {
	t.Helper()
	exampleDir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Trying an example must never write outside it (e.g. to the real ~).
	rootRel, err := filepath.Rel(exampleDir, m.Root)
	if err != nil || rootRel == ".." || strings.HasPrefix(rootRel, ".."+string(filepath.Separator)) || filepath.IsAbs(rootRel) {
		t.Fatalf("root %s is outside the example folder %s", m.Root, exampleDir)
	}
	rootRel = filepath.ToSlash(rootRel)

	dests := map[string]bool{}
	for _, l := range m.Links {
		dests[l.Dest] = true
	}
	ignored := gitignore(t, dir)
	for _, l := range m.Links {
		// Every target is committed (git keeps no empty folders), unless it
		// is another link of the manifest, which apply creates first.
		if !l.AllowDangling && !(dests[l.Target] && !l.TargetAbsolute) {
			fi, err := os.Stat(l.TargetPath(m.Root))
			switch {
			case err != nil:
				t.Errorf("links.%s: target %s: %v", l.Name, l.Target, err)
			case l.Kind == manifest.KindDir && !fi.IsDir():
				t.Errorf("links.%s: kind: dir, but target %s is not a directory", l.Name, l.Target)
			case l.Kind == manifest.KindFile && fi.IsDir():
				t.Errorf("links.%s: kind: file, but target %s is a directory", l.Name, l.Target)
			}
		}
		if !l.Allowed(m.Root) {
			t.Errorf("links.%s: target %s matches none of allow %q", l.Name, l.Target, l.Allow)
		}
		// The links themselves are not committed: dest is missing, or a
		// symlink left by trying the example.
		destPath := filepath.Join(m.Root, filepath.FromSlash(l.Dest))
		if fi, err := os.Lstat(destPath); err == nil && fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("links.%s: dest %s exists and is not a symlink; the example must not commit it", l.Name, l.Dest)
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("links.%s: dest %s: %v", l.Name, l.Dest, err)
		}
		// ... and git ignores them once made.
		if p := path(rootRel, l.Dest); !ignored(p) {
			t.Errorf("links.%s: %s/.gitignore does not ignore %s", l.Name, dir, p)
		}
	}
	if p := path(rootRel, m.StateDir); !ignored(p + "/") {
		t.Errorf("%s/.gitignore does not ignore state_dir %s", dir, p)
	}
}

func path(root, rel string) string {
	if root == "." {
		return rel
	}
	return root + "/" + rel
}

// gitignore reads dir/.gitignore, which may hold only anchored patterns
// without wildcards ("/current", "/srv/"), and returns a function that
// reports whether a slash-separated path relative to dir is ignored.
func gitignore(t *testing.T, dir string) func(string) bool {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, ".gitignore"))
	if err != nil {
		t.Fatalf("every example needs a .gitignore for what links apply makes: %v", err)
	}
	defer f.Close()
	var patterns []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "/") || strings.ContainsAny(line, "*?[!") {
			t.Fatalf("%s/.gitignore: %q: use anchored patterns without wildcards", dir, line)
		}
		patterns = append(patterns, strings.TrimPrefix(line, "/"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return func(p string) bool {
		for _, pat := range patterns {
			if dirPat, isDir := strings.CutSuffix(pat, "/"); isDir {
				if p == dirPat || strings.HasPrefix(p, pat) {
					return true
				}
			} else if p == pat || p == pat+"/" || strings.HasPrefix(p, pat+"/") {
				return true
			}
		}
		return false
	}
}

// TestBlueGreenSwitch checks the switch recipe in blue-green/README.md:
// --var release picks the release, and allow refuses anything that is not a
// folder directly under releases/.
func TestBlueGreenSwitch(t *testing.T) {
	tests := []struct {
		release string
		target  string
		allowed bool
	}{
		{"2026-02-10_1530", "releases/2026-02-10_1530", true},
		{"2026-02-01_0900", "releases/2026-02-01_0900", true},
		{"../../etc", "../etc", false},
		{"2026-02-10_1530/assets", "releases/2026-02-10_1530/assets", false},
		{"", "releases", false},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.release), func(t *testing.T) {
			m, err := load(t, "blue-green", map[string]string{"release": tt.release})
			if err != nil {
				t.Fatal(err)
			}
			l := find(t, m, "live")
			if l.Target != tt.target {
				t.Errorf("target = %q, want %q", l.Target, tt.target)
			}
			if got := l.Allowed(m.Root); got != tt.allowed {
				t.Errorf("Allowed = %v, want %v", got, tt.allowed)
			}
		})
	}

	// A misspelt --var is an error, not silently ignored.
	_, err := load(t, "blue-green", map[string]string{"relase": "2026-02-10_1530"})
	if err == nil || !strings.Contains(err.Error(), "relase") {
		t.Errorf("--var relase: err = %v, want an undeclared-variable error", err)
	}
}

// TestQuickstartReadmeError checks that the error shown in
// quickstart/README.md is what links prints for the mistake it describes.
func TestQuickstartReadmeError(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("quickstart", "links.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "replace: file\n", "replace: sometimes\n", 1)
	if bad == string(data) {
		t.Fatal("quickstart/links.yaml has no line \"replace: file\"")
	}
	dir, err := filepath.Abs("quickstart")
	if err != nil {
		t.Fatal(err)
	}
	_, loadErr := manifest.Parse("links.yaml", []byte(bad), manifest.Options{Dir: dir, LookupEnv: noEnv})
	if loadErr == nil {
		t.Fatal("replace: sometimes was accepted")
	}
	readme, err := os.ReadFile(filepath.Join("quickstart", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "links: "+loadErr.Error()+"\n") {
		t.Errorf("quickstart/README.md does not show the error links reports:\nlinks: %v", loadErr)
	}
}

func find(t *testing.T, m *manifest.Manifest, name string) manifest.Link {
	t.Helper()
	names := make([]string, 0, len(m.Links))
	for _, l := range m.Links {
		if l.Name == name {
			return l
		}
		names = append(names, l.Name)
	}
	sort.Strings(names)
	t.Fatalf("no link %q; have %s", name, strings.Join(names, ", "))
	return manifest.Link{}
}
