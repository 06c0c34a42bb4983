package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/rootfs"
	"github.com/linksdev/links/reconcile/scan"
)

// listingTree makes, under root, folder a with one dest of every kind
// (missing, symlink, file, folder, FIFO) and folder t with one target of
// every kind (file, folder, symlinks to each, dangling symlink, missing,
// FIFO), repeated to pass listMin, and returns a manifest declaring them.
func listingTree(t *testing.T, root string) *manifest.Manifest {
	t.Helper()
	entries := map[string]string{}
	m := &manifest.Manifest{File: filepath.Join(root, "links.yaml"), Root: root, StateDir: ".links"}
	destKinds := []string{"", "link:../t/x", "file:", "dir", "fifo"}
	targetKinds := []string{"file:", "dir", "link:f0", "link:d1", "link:nowhere", "", "fifo"}
	for i := range 3 * listMin {
		dest := fmt.Sprintf("a/e%03d", i)
		target := fmt.Sprintf("t/g%03d", i)
		if k := destKinds[i%len(destKinds)]; k != "" && (k != "fifo" || runtime.GOOS != "windows") {
			entries[dest] = k
		}
		if k := targetKinds[i%len(targetKinds)]; k != "" && (k != "fifo" || runtime.GOOS != "windows") {
			entries[target] = k
		}
		m.Links = append(m.Links, manifest.Link{Name: fmt.Sprintf("l%03d", i), Dest: dest, Target: target,
			Strategy: manifest.Relative, Replace: manifest.ReplaceSymlink, Backup: true, Parents: true})
	}
	entries["t/f0"], entries["t/d1"] = "file:", "dir"
	mkTree(t, root, entries)
	return m
}

// TestObserveListingsMatchLookups: Observe answers the same with folder
// listings as with a lookup per name, for every kind of dest and target.
func TestObserveListingsMatchLookups(t *testing.T) {
	root := t.TempDir()
	m := listingTree(t, root)
	observe := func(listings bool) any {
		t.Helper()
		defer func(v bool) { useListings = v }(useListings)
		useListings = listings
		r, err := Open(m)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if listings && rootfs.ListingSupported {
			// The folders are worth listing, and (on filesystems where
			// listings are trusted) listed.
			ls := newLister(r.fs, m, r.Path)
			if ls.dirs["a"] == nil || ls.dirs["t"] == nil {
				t.Fatalf("folders to list: %v, want a and t", ls.dirs)
			}
			names := r.fs.ReadNames("a", 1000, 1000)
			if names == nil {
				t.Logf("listings not trusted on this filesystem (%s): only lookups are compared", root)
			} else if got, want := len(names), 3*listMin*4/5; got != want {
				t.Fatalf("listing of a: %d names, want %d", got, want)
			}
		}
		obs, err := r.Observe(m)
		if err != nil {
			t.Fatal(err)
		}
		return obs.Index
	}
	if diff := cmp.Diff(observe(false), observe(true)); diff != "" {
		t.Errorf("observations with listings differ from lookups (-lookups +listings):\n%s", diff)
	}
}

