// Package rootfs is the real filesystem of links' apply: a manifest's
// root opened with os.Root, folder handles opened beneath it, and *at
// system calls on single names in them (renameat2 with RENAME_EXCHANGE
// and RENAME_NOREPLACE, symlinkat, folder fsync), one file per platform.
// reconcile defines the interface apply uses (reconcile.FS); FS here
// implements it, confined to root.
package rootfs

import (
	"errors"
	"os"
	"path"
	"sync"

	"github.com/linksdev/links/reconcile/scan"
)

// ErrExchangeUnsupported is returned by FS.Exchange where atomic exchange
// is not available.
var ErrExchangeUnsupported = errors.New("atomic exchange not supported")

// Stat is the result of FS.Lstat.
type Stat struct {
	Type     string // plan.Type* constant
	Link     string // link text, for a symlink
	Identity string // device:inode:size:mtime, for a file or folder
	IsDir    bool
}

// FS is the real FS: an os.Root plus, on Unix, directory handles opened
// through it and *at system calls on single names.
type FS struct {
	root *os.Root
	mu   sync.Mutex
	dirs map[string]*os.File // open folder handles by root-relative path

	sfs syncFS // SyncFS's handle on root and its decision (syncfs_*.go)
}

func New(r *os.Root) *FS {
	f := &FS{root: r, dirs: map[string]*os.File{}}
	f.sfs.open(r)
	return f
}

// dir returns a handle on the folder rel, opened beneath root (symlinks
// inside root are followed, any leading out are refused).
func (f *FS) dir(rel string) (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.dirs[rel]; ok {
		return d, nil
	}
	d, err := openDir(f.root, rel)
	if err != nil {
		if IsEscape(err) {
			return nil, &EscapeError{Path: rel}
		}
		return nil, err
	}
	f.dirs[rel] = d
	return d, nil
}

// Close closes every handle the FS holds.
func (f *FS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var first error
	for k, d := range f.dirs {
		if err := d.Close(); err != nil && first == nil {
			first = err
		}
		delete(f.dirs, k)
	}
	if err := f.sfs.close(); err != nil && first == nil {
		first = err
	}
	return first
}

func (f *FS) MkdirAll(dir string) error {
	err := f.root.MkdirAll(dir, 0o777)
	if IsEscape(err) {
		return &EscapeError{Path: dir}
	}
	return err
}

func (f *FS) RemoveAll(dir, name string) error {
	err := f.root.RemoveAll(path.Join(dir, name))
	if IsEscape(err) {
		return &EscapeError{Path: path.Join(dir, name)}
	}
	return err
}

func (f *FS) SyncDir(dir string) error {
	d, err := f.dir(dir)
	if err != nil {
		return err
	}
	if err := syncDir(d); err != nil {
		return scan.PathErr("fsync", dir, err)
	}
	return nil
}
