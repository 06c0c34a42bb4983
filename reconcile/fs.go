package reconcile

import (
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile/rootfs"
)

// FS is what apply does to the disk, one operation per method, each on
// names inside folders given relative to root (slash-separated, "." for
// root). It is the seam where tests inject faults; the real implementation
// is confined to root.
type FS interface {
	// Lstat describes dir/name without following a final symlink.
	Lstat(dir, name string) (rootfs.Stat, error)
	// Symlink creates dir/name with the link text; it fails if name
	// exists. kind is the manifest's kind: for the link (empty when
	// undeclared): Windows makes a directory link when it is dir or the
	// target is a folder (rootfs.SymlinkDirFlag); elsewhere it is not used.
	Symlink(text, dir, name string, kind manifest.Kind) error
	// Rename renames dir/from over dir/to (replacing a non-directory).
	Rename(dir, from, to string) error
	// Exchange swaps dir/a and dir/b atomically. It returns an error
	// satisfying errors.Is(err, rootfs.ErrExchangeUnsupported) where the kernel or
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
	// SyncFS flushes the folders dirs all at once where the filesystem
	// does that better than a SyncDir each (rootfs: one syncfs on ext2/3/4
	// without a journal), and returns those it did not cover, for
	// SyncDir. On an error none is taken as flushed.
	SyncFS(dirs []string) (rest []string, err error)
}
