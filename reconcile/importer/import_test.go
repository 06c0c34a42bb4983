package importer

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/linksdev/links/internal/symlinktest"
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
	"github.com/linksdev/links/reconcile/scan"
)

// importPlan loads what Import wrote as the manifest file and plans it
// against the tree, as `links plan` would.
func importPlan(t *testing.T, res *Result, manifestFile string) (*manifest.Manifest, *plan.Plan) {
	t.Helper()
	m, err := manifest.Parse(manifestFile, res.YAML, manifest.Options{Dir: filepath.Dir(manifestFile)})
	if err != nil {
		t.Fatalf("the imported manifest does not load: %v\n%s", err, res.YAML)
	}
	r, err := reconcile.Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.Plan(m, "roundtrip")
	if err != nil {
		t.Fatal(err)
	}
	return m, p
}

// assertRoundTrip checks that plan on the imported manifest is all no-ops.
func assertRoundTrip(t *testing.T, res *Result, manifestFile string) *manifest.Manifest {
	t.Helper()
	m, p := importPlan(t, res, manifestFile)
	for _, c := range p.Changes {
		if c.Action != plan.Noop {
			t.Errorf("round trip: %s %s (%s), want noop\n%s", c.Action, c.Dest, c.Reason, res.YAML)
		}
	}
	if len(m.Links) != res.Declared {
		t.Errorf("manifest has %d links, Import says %d", len(m.Links), res.Declared)
	}
	return m
}

func skippedPaths(res *Result) map[string]string {
	out := map[string]string{}
	for _, s := range res.Skipped {
		out[filepath.ToSlash(s.Path)] = s.Reason
	}
	return out
}

// importTrees are the trees the round trip is checked on, each under
// root/tree (root/outside is outside it).
var importTrees = map[string]map[string]string{
	"scan": symlinktest.ScanTree,
	"dotfiles": {
		"outside/shared.conf":              "file:s",
		"tree/dotfiles/bashrc":             "file:b",
		"tree/dotfiles/nvim/init.lua":      "file:n",
		"tree/home/.bashrc":                "link:../dotfiles/bashrc",
		"tree/home/.config/nvim":           "link:../../dotfiles/nvim",
		"tree/home/.profile":               "link:{root}/tree/dotfiles/bashrc",
		"tree/home/shared.conf":            "link:../../outside/shared.conf",
		"tree/home/shared-abs.conf":        "link:{root}/outside/shared.conf",
		"tree/home/etc":                    "link:/",
		"tree/home/2026-02-01":             "link:../dotfiles/bashrc",
		"tree/home/true":                   "link:../dotfiles/bashrc",
		"tree/home/null":                   "link:../dotfiles/bashrc",
		"tree/home/1e3":                    "link:../dotfiles/bashrc",
		"tree/home/.inf":                   "link:../dotfiles/bashrc",
		"tree/home/with space":             "link:../dotfiles/nvim/init.lua",
		"tree/home/new\nline":              "link:../dotfiles/bashrc",
		"tree/home/tab\there":              "link:../dotfiles/bashrc",
		"tree/home/quote\"s'":              "link:../dotfiles/bashrc",
		"tree/home/colon: #hash":           "link:../dotfiles/bashrc",
		"tree/home/${HOME}":                "link:../dotfiles/bashrc",
		"tree/home/$${x}":                  "link:../dotfiles/bashrc",
		"tree/home/back\\slash":            "link:../dotfiles/bashrc",
		"tree/home/é日本":                    "link:../dotfiles/bashrc",
		"tree/home/-dash":                  "link:../dotfiles/bashrc",
		"tree/home/chain":                  "link:.bashrc",
		"tree/home/chain2":                 "link:chain",
		"tree/home/viadirlink":             "link:.config/nvim/init.lua",
		"tree/dotfiles/target with ${var}": "file:v",
		"tree/home/to-dollar":              "link:../dotfiles/target with ${var}",
		"tree/a/x/current":                 "link:../../dotfiles/bashrc",
		"tree/b/x/current":                 "link:../../dotfiles/bashrc",
		"tree/a b/x/current":               "link:../../dotfiles/bashrc",
		"tree/a_b/x/current":               "link:../../dotfiles/bashrc",
		"tree/up":                          "link:..",
		"tree/self":                        "link:.",
		"tree/dotfiles/nvim/cycle":         "link:..",
		"tree/broken-chain/a":              "link:b",
		"tree/broken-chain/b":              "link:gone",
		"tree/links.yaml":                  "link:dotfiles/bashrc",
		"tree/.links/state.json":           "link:x",
		"tree/.git/config":                 "link:x",
	},
	"noncanonical": {
		"tree/f":          "file:f",
		"tree/d/g":        "file:g",
		"tree/dotslash":   "link:./f",
		"tree/dotdot":     "link:d/../f",
		"tree/double":     "link:d//g",
		"tree/trailing":   "link:d/",
		"tree/detour":     "link:../tree/f",
		"tree/d/detour":   "link:../d/g",
		"tree/absdot":     "link:{root}/tree/./f",
		"tree/absdouble":  "link:{root}//tree/f",
		"tree/fine":       "link:f",
		"tree/d/fine":     "link:g",
		"tree/d/finedir":  "link:..",
		"tree/fineabs":    "link:{root}/tree/d",
		"tree/fineoutabs": "link:{root}",
	},
}

