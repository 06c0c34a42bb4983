// Package journal keeps what links writes in a manifest's state_dir: the
// journal of every apply (records written before and after each
// mutation, read back as a History), the state file (which links the
// manifest owns, up to a journal offset), the lock every apply takes, and
// the backups of displaced entries. It reaches the disk only through the
// confined root, and only under state_dir; what it needs to know of the
// dests (whether an interrupted apply's link is in place) it asks an
// observer function, so it never imports reconcile.
package journal

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/linksdev/links/plan"
)

// Dir is a manifest's state_dir, reached through its confined root.
type Dir struct {
	root     *os.Root
	rel      string // state_dir relative to root
	manifest string // the manifest's key in the state file and journal
	observe  func(dest string) (plan.State, error)
	syncDir  func(dir string) error

	// While this process holds the lock, the state file is read once:
	// a plan and the apply after it, under the same hold, share its
	// bytes (snap), forgotten when the hold ends or the file is replaced.
	snapMu sync.Mutex
	held   bool
	snap   *stateSnap
}

// stateSnap is the state file as read under the lock.
type stateSnap struct {
	raw []byte // nil: there is no state file
	// fast is set when raw is in the layout links writes (decodeStateFast
	// read all of it): an apply can then merge its lines as they are.
	fast bool
}

// setHeld sets whether this process holds the lock; either way the state
// file is read again next time.
func (d *Dir) setHeld(held bool) {
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	d.held, d.snap = held, nil
}

// cachedState is the state file read earlier under this lock hold, or nil.
func (d *Dir) cachedState() *stateSnap {
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	if !d.held {
		return nil
	}
	return d.snap
}

// keepState remembers s, read under the lock, while the hold lasts.
func (d *Dir) keepState(s *stateSnap) {
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	if d.held {
		d.snap = s
	}
}

// forgetState drops the remembered state file (it is being replaced).
func (d *Dir) forgetState() {
	d.snapMu.Lock()
	defer d.snapMu.Unlock()
	d.snap = nil
}

// Options are what a Dir needs from its caller.
type Options struct {
	// StateDir is state_dir relative to root; Manifest identifies the
	// manifest (see reconcile.Root.Manifest).
	StateDir, Manifest string
	// Observe says what is at dest (relative to root) now, without
	// following a final symlink: ownership adopts an interrupted apply's
	// link only when it is in place.
	Observe func(dest string) (plan.State, error)
	// SyncDir fsyncs the folder dir (relative to root).
	SyncDir func(dir string) error
}

// New returns root's state_dir as opts describe it.
func New(root *os.Root, opts Options) *Dir {
	return &Dir{root: root, rel: opts.StateDir, manifest: opts.Manifest, observe: opts.Observe, syncDir: opts.SyncDir}
}

// Path is state_dir relative to root.
func (d *Dir) Path() string { return d.rel }

// lstat describes dir/name without following a final symlink.
func (d *Dir) lstat(dir, name string) (plan.State, error) {
	p := path.Join(dir, name)
	fi, err := d.root.Lstat(p)
	if err != nil {
		return plan.State{}, err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		text, err := d.root.Readlink(p)
		if err != nil {
			return plan.State{}, err
		}
		return plan.State{Type: plan.TypeSymlink, Link: text}, nil
	case fi.IsDir():
		return plan.State{Type: plan.TypeDir}, nil
	case fi.Mode().IsRegular():
		return plan.State{Type: plan.TypeFile}, nil
	}
	return plan.State{Type: plan.TypeOther}, nil
}

// mkdirAll makes the folder rel and its parents beneath root.
func (d *Dir) mkdirAll(rel string) error {
	err := d.root.MkdirAll(rel, 0o777)
	if isEscape(err) {
		return &EscapeError{Path: rel}
	}
	return err
}

// isEscape reports os.Root's refusal of a path leading out of it.
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// bare drops a *fs.PathError's path, for messages that name it already.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// describe is a type's words: "a regular file", "a folder", ...
func describe(t string) string { return plan.State{Type: t}.String() }
