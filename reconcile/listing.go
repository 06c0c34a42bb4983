package reconcile

import (
	"path"
	"sync"
	"sync/atomic"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile/rootfs"
	"github.com/linksdev/links/reconcile/scan"
)

// Observing a link costs two lookups, one per system call: its dest, and
// its target (followed). Where many of a manifest's dests and targets
// share a folder, one listing of the folder (getdents: hundreds of entries
// per system call) answers most of them instead: a name absent from the
// listing is absent (a dest to create then costs no system call), and a
// target listed as a plain file or a folder exists without a stat. Dests
// that are there are still read one by one (their link text), and so are
// targets that are symlinks or of a type the listing does not give.
//
// A listing is only trusted where a name absent from it is absent to a
// lookup: on Linux, in folders on ext4, btrfs or tmpfs that are not
// case-insensitive (casefold). Elsewhere, or when the listing fails, every
// name is looked up as before. A listing is as much a snapshot as a
// lookup: apply re-checks every dest before changing it.
//
// A folder is listed only when at least listMin lookups of the manifest
// fall in it, and a listing that passes listRatio entries per such lookup
// is abandoned midway, so that a big folder holding a few links costs at
// most about what its lookups would have. A listing saves nothing for a
// dest that is there (its link text is read anyway): an observer looks
// the dests of a folder up one by one until listMisses of them were
// missing (a folder of links to create), unless the folder was listed
// already (for targets in it). A plan with nothing to change then lists
// only target folders.
const (
	listMin    = 32
	listRatio  = 16
	listMisses = 4
)

// useListings is rootfs.ListingSupported; tests turn it off to compare.
var useListings = rootfs.ListingSupported

// lister holds the listings of one Observe. A folder's listing is read by
// the first lookup in it and dropped after the last one, so that memory
// holds only the folders being worked on.
type lister struct {
	fs   *rootfs.FS
	mu   sync.Mutex
	dirs map[string]*listing // by folder as declared (root-relative)
}

type listing struct {
	once  sync.Once
	names map[string]scan.Kind // nil: not listed, look names up; absent: KindMissing
	read  atomic.Bool          // once has run: names is set
	left  atomic.Int64         // lookups still to come
}

// newLister counts, for every folder of m's dests and targets under root,
// the lookups Observe will make in it, and keeps the folders worth a
// listing. It returns nil where listings are never trusted.
func newLister(fsys *rootfs.FS, m *manifest.Manifest, root string) *lister {
	if !useListings {
		return nil
	}
	counts := map[string]int64{}
	for i := range m.Links {
		for _, dir := range lookupDirs(&m.Links[i], root) {
			if dir != "" {
				counts[dir]++
			}
		}
	}
	ls := &lister{fs: fsys, dirs: map[string]*listing{}}
	for dir, n := range counts {
		if n >= listMin {
			l := &listing{}
			l.left.Store(n)
			ls.dirs[dir] = l
		}
	}
	return ls
}

// lookupDirs returns the folders (as declared, root-relative) of l's dest
// and of its target when the target lies under root; "" for none.
func lookupDirs(l *manifest.Link, root string) [2]string {
	dirs := [2]string{path.Dir(l.Dest)}
	if walked(l) {
		return dirs // its walk listed the target's folder (observeTarget)
	}
	if rel, under := l.TargetRel(root); under && rel != "." {
		dirs[1] = path.Dir(rel)
	}
	return dirs
}

// listing returns the listing of the folder dir (as declared), or nil
// when dir is not to be listed.
func (ls *lister) listing(dir string) *listing {
	if ls == nil {
		return nil
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.dirs[dir]
}

// lookup says what name is in the folder of listing l (real is where the
// folder resolved), and false when the folder is not listed (the caller
// looks name up). The first lookup reads the listing.
func (ls *lister) lookup(l *listing, real, name string) (scan.Kind, bool) {
	if l == nil || name == "." || name == ".." {
		return 0, false
	}
	l.once.Do(func() {
		left := int(l.left.Load())
		l.names = ls.fs.ReadNames(real, left, left*listRatio)
		l.read.Store(true)
	})
	if l.names == nil {
		return 0, false
	}
	return l.names[name], true
}

// done gives back n lookups made in the folder dir (as declared, counted
// as lookupDirs does), dropping its listing after the last one.
func (ls *lister) done(dir string, n int64) {
	if ls == nil {
		return
	}
	ls.mu.Lock()
	if d := ls.dirs[dir]; d != nil && d.left.Add(-n) <= 0 {
		delete(ls.dirs, dir)
	}
	ls.mu.Unlock()
}
