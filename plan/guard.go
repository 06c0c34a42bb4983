package plan

import (
	"fmt"
	"path"
	"strings"

	"github.com/linksdev/links/manifest"
)

// Guard is one of links' own things under root (state_dir, the manifest)
// that no link may replace or be written into, described by where it
// resolves and by every entry on the way there. Guards compare resolved
// paths, not text: a symlinked folder inside root reaches state_dir or the
// manifest as surely as its own name does.
type Guard struct {
	// What names it in a conflict's reason: "state_dir .links", "the
	// manifest links.yaml".
	What string
	// Real is where it resolves, relative to root, every symlink inside
	// root followed.
	Real string
	// Folder says Real is a folder whose contents are guarded too.
	Folder bool
	// Trail holds every entry met resolving its path from root, each
	// relative to root with its folder resolved: the folders holding it
	// and the symlinks on the way. Replacing any of them would move or
	// redirect it.
	Trail []string
}

// guardConflict is the reason a link whose dest resolves to real may not
// be made, or "" when no guard forbids it.
func guardConflict(real string, guards []Guard) string {
	for i := range guards {
		g := &guards[i]
		switch {
		case real == g.Real:
			return fmt.Sprintf("dest resolves to %s, which is %s; choose another dest", real, g.What)
		case g.Folder && strings.HasPrefix(real, g.Real+"/"):
			return fmt.Sprintf("dest resolves to %s, inside %s (at %s, through a symlinked folder), where links keeps its own state; choose another dest", real, g.What, g.Real)
		}
		for _, e := range g.Trail {
			if e != real {
				continue
			}
			if strings.HasPrefix(g.Real, real+"/") {
				return fmt.Sprintf("dest resolves to %s, a folder that holds %s (at %s); replacing it would move that away; choose another dest", real, g.What, g.Real)
			}
			return fmt.Sprintf("dest resolves to %s, a symlink on the way to %s (at %s); replacing it would lose that; choose another dest", real, g.What, g.Real)
		}
	}
	return ""
}

// nestedConflict is the reason link i may not be made because its dest,
// resolved, lies inside another link's dest (resolved), or "". Links whose
// folders resolve to what their text says were compared by NestedDests
// already; this finds the pairs a symlinked folder hides. aliasedAt maps
// the resolved dest of every link whose folder goes through a symlink to
// that link.
func nestedConflict(m *manifest.Manifest, obs *Observed, i int, o *Observation, aliasedAt map[string]*manifest.Link) string {
	l := &m.Links[i]
	aliased := o.ParentReal != parent(l.Dest)
	for p := o.ParentReal; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		outer, ok := aliasedAt[p]
		if !ok && aliased {
			// A link whose folder resolves to its text, at p.
			if j, declared := m.Declares(p); declared {
				if oj := obs.At(m, j); oj.ParentProblem == "" && oj.ParentReal == path.Dir(p) {
					outer, ok = &m.Links[j], true
				}
			}
		}
		if ok && outer != l {
			shown := p
			if outer.Dest != p {
				shown = fmt.Sprintf("%s (%s)", p, outer.Dest)
			}
			return fmt.Sprintf("dest resolves to %s, inside %s, the dest of links.%s, through a symlinked folder: links would write inside that link's place, or through it into its target; move one of the two",
				path.Join(o.ParentReal, path.Base(l.Dest)), shown, outer.Name)
		}
	}
	return ""
}

// ordinal writes n as 1st, 2nd, 3rd, 4th, ..., 41st.
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// chainLengths predicts, for each link whose target is (or lies under)
// another declared link's dest, how many symlinks the kernel will follow
// to resolve it once apply made them all: one for each link of the chain
// the manifest declares, plus those on the way to where the chain ends
// (observed). A target beneath a dest counts that dest's chain only.
func chainLengths(m *manifest.Manifest, obs *Observed, needs map[string]dependency) map[string]int {
	if len(needs) == 0 {
		return nil
	}
	out := make(map[string]int, len(needs))
	visiting := map[string]bool{}
	var length func(dest string) int
	length = func(dest string) int {
		if n, ok := out[dest]; ok {
			return n
		}
		j, ok := m.Declares(dest)
		if !ok || visiting[dest] {
			return 0 // a cycle, reported as such
		}
		visiting[dest] = true
		n := 1
		if dep, ok := needs[dest]; ok && dep.cycle == "" {
			n += length(dep.dest)
		} else if !ok {
			n += obs.At(m, j).TargetFollows
		}
		delete(visiting, dest)
		out[dest] = n
		return n
	}
	for dest := range needs {
		length(dest)
	}
	return out
}

// writeConflict is the reason apply could not make change c, which
// observation o predicts, or "": a folder the user cannot write in, a
// folder to displace that cannot be moved, a backup that would cross
// filesystems. Each would otherwise fail halfway through an apply.
func writeConflict(m *manifest.Manifest, l *manifest.Link, o *Observation, c *Change, obs *Observed) string {
	switch c.Action {
	case Create, Update, Replace:
	default:
		return ""
	}
	if obs.StateDirProblem != "" {
		return fmt.Sprintf("%s: apply keeps its lock, journal and backups there; run links as a user who may write there, or set state_dir: to a folder you can write", obs.StateDirProblem)
	}
	backupDev := obs.BackupDev
	if o.FolderProblem != "" {
		fix := "run links as a user who may write there, or change the folder's permissions"
		if strings.Contains(o.FolderProblem, "read-only") {
			fix = "remount that filesystem read-write, or choose another dest"
		}
		return fmt.Sprintf("%s: links creates and renames entries there; %s", o.FolderProblem, fix)
	}
	if c.Action != Replace {
		return ""
	}
	if o.Dest.Type == TypeDir && o.DirProblem != "" {
		return fmt.Sprintf("%s: moving a folder rewrites its .. entry; give yourself write permission on it, or move it away by hand", o.DirProblem)
	}
	if l.Backup && backupDev != "" {
		if dev, _, ok := strings.Cut(o.Dest.Identity, ":"); ok && dev != backupDev {
			return fmt.Sprintf("the %s at dest is on another filesystem than state_dir %s, and a backup is a rename, which cannot cross filesystems (EXDEV); move it away by hand, or set state_dir to a folder on the dest's filesystem", describe(o.Dest.Type), m.StateDir)
		}
	}
	return ""
}
