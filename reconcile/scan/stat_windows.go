package scan

import (
	"errors"
	"io/fs"
	"os"
)

// lstatKind says what is at p without following a final symlink.
func lstatKind(p string) (Kind, error) {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return KindMissing, nil
	case err != nil:
		return 0, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return KindLink, nil
	case fi.IsDir():
		return KindDir, nil
	}
	return KindFile, nil
}

// pathDev returns 0: OneFileSystem has no effect on Windows.
func pathDev(string) (uint64, error) { return 0, nil }

func fileDev(fs.FileInfo) uint64 { return 0 }