// TestReadNames: a listing gives each entry's kind, and none when the
// folder holds more entries than asked for.
func TestReadNames(t *testing.T) {
	if !rootfs.ListingSupported {
		t.Skip("no listings on " + runtime.GOOS)
	}
	root := t.TempDir()
	mkTree(t, root, map[string]string{"d/file": "file:x", "d/dir": "dir", "d/link": "link:file", "d/fifo": "fifo"})
	m := &manifest.Manifest{File: filepath.Join(root, "links.yaml"), Root: root, StateDir: ".links"}
	r, err := Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	names := r.fs.ReadNames("d", 4, 4)
	if names == nil {
		t.Skipf("listings not trusted on the filesystem of %s", root)
	}
	want := map[string]scan.Kind{"file": scan.KindFile, "dir": scan.KindDir, "link": scan.KindLink, "fifo": scan.KindFile}
	for name, k := range names {
		if k == scan.KindUnknown {
			names[name] = want[name] // the filesystem may not give types
		}
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("readNames (-want +got):\n%s", diff)
	}
	if got := r.fs.ReadNames("d", 3, 3); got != nil {
		t.Errorf("readNames with max 3 of 4 entries: %v, want nil (not listed)", got)
	}
	// Without search permission on the folder, names are listed but
	// lookups fail: no listing then.
	if os.Geteuid() != 0 {
		if err := os.Chmod(filepath.Join(root, "d"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(filepath.Join(root, "d"), 0o755)
		r2, err := Open(m)
		if err != nil {
			t.Fatal(err)
		}
		defer r2.Close()
		if got := r2.fs.ReadNames("d", 4, 4); got != nil {
			t.Errorf("readNames of a folder without search permission: %v, want nil", got)
		}
	}
}

// TestDestListingOnlyWhereMissing: a folder whose dests are all there is
// not listed (a listing would save no lookup), one whose dests are missing
// is, after listMisses lookups; the observations are the same.
func TestDestListingOnlyWhereMissing(t *testing.T) {
	if !rootfs.ListingSupported {
		t.Skip("listings are not used on this platform")
	}
	root := t.TempDir()
	entries := map[string]string{"t/f": "file:"}
	m := &manifest.Manifest{File: filepath.Join(root, "links.yaml"), Root: root, StateDir: ".links"}
	for _, dir := range []string{"here", "missing"} {
		for i := range 2 * listMin {
			dest := fmt.Sprintf("%s/e%03d", dir, i)
			if dir == "here" {
				entries[dest] = "link:../t/f"
			}
			m.Links = append(m.Links, manifest.Link{Name: fmt.Sprintf("%s%03d", dir, i), Dest: dest, Target: "t/f",
				Strategy: manifest.Relative, Replace: manifest.ReplaceSymlink, Backup: true, Parents: true})
		}
	}
	entries["missing/.keep"] = "file:"
	mkTree(t, root, entries)
	r, err := Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.fs.ReadNames("here", 1000, 1000) == nil {
		t.Skipf("listings not trusted on this filesystem (%s)", root)
	}
	ls := newLister(r.fs, m, r.Path)
	here, missing := ls.dirs["here"], ls.dirs["missing"]
	if here == nil || missing == nil {
		t.Fatalf("folders to list: %v, want here and missing", ls.dirs)
	}
	o := &observer{r: r, targets: &targetCache{m: map[targetKey]targetInfo{}}, ls: ls}
	for i := range m.Links {
		obs, err := o.observe(&m.Links[i])
		if err != nil {
			t.Fatal(err)
		}
		want := plan.TypeSymlink
		if strings.HasPrefix(m.Links[i].Dest, "missing/") {
			want = plan.TypeMissing
		}
		if obs.Dest.Type != want {
			t.Errorf("%s: observed %s, want %s", m.Links[i].Dest, obs.Dest.Type, want)
		}
	}
	o.flush()
	if here.read.Load() {
		t.Error("the folder of existing dests was listed")
	}
	if !missing.read.Load() || missing.names == nil {
		t.Error("the folder of missing dests was not listed")
	}
}

// TestObserveTrustsTheWalk: a tree member whose walk found a plain file
// or folder is observed as the walk found it, without a lookup (its
// observation is the one a lookup gives), while a symlink member is
// looked up and followed. The walk is a snapshot, as a lookup is: a file
// removed after it is still seen by this plan, where a lookup made a few
// milliseconds later would have seen it gone (and made the member a
// conflict). Apply then makes that member's link, dangling, as for any
// target removed between a plan and its apply; the next plan's walk no
// longer finds the file, so it deletes the link links made.
func TestObserveTrustsTheWalk(t *testing.T) {
	needSymlinks(t)
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		"src/a": "file:a", "src/sub/b": "file:b", "src/folded/c": "file:c",
		"src/ln": "link:a", "src/chain": "link:ln", "elsewhere/x": "file:x", "via": "link:elsewhere"})
	m := parse(t, root, "version: 1\nlinks:\n  s:\n    dest: home\n    target: src\n    tree: true\n    fold: [folded]\n  v:\n    dest: home2\n    target: via\n    tree: true\n")
	r := open(t, m)
	if err := r.ExpandTrees(m); err != nil {
		t.Fatal(err)
	}
	sources := map[string]manifest.EntryType{}
	for _, l := range m.Links {
		sources[l.Name] = l.Source
	}
	want := map[string]manifest.EntryType{"s/a": manifest.EntryFile, "s/sub/b": manifest.EntryFile, "s/folded": manifest.EntryDir,
		"s/ln": manifest.EntrySymlink, "s/chain": manifest.EntrySymlink, "v/x": manifest.EntryFile}
	if diff := cmp.Diff(want, sources); diff != "" {
		t.Fatalf("members' Source (-want +got):\n%s", diff)
	}
	looked := func() *manifest.Manifest {
		c := *m
		c.Links = append([]manifest.Link(nil), m.Links...)
		for i := range c.Links {
			c.Links[i].Source = 0
		}
		return &c
	}
	observe := func(m *manifest.Manifest) []plan.Observation {
		t.Helper()
		obs, err := r.Observe(m)
		if err != nil {
			t.Fatal(err)
		}
		return obs.Index
	}
	walkedObs, lookedObs := observe(m), observe(looked())
	if diff := cmp.Diff(lookedObs, walkedObs); diff != "" {
		t.Errorf("observations from the walk differ from lookups (-lookups +walk):\n%s", diff)
	}
	for i, l := range m.Links {
		if o := walkedObs[i]; l.Name == "s/chain" && (!o.TargetExists || o.TargetFollows != 2) {
			t.Errorf("s/chain: exists %v, follows %d; want followed through 2 symlinks", o.TargetExists, o.TargetFollows)
		}
	}
	if err := os.Remove(filepath.Join(root, "src", "a")); err != nil {
		t.Fatal(err)
	}
	j, _ := m.Declares("home/a")
	if o := observe(m)[j]; !o.TargetExists {
		t.Errorf("s/a removed after the walk: observed missing, want as the walk found it (no lookup)")
	}
	if o := observe(looked())[j]; o.TargetExists {
		t.Errorf("s/a removed, looked up: observed existing")
	}
}
