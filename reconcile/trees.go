package reconcile

import (
	"path"
	"strings"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// ExpandTrees lists the source of every tree entry of m and expands it
// into member links (manifest.ExpandTrees). A source is listed without
// following any symlink inside it (a symlink there is a member, linked to,
// not walked); the target folder itself may be a symlink. A tree whose
// source cannot be listed, in whole or in part, keeps its Problem and
// becomes a conflict in the plan. The listing reads the source only; it
// writes nothing.
func (r *Root) ExpandTrees(m *manifest.Manifest) error {
	if len(m.Trees) == 0 {
		return nil
	}
	lists := make([]manifest.ListFunc, len(m.Trees))
	for i := range m.Trees {
		lists[i] = SourceLister(m.Trees[i].TargetPath(m.Root))
	}
	err := m.ExpandTrees(lists)
	trace("trees expanded")
	return err
}

// SourceLister lists folders under target (dir "." is target itself),
// never through a symlink inside it: listSource, per platform, reaches dir
// from target one component at a time.
func SourceLister(target string) manifest.ListFunc {
	return func(dir string) ([]manifest.SourceEntry, error) {
		var parts []string
		if dir != "." {
			parts = strings.Split(dir, "/")
		}
		return listSource(target, dir, parts)
	}
}

// firstSymlink returns the first folder on the way to dir (relative to
// root, outermost first) that is a symlink, or "".
func (r *Root) firstSymlink(dir string) string {
	if dir == "." {
		return ""
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		st, err := r.fs.Lstat(path.Join(append([]string{"."}, parts[:i]...)...), parts[i])
		if err != nil {
			return ""
		}
		if st.Type == plan.TypeSymlink {
			return strings.Join(parts[:i+1], "/")
		}
	}
	return ""
}
