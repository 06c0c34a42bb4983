package reconcile

import (
	"errors"
	"io/fs"
	"os"
)

// lstatKind says what is at p without following a final symlink.
func lstatKind(p string) (entryKind, error) {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return kindMissing, nil
	case err != nil:
		return kindError, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return kindLink, nil
	case fi.IsDir():
		return kindDir, nil
	}
	return kindFile, nil
}

// pathDev returns 0: OneFileSystem has no effect on Windows.
func pathDev(string) (uint64, error) { return 0, nil }

func fileDev(fs.FileInfo) uint64 { return 0 }
