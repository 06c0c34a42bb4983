//go:build !linux || links_portable

package scan

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// list reads the folder dir in batches of 1,024 entries and calls visit
// for each folder and symlink (with its text). Other entries are only
// counted. With OneFileSystem, a folder on another device than the scanned
// path is skipped (not counted).
func (w *scanWorker) list(dir string, st *scanStart, visit func(name string, kind Kind, text string, err error)) (entries int, skipped bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	if w.s.opts.OneFileSystem {
		fi, err := f.Stat()
		if err != nil {
			return 0, false, err
		}
		if fileDev(fi) != st.dev {
			return 0, true, nil
		}
	}
	for {
		batch, err := f.ReadDir(1024)
		for _, e := range batch {
			entries++
			switch t := e.Type(); {
			case t&fs.ModeSymlink != 0:
				text, err := os.Readlink(filepath.Join(dir, e.Name()))
				visit(e.Name(), KindLink, text, err)
			case t.IsDir():
				visit(e.Name(), KindDir, "", nil)
			}
		}
		if err == io.EOF {
			return entries, false, nil
		}
		if err != nil {
			return entries, false, err
		}
	}
}
