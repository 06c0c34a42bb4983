//go:build linux && !links_portable

package reconcile

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile/rootfs"
	"github.com/linksdev/links/reconcile/scan"
)

// listSource lists the folder dir (its components: parts) under target
// with getdents(2). It is reached from target one component at a time
// with O_NOFOLLOW, so a symlink inside the source (even one swapped in
// during the walk) is never entered: opening it fails, and the tree
// becomes a conflict.
func listSource(target, dir string, parts []string) ([]manifest.SourceEntry, error) {
	dfd, err := unix.Open(target, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &pathError{op: "open", path: target, err: err}
	}
	for _, c := range parts {
		next, err := unix.Openat(dfd, c, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(dfd)
		if err != nil {
			if err == unix.ELOOP || err == unix.ENOTDIR {
				err = fmt.Errorf("%w (it changed to a symlink or a file while listed)", err)
			}
			return nil, &pathError{op: "open", path: filepath.Join(target, filepath.FromSlash(dir)), err: err}
		}
		dfd = next
	}
	defer unix.Close(dfd)
	return readSource(dfd, filepath.Join(target, filepath.FromSlash(dir)))
}

// readSource lists the open folder dfd.
func readSource(dfd int, where string) ([]manifest.SourceEntry, error) {
	bp := rootfs.DirentBufs.Get().(*[]byte)
	defer rootfs.DirentBufs.Put(bp)
	buf := *bp
	var out []manifest.SourceEntry
	var lerr error
	err := scan.Getdents(dfd, buf, func(name string, typ byte) bool {
		if typ == unix.DT_UNKNOWN {
			var st unix.Stat_t
			if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				lerr = &pathError{op: "lstat", path: filepath.Join(where, name), err: err}
				return false
			}
			typ = dtOfMode(st.Mode)
		}
		out = append(out, manifest.SourceEntry{Name: name, Type: entryType(typ)})
		return true
	})
	if err != nil {
		return nil, &pathError{op: "getdents", path: where, err: err}
	}
	if lerr != nil {
		return nil, lerr
	}
	return out, nil
}

// dtOfMode is the d_type of an entry of mode: its S_IFMT bits shifted
// down, as the kernel's S_DT does (DT_DIR for S_IFDIR, DT_LNK for S_IFLNK,
// DT_REG for S_IFREG, ...).
func dtOfMode(mode uint32) uint8 {
	return uint8((mode & unix.S_IFMT) >> 12)
}

func entryType(typ uint8) manifest.EntryType {
	switch typ {
	case unix.DT_DIR:
		return manifest.EntryDir
	case unix.DT_LNK:
		return manifest.EntrySymlink
	case unix.DT_REG:
		return manifest.EntryFile
	}
	return manifest.EntryOther
}

// pathError is an error with the operation and the path, like
// *fs.PathError, that unwraps to the errno.
type pathError struct {
	op, path string
	err      error
}

func (e *pathError) Error() string { return e.op + " " + e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }
