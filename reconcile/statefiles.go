package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path"
	"syscall"

	"github.com/linksdev/links/plan"
)

// makeStateDir creates state_dir (and its parents) if missing, and says
// plainly when something else is in its place.
func (r *Root) makeStateDir() error {
	err := r.fs.MkdirAll(r.StateDir)
	if err == nil {
		return nil
	}
	var esc *EscapeError
	if !errors.As(err, &esc) {
		// Find the entry on state_dir's way that is not a folder.
		for p := r.StateDir; p != "." && p != "/"; p = path.Dir(p) {
			st, lerr := r.fs.Lstat(path.Dir(p), path.Base(p))
			if lerr != nil || st.Type == plan.TypeDir || st.Type == plan.TypeSymlink {
				continue
			}
			where := ""
			if p != r.StateDir {
				where = fmt.Sprintf(" (%s is a %s)", p, describeType(st.Type))
			} else {
				return fmt.Errorf("state_dir %s is a %s, not a folder; move it away, or set state_dir: in %s to another folder", r.StateDir, describeType(st.Type), r.Manifest)
			}
			return fmt.Errorf("state_dir %s cannot be made: a parent is not a folder%s; move it away, or set state_dir: in %s to another folder", r.StateDir, where, r.Manifest)
		}
	}
	return fmt.Errorf("create state_dir %s: %w", r.StateDir, err)
}

// openStateFile opens links' own file name in state_dir (the lock, the
// journal), never through a symlink: a planted link would make links
// write, append to or truncate the file it points to. Something other
// than a regular file there is an error saying what to remove; errors
// need no further wrapping.
func (r *Root) openStateFile(name, what string, flag int) (*os.File, error) {
	if err := r.makeStateDir(); err != nil {
		return nil, err
	}
	notOurs := func(st Stat) error {
		if st.Type == plan.TypeSymlink {
			return fmt.Errorf("state_dir %s: %s is a symlink (to %s), not links' %s; remove it (rm %s) and run links again", r.StateDir, name, st.Link, what, path.Join(r.StateDir, name))
		}
		return fmt.Errorf("state_dir %s: %s is a %s, not links' %s; move it away and run links again", r.StateDir, name, describeType(st.Type), what)
	}
	if st, err := r.fs.Lstat(r.StateDir, name); err == nil && st.Type != plan.TypeFile {
		return nil, notOurs(st)
	}
	f, err := r.root.OpenFile(path.Join(r.StateDir, name), flag|noFollow, 0o644)
	if err != nil {
		// A symlink put there since the look above.
		if errors.Is(err, syscall.ELOOP) || isEscape(err) {
			if st, lerr := r.fs.Lstat(r.StateDir, name); lerr == nil && st.Type != plan.TypeFile {
				return nil, notOurs(st)
			}
		}
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	return f, nil
}
