package reconcile

import (
	"errors"
	"os"
	"path"
	"sync"

	"github.com/linksdev/links/manifest"
)

// FS is what apply does to the disk, one operation per method, each on
// names inside folders given relative to root (slash-separated, "." for
// root). It is the seam where tests inject faults; the real implementation
// is confined to root.
type FS interface {
	// Lstat describes dir/name without following a final symlink.
	Lstat(dir, name string) (Stat, error)
	// Symlink creates dir/name with the link text; it fails if name
	// exists. kind is the manifest's kind: for the link (empty when
	// undeclared): Windows makes a directory link when it is dir or the
	// target is a folder (symlinkDirFlag); elsewhere it is not used.
	Symlink(text, dir, name string, kind manifest.Kind) error
	// Rename renames dir/from over dir/to (replacing a non-directory).
	Rename(dir, from, to string) error
	// Exchange swaps dir/a and dir/b atomically. It returns an error
	// satisfying errors.Is(err, ErrExchangeUnsupported) where the kernel or
	// filesystem cannot.
	Exchange(dir, a, b string) error
	// Move renames fromDir/fromName to toDir/toName, failing if the
	// destination exists.
	Move(fromDir, fromName, toDir, toName string) error
	// Link makes toDir/toName a hard link to fromDir/fromName.
	Link(fromDir, fromName, toDir, toName string) error
	// MkdirAll creates dir and its missing parents.
	MkdirAll(dir string) error
	// Remove removes dir/name: a file, a symlink or an empty folder.
	Remove(dir, name string) error
	// RemoveAll removes dir/name and everything beneath it. Apply uses it
	// only for a displaced folder whose link says backup: false.
	RemoveAll(dir, name string) error
	// SyncDir flushes dir's entries to stable storage.
	SyncDir(dir string) error
}

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

// rootFS is the real FS: an os.Root plus, on Unix, directory handles opened
// through it and *at system calls on single names.
type rootFS struct {
	root *os.Root
	mu   sync.Mutex
	dirs map[string]*os.File // open folder handles by root-relative path
}

func newRootFS(r *os.Root) *rootFS {
	return &rootFS{root: r, dirs: map[string]*os.File{}}
}

// dir returns a handle on the folder rel, opened beneath root (symlinks
// inside root are followed, any leading out are refused).
func (f *rootFS) dir(rel string) (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.dirs[rel]; ok {
		return d, nil
	}
	d, err := openDir(f.root, rel)
	if err != nil {
		if isEscape(err) {
			return nil, &EscapeError{Path: rel}
		}
		return nil, err
	}
	f.dirs[rel] = d
	return d, nil
}

// forget drops cached handles (after MkdirAll, a handle on a missing folder
// may now be openable; handles stay valid otherwise).
func (f *rootFS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var first error
	for k, d := range f.dirs {
		if err := d.Close(); err != nil && first == nil {
			first = err
		}
		delete(f.dirs, k)
	}
	return first
}

func (f *rootFS) MkdirAll(dir string) error {
	err := f.root.MkdirAll(dir, 0o777)
	if isEscape(err) {
		return &EscapeError{Path: dir}
	}
	return err
}

func (f *rootFS) RemoveAll(dir, name string) error {
	err := f.root.RemoveAll(path.Join(dir, name))
	if isEscape(err) {
		return &EscapeError{Path: path.Join(dir, name)}
	}
	return err
}

func (f *rootFS) SyncDir(dir string) error {
	d, err := f.dir(dir)
	if err != nil {
		return err
	}
	if err := syncDir(d); err != nil {
		return pathErr("fsync", dir, err)
	}
	return nil
}
