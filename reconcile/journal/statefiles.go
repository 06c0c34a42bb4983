package journal

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
func (d *Dir) makeStateDir() error {
	err := d.mkdirAll(d.rel)
	if err == nil {
		return nil
	}
	var esc *EscapeError
	if !errors.As(err, &esc) {
		// Find the entry on state_dir's way that is not a folder.
		for p := d.rel; p != "." && p != "/"; p = path.Dir(p) {
			st, lerr := d.lstat(path.Dir(p), path.Base(p))
			if lerr != nil || st.Type == plan.TypeDir || st.Type == plan.TypeSymlink {
				continue
			}
			where := ""
			if p != d.rel {
				where = fmt.Sprintf(" (%s is %s)", p, describe(st.Type))
			} else {
				return fmt.Errorf("state_dir %s is %s, not a folder; move it away, or set state_dir: in %s to another folder", d.rel, describe(st.Type), d.manifest)
			}
			return fmt.Errorf("state_dir %s cannot be made: a parent is not a folder%s; move it away, or set state_dir: in %s to another folder", d.rel, where, d.manifest)
		}
	}
	return fmt.Errorf("create state_dir %s: %w", d.rel, err)
}

// openStateFile opens links' own file name in state_dir (the lock, the
// journal), never through a symlink: a planted link would make links
// write, append to or truncate the file it points to. Something other
// than a regular file there is an error saying what to remove; errors
// need no further wrapping.
func (d *Dir) openStateFile(name, what string, flag int) (*os.File, error) {
	if err := d.makeStateDir(); err != nil {
		return nil, err
	}
	notOurs := func(st plan.State) error {
		if st.Type == plan.TypeSymlink {
			return fmt.Errorf("state_dir %s: %s is a symlink (to %s), not links' %s; remove it (rm %s) and run links again", d.rel, name, st.Link, what, path.Join(d.rel, name))
		}
		return fmt.Errorf("state_dir %s: %s is %s, not links' %s; move it away and run links again", d.rel, name, describe(st.Type), what)
	}
	if st, err := d.lstat(d.rel, name); err == nil && st.Type != plan.TypeFile {
		return nil, notOurs(st)
	}
	f, err := d.root.OpenFile(path.Join(d.rel, name), flag|noFollow, 0o644)
	if err != nil {
		// A symlink put there since the look above.
		if errors.Is(err, syscall.ELOOP) || isEscape(err) {
			if st, lerr := d.lstat(d.rel, name); lerr == nil && st.Type != plan.TypeFile {
				return nil, notOurs(st)
			}
		}
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	return f, nil
}
