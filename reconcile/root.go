package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
	"github.com/linksdev/links/reconcile/rootfs"
)

// Root is a manifest's root folder, opened for confined access.
type Root struct {
	// Path is the root as the manifest resolves it (absolute).
	Path string
	// Real is Path with symlinks resolved.
	Real string
	// StateDir is state_dir relative to root.
	StateDir string
	// Manifest identifies the manifest in the state file: its path
	// relative to root (slash-separated) when it lies under root, so the
	// tree can move, else its absolute path.
	Manifest string
	// State is state_dir: the journal, the state file, the lock and the
	// backups.
	State *journal.Dir

	root *os.Root
	fs   *rootfs.FS

	mu   sync.Mutex
	dirs map[string]dirInfo // resolved folders, by root-relative path
}

// Open opens the root of m. The root must exist and be a folder (it may be
// a symlink to one).
func Open(m *manifest.Manifest) (*Root, error) {
	fi, err := os.Stat(m.Root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("root %s does not exist; create it or fix root: in %s", m.Root, m.File)
	}
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", m.Root, unwrapPathError(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("root %s is not a folder; fix root: in %s", m.Root, m.File)
	}
	real, err := filepath.EvalSymlinks(m.Root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", m.Root, unwrapPathError(err))
	}
	r, err := os.OpenRoot(m.Root)
	if err != nil {
		return nil, fmt.Errorf("open root %s: %w", m.Root, unwrapPathError(err))
	}
	key := filepath.ToSlash(m.Path)
	if rel, err := filepath.Rel(m.Root, m.Path); err == nil && !manifest.LeadsOut(filepath.ToSlash(rel)) {
		key = filepath.ToSlash(rel)
	}
	root := &Root{Path: m.Root, Real: real, StateDir: m.StateDir, Manifest: key, root: r, fs: rootfs.New(r), dirs: map[string]dirInfo{}}
	root.State = journal.New(r, journal.Options{StateDir: m.StateDir, Manifest: key, SyncDir: root.fs.SyncDir,
		Observe: func(dest string) (plan.State, error) {
			now, _, err := root.observeDest(dest)
			return now, err
		}})
	return root, nil
}

// Close releases the root's handles.
func (r *Root) Close() error {
	err := r.fs.Close()
	if err2 := r.root.Close(); err == nil {
		err = err2
	}
	return err
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// dirInfo is what resolving a folder path found.
type dirInfo struct {
	real    string   // the folder with symlinks inside root resolved
	missing []string // folders that do not exist yet (lexical paths), outermost first
	problem string   // why nothing can be written there
}

const maxHops = 40

// resolveDir resolves the folder rel (root-relative, clean) component by
// component with lstat and readlink, following symlinks that stay inside
// root and reporting those that lead out.
func (r *Root) resolveDir(rel string) dirInfo {
	return r.resolveDirHops(rel, 0)
}

func (r *Root) resolveDirHops(rel string, hops int) dirInfo {
	if rel == "." || rel == "" {
		return dirInfo{real: "."}
	}
	r.mu.Lock()
	info, ok := r.dirs[rel]
	r.mu.Unlock()
	if ok {
		return info
	}
	info = r.resolveUncached(rel, hops)
	if hops == 0 {
		r.mu.Lock()
		r.dirs[rel] = info
		r.mu.Unlock()
	}
	return info
}

func (r *Root) resolveUncached(rel string, hops int) dirInfo {
	parent := r.resolveDirHops(path.Dir(rel), hops)
	base := path.Base(rel)
	if parent.problem != "" {
		return parent
	}
	if len(parent.missing) > 0 {
		return dirInfo{real: path.Join(parent.real, base), missing: append(append([]string{}, parent.missing...), rel)}
	}
	here := path.Join(parent.real, base)
	st, err := r.fs.Lstat(parent.real, base)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return dirInfo{real: here, missing: []string{rel}}
	case err != nil:
		return dirInfo{problem: fmt.Sprintf("cannot inspect parent folder %s: %v", rel, unwrapPathError(err))}
	}
	switch st.Type {
	case plan.TypeDir:
		return dirInfo{real: here}
	case plan.TypeSymlink:
		if hops >= maxHops {
			return dirInfo{problem: fmt.Sprintf("parent folder %s: too many levels of symlinks", rel)}
		}
		next, ok := r.inside(parent.real, st.Link)
		if !ok {
			return dirInfo{problem: fmt.Sprintf("parent folder %s is a symlink leading outside root (to %s); links never writes outside root", rel, st.Link)}
		}
		t := r.resolveDirHops(next, hops+1)
		if t.problem == "" && len(t.missing) > 0 {
			return dirInfo{problem: fmt.Sprintf("parent folder %s is a dangling symlink (to %s); fix or remove it", rel, st.Link)}
		}
		return t
	}
	return dirInfo{problem: fmt.Sprintf("parent %s is %s, not a folder; move it or choose another dest", rel, plan.State{Type: st.Type})}
}

// inside interprets a symlink's text found in folder dir and returns the
// root-relative path it names, or false if it leads out of root.
func (r *Root) inside(dir, text string) (string, bool) {
	if filepath.IsAbs(text) {
		for _, base := range []string{r.Path, r.Real} {
			if rel, err := filepath.Rel(base, filepath.Clean(text)); err == nil {
				rel = filepath.ToSlash(rel)
				if !manifest.LeadsOut(rel) {
					return rel, true
				}
			}
		}
		return "", false
	}
	p := path.Join(dir, filepath.ToSlash(text))
	if manifest.LeadsOut(p) {
		return "", false
	}
	return p, true
}
