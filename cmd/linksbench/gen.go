package main

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// folders is how many folders the nested layout spreads its links over.
const folders = 100

// scenario is a tree shape and a link-text strategy.
type scenario struct {
	Nested   bool // 100 folders; otherwise every link in one folder
	Absolute bool // strategy: absolute; otherwise relative
}

func (s scenario) String() string {
	l, t := "flat", "relative"
	if s.Nested {
		l = "nested"
	}
	if s.Absolute {
		t = "absolute"
	}
	return l + "-" + t
}

// short is the scenario in folder names (short, so absolute link texts
// stay short enough to be stored in the inode like relative ones).
func (s scenario) short() string {
	b := []byte("fr")
	if s.Nested {
		b[0] = 'n'
	}
	if s.Absolute {
		b[1] = 'a'
	}
	return string(b)
}

func parseScenario(v string) (scenario, error) {
	switch v {
	case "nested-relative":
		return scenario{Nested: true}, nil
	case "nested-absolute":
		return scenario{Nested: true, Absolute: true}, nil
	case "flat-relative":
		return scenario{}, nil
	case "flat-absolute":
		return scenario{Absolute: true}, nil
	}
	return scenario{}, fmt.Errorf("scenario %q: want nested-relative, nested-absolute, flat-relative or flat-absolute", v)
}

// tree is one scenario at one size: a root folder holding the N target
// files (shared by every repetition, never modified), an optional GNU Stow
// package with N files, and one folder per repetition (r0, r1, …) where
// the links are made. Every path here is slash-separated and relative to
// Root unless it says otherwise.
type tree struct {
	Scenario scenario
	N        int
	Root     string // absolute
	Digits   int
}

func newTree(root string, s scenario, n int) *tree {
	d := len(fmt.Sprint(n - 1))
	if d < 6 {
		d = 6
	}
	return &tree{Scenario: s, N: n, Root: root, Digits: d}
}

// sub is the relative folder of link i under a base folder: base/dNN for
// the nested layout, base for the flat one.
func (t *tree) sub(base string, i int) string {
	if !t.Scenario.Nested {
		return base
	}
	return fmt.Sprintf("%s/d%02d", base, t.folder(i))
}

// folder is the nested folder number of link i (contiguous blocks).
func (t *tree) folder(i int) int { return i * folders / t.N }

func (t *tree) name(i int) string { return fmt.Sprintf("f%0*d", t.Digits, i) }

// Target is link i's target, relative to Root.
func (t *tree) Target(i int) string { return t.sub("t", i) + "/" + t.name(i) }

// Retarget is what link i points to after the "replace all" manifest:
// the next link's target, so every link text changes.
func (t *tree) Retarget(i int) string { return t.Target((i + 1) % t.N) }

// Rep is repetition r's folder, relative to Root.
func (t *tree) Rep(r int) string { return fmt.Sprintf("r%d", r) }

// Dest is link i's dest in repetition r for a tool whose links live under
// the folder kind ("l" for links, "floor", "floorsync", "ln").
func (t *tree) Dest(r int, kind string, i int) string {
	return t.sub(t.Rep(r)+"/"+kind, i) + "/" + t.name(i)
}

// Dirs lists the link folders of kind in repetition r (relative to Root).
func (t *tree) Dirs(r int, kind string) []string {
	if !t.Scenario.Nested {
		return []string{t.Rep(r) + "/" + kind}
	}
	out := make([]string, folders)
	for d := range folders {
		out[d] = fmt.Sprintf("%s/%s/d%02d", t.Rep(r), kind, d)
	}
	return out
}

// Text is the link text links writes at dest for target (both relative to
// Root), which the floor and ln write too.
func (t *tree) Text(dest, target string) string {
	if t.Scenario.Absolute {
		return filepath.Join(t.Root, filepath.FromSlash(target))
	}
	from := strings.Count(path.Dir(dest), "/") + 1
	return strings.Repeat("../", from) + target
}

// Manifest is repetition r's manifest file name (in Root); retarget
// selects the one that points every link at Retarget.
func (t *tree) Manifest(r int, retarget bool) string {
	if retarget {
		return fmt.Sprintf("links-%s-retarget.yaml", t.Rep(r))
	}
	return fmt.Sprintf("links-%s.yaml", t.Rep(r))
}

// StowDir is the Stow folder (holding the package "pkg") relative to Root.
const StowDir = "stow"