// importSkipped are the links each tree's import must skip (with dangling
// links skipped too); everything else must be declared.
var importSkipped = map[string][]string{
	"scan":         {"broken", "notdir", "loop/a", "loop/b", "loop/self", "toloop", "chain/broken", "dotdot"},
	"dotfiles":     {"broken-chain/a", "broken-chain/b", "links.yaml"},
	"noncanonical": {"dotslash", "dotdot", "double", "trailing", "detour", "d/detour", "absdot", "absdouble"},
}

func TestImportRoundTrip(t *testing.T) {
	names := make([]string, 0, len(importTrees))
	for n := range importTrees {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, dangling := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: "/dangling-allow"}[dangling], func(t *testing.T) {
				root := symlinktest.TempDir(t)
				symlinktest.Build(t, root, importTrees[name])
				tree := filepath.Join(root, "tree")
				mf := filepath.Join(tree, "links.yaml")
				res, err := Import(Options{Root: tree, ManifestFile: mf, AllowDangling: dangling})
				if err != nil {
					t.Fatal(err)
				}
				assertRoundTrip(t, res, mf)

				skipped := skippedPaths(res)
				for _, s := range importSkipped[name] {
					p := filepath.ToSlash(filepath.Join(tree, s))
					reason, ok := skipped[p]
					if !ok {
						// Dangling links are declared with --dangling allow.
						if !dangling || strings.Contains(s, "loop") || s == "links.yaml" {
							t.Errorf("%s declared, want it skipped", s)
						}
						continue
					}
					if reason == "" {
						t.Errorf("%s skipped without a reason", s)
					}
					delete(skipped, p)
				}
				for p, reason := range skipped {
					t.Errorf("%s skipped (%s), want it declared", p, reason)
				}
				total := 0
				for k, v := range importTrees[name] {
					if strings.HasPrefix(k, "tree/") && strings.HasPrefix(v, "link:") && !strings.HasPrefix(k, "tree/.git/") && !strings.HasPrefix(k, "tree/.links/") {
						total++
					}
				}
				if res.Declared+len(res.Skipped) != total {
					t.Errorf("declared %d + skipped %d, want %d symlinks in all", res.Declared, len(res.Skipped), total)
				}
			})
		}
	}
}

// TestImportRootThroughSymlink imports a tree whose root path goes
// through a symlink: targets outside root must still round-trip.
func TestImportRootThroughSymlink(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, importTrees["dotfiles"])
	if err := os.Symlink("tree", filepath.Join(root, "alias")); err != nil {
		t.Fatal(err)
	}
	alias := filepath.Join(root, "alias")
	mf := filepath.Join(root, "manifests", "links.yaml") // outside root: root: ../alias
	if err := os.MkdirAll(filepath.Dir(mf), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := Import(Options{Root: alias, ManifestFile: mf, AllowDangling: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.YAML), "\nroot: ../alias\n") {
		t.Errorf("root not written relative to the manifest's folder:\n%s", res.YAML)
	}
	assertRoundTrip(t, res, mf)
}

