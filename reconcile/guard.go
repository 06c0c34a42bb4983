package reconcile

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// guards describes state_dir and the manifest as plan.Guards: where each
// resolves under root and every entry on the way, so that a dest reaching
// one of them through a symlinked folder is a conflict, as its text is.
// The manifest is followed both as named (through the root's path) and
// with its folder resolved, since either can be the way a dest reaches it.
func (r *Root) guards(m *manifest.Manifest) []plan.Guard {
	var out []plan.Guard
	if real, trail, ok := r.trail(m.StateDir); ok {
		out = append(out, plan.Guard{What: "state_dir " + m.StateDir, Real: real, Folder: true, Trail: trail})
	}
	if m.Path == "" {
		return out
	}
	what := "the manifest " + filepath.Base(m.Path)
	seen := map[string]bool{}
	add := func(rel string) {
		if seen[rel] {
			return
		}
		seen[rel] = true
		if real, trail, ok := r.trail(rel); ok {
			out = append(out, plan.Guard{What: what, Real: real, Trail: trail})
		}
	}
	if rel, ok := relUnder(r.Path, m.Path); ok {
		add(rel)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(m.Path)); err == nil {
		if rel, ok := relUnder(r.Real, filepath.Join(dir, filepath.Base(m.Path))); ok {
			add(rel)
		}
	}
	return out
}

// relUnder is p relative to base, slash-separated, when p lies beneath
// base.
func relUnder(base, p string) (string, bool) {
	rel, ok := manifest.RelUnder(base, p)
	return rel, ok && rel != "."
}

// trail resolves rel (root-relative) as the kernel would, component by
// component with lstat and readlink, and returns where it leads and every
// entry met on the way (each with its folder resolved). What does not
// exist yet is taken as written. It returns false when the path leads out
// of root (nothing there is links' to guard) or cannot be looked at.
func (r *Root) trail(rel string) (real string, trail []string, ok bool) {
	cur := "."
	rest := strings.Split(path.Clean(rel), "/")
	hops := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case ".", "":
			continue
		case "..":
			if cur == "." {
				return "", nil, false
			}
			cur = path.Dir(cur)
			continue
		}
		here := path.Join(cur, c)
		trail = append(trail, here)
		st, err := r.fs.Lstat(cur, c)
		if err != nil {
			// Missing (or unreadable): the rest is as written.
			for _, c := range rest {
				here = path.Join(here, c)
				trail = append(trail, here)
			}
			return here, trail, !manifest.LeadsOut(here)
		}
		if st.Type != plan.TypeSymlink {
			cur = here
			continue
		}
		if hops++; hops > maxHops {
			return "", nil, false
		}
		next, inside := r.inside(cur, st.Link)
		if !inside {
			return "", nil, false
		}
		rest = append(strings.Split(next, "/"), rest...)
		cur = "."
	}
	return cur, trail, cur != "."
}