// writeTargets creates the N target files.
func (t *tree) writeTargets() error {
	return t.writeFiles("t")
}

// writeStowPackage creates the Stow package: N files laid out like the
// links (stow/pkg/dNN/fNNN), so that stowing it makes N links.
func (t *tree) writeStowPackage() error {
	return t.writeFiles(StowDir + "/pkg")
}

func (t *tree) writeFiles(base string) error {
	made := map[string]bool{}
	for i := range t.N {
		dir := t.sub(base, i)
		if !made[dir] {
			if err := os.MkdirAll(t.abs(dir), 0o755); err != nil {
				return err
			}
			made[dir] = true
		}
		f, err := os.OpenFile(t.abs(dir+"/"+t.name(i)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

// writeManifests writes repetition r's two manifests. state_dir is per
// repetition so that each one starts with nothing recorded.
func (t *tree) writeManifests(r int) error {
	for _, retarget := range []bool{false, true} {
		if err := t.writeManifest(r, retarget); err != nil {
			return err
		}
	}
	return nil
}

func (t *tree) writeManifest(r int, retarget bool) error {
	f, err := os.Create(t.abs(t.Manifest(r, retarget)))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "# Generated by cmd/linksbench: %d links, %s.\nversion: 1\nstate_dir: %s/.links\n", t.N, t.Scenario, t.Rep(r))
	if t.Scenario.Absolute {
		w.WriteString("defaults:\n  strategy: absolute\n")
	}
	w.WriteString("links:\n")
	for i := range t.N {
		target := t.Target(i)
		if retarget {
			target = t.Retarget(i)
		}
		fmt.Fprintf(w, "  l%0*d: {dest: %s, target: %s}\n", t.Digits, i, t.Dest(r, "l", i), target)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// mkdirs creates the link folders of kind in repetition r.
func (t *tree) mkdirs(r int, kind string) error {
	for _, d := range t.Dirs(r, kind) {
		if err := os.MkdirAll(t.abs(d), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func (t *tree) abs(rel string) string { return filepath.Join(t.Root, filepath.FromSlash(rel)) }

// linkSet is the links one floor run makes or reads, grouped by folder.
type linkSet struct {
	Dirs  []string   // absolute folder paths
	Names [][]string // per folder
	Texts [][]string // per folder: the link text to write (create, replace)
}

// links lists the N links of kind in repetition r with the texts that
// point at Target (or Retarget).
func (t *tree) links(r int, kind string, retarget bool) *linkSet {
	ls := &linkSet{}
	idx := map[string]int{}
	for i := range t.N {
		dir := t.sub(t.Rep(r)+"/"+kind, i)
		k, ok := idx[dir]
		if !ok {
			k = len(ls.Dirs)
			idx[dir] = k
			ls.Dirs = append(ls.Dirs, t.abs(dir))
			ls.Names = append(ls.Names, nil)
			ls.Texts = append(ls.Texts, nil)
		}
		target := t.Target(i)
		if retarget {
			target = t.Retarget(i)
		}
		ls.Names[k] = append(ls.Names[k], t.name(i))
		ls.Texts[k] = append(ls.Texts[k], t.Text(t.Dest(r, kind, i), target))
	}
	return ls
}

// sample returns about n link indices spread evenly over 0..N-1.
func (t *tree) sample(n int) []int {
	n = min(n, t.N)
	out := make([]int, n)
	for j := range n {
		out[j] = j * t.N / n
	}
	return out
}

// StowTarget is the file in the Stow package that link i points to.
func (t *tree) StowTarget(i int) string { return t.sub(StowDir+"/pkg", i) + "/" + t.name(i) }

// checkLinks reads back a sample of links of kind in repetition r and
// reports the first whose text is not the one that points at target(i).
// idx lists the links to check; nil means 50 spread over all N.
func (t *tree) checkLinks(r int, kind string, target func(int) string, idx []int) error {
	if idx == nil {
		idx = t.sample(50)
	}
	for _, i := range idx {
		dest := t.Dest(r, kind, i)
		want := t.Text(dest, target(i))
		got, err := os.Readlink(t.abs(dest))
		if err != nil {
			return fmt.Errorf("check %s: %w", dest, err)
		}
		if got != want {
			return fmt.Errorf("check %s: link text %q, want %q", dest, got, want)
		}
	}
	return nil
}