func TestImportSubpathsAndExcludes(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, importTrees["dotfiles"])
	tree := filepath.Join(root, "tree")
	mf := filepath.Join(tree, "links.yaml")
	res, err := Import(Options{Root: tree, Paths: []string{"home"}, Scan: scan.Options{Dir: tree, Exclude: []string{"*space*", ".config"}}, ManifestFile: mf})
	if err != nil {
		t.Fatal(err)
	}
	m := assertRoundTrip(t, res, mf)
	for _, l := range m.Links {
		if !strings.HasPrefix(l.Dest, "home/") || strings.Contains(l.Dest, "space") || strings.Contains(l.Dest, ".config") {
			t.Errorf("declared %s: outside home/ or excluded", l.Dest)
		}
	}
	if _, err := Import(Options{Root: filepath.Join(tree, "home"), Paths: []string{tree}}); err == nil {
		t.Error("a path outside root is accepted")
	}
}

func TestImportStrategies(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, importTrees["dotfiles"])
	tree := filepath.Join(root, "tree")
	mf := filepath.Join(tree, "links.yaml")
	for _, st := range []string{StrategyRelative, StrategyAbsolute} {
		res, err := Import(Options{Root: tree, ManifestFile: mf, Strategy: st})
		if err != nil {
			t.Fatal(err)
		}
		m, p := importPlan(t, res, mf)
		updates := 0
		for _, c := range p.Changes {
			switch c.Action {
			case plan.Noop:
			case plan.Update:
				updates++
			default:
				t.Errorf("%s: %s %s (%s), want noop or update", st, c.Action, c.Dest, c.Reason)
			}
		}
		if updates != res.Rewritten || updates == 0 {
			t.Errorf("%s: %d updates planned, Import says %d will be rewritten", st, updates, res.Rewritten)
		}
		for _, l := range m.Links {
			if string(l.Strategy) != st {
				t.Errorf("%s: %s declared %s", st, l.Dest, l.Strategy)
			}
		}
	}
	if _, err := Import(Options{Root: tree, Strategy: "sideways"}); err == nil {
		t.Error("an unknown strategy is accepted")
	}
}

func TestImportDeterministic(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, importTrees["dotfiles"])
	tree := filepath.Join(root, "tree")
	var first []byte
	for _, w := range []int{1, 2, 5} {
		res, err := Import(Options{Root: tree, Scan: scan.Options{Workers: w}})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res.YAML
		} else if string(res.YAML) != string(first) {
			t.Errorf("%d workers: different YAML", w)
		}
	}
}

func TestImportNames(t *testing.T) {
	dests := []string{
		"current", "models/current", "a/x/current", "b/x/current",
		"home/.bashrc", ".bashrc", "a b/c", "a_b/c", "日本", "é", "...", "x.y", "x/y",
		"new\nline", "-dash", "2026-02-01",
	}
	links := make([]*importLink, len(dests))
	for i, d := range dests {
		links[i] = &importLink{dest: d}
	}
	assignNames(links)
	seen := map[string]string{}
	for _, il := range links {
		if !manifest.NamePattern.MatchString(il.name) {
			t.Errorf("%q: name %q does not match %s", il.dest, il.name, manifest.NamePattern)
		}
		if other, dup := seen[il.name]; dup {
			t.Errorf("%q and %q share the name %q", il.dest, other, il.name)
		}
		seen[il.name] = il.dest
	}
	want := map[string]string{
		"current": "current", "models/current": "models.current", "a/x/current": "a.x.current",
		"home/.bashrc": "home.bashrc", "new\nline": "new_line", "2026-02-01": "2026-02-01", "x.y": "x.y",
	}
	for _, il := range links {
		if w, ok := want[il.dest]; ok && il.name != w {
			t.Errorf("%q: name %q, want %q", il.dest, il.name, w)
		}
	}
}
