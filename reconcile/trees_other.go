//go:build !linux || links_portable

package reconcile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/linksdev/links/manifest"
)

// listSource lists the folder dir (its components: parts) under target.
// Each folder on the way is checked with Lstat to be a real folder (not a
// symlink) before it is read; unlike Linux's O_NOFOLLOW walk, a symlink
// swapped in between the check and the read is not caught.
func listSource(target, _ string, parts []string) ([]manifest.SourceEntry, error) {
	p := target
	for _, c := range parts {
		p = filepath.Join(p, c)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fmt.Errorf("not a folder (it changed to a symlink or a file while listed)")}
		}
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	out := make([]manifest.SourceEntry, 0, len(entries))
	for _, e := range entries {
		t := manifest.EntryOther
		switch m := e.Type(); {
		case m.IsDir():
			t = manifest.EntryDir
		case m&fs.ModeSymlink != 0:
			t = manifest.EntrySymlink
		case m.IsRegular():
			t = manifest.EntryFile
		}
		out = append(out, manifest.SourceEntry{Name: e.Name(), Type: t})
	}
	return out, nil
}
