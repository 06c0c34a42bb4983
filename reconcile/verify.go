package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/scan"
)

// Problem kinds reported by Verify (SPEC §4).
const (
	ProblemMissing      = "missing"
	ProblemNotSymlink   = "not_symlink"
	ProblemWrongTarget  = "wrong_target"
	ProblemBroken       = "broken"
	ProblemLoop         = "loop"
	ProblemKindMismatch = "kind_mismatch"
	ProblemNotAllowed   = "not_allowed"
)

// Problem is one way the tree differs from the manifest.
type Problem struct {
	Name    string `json:"name"`
	Dest    string `json:"dest"`
	Problem string `json:"problem"`
	Detail  string `json:"detail"`
}

// Verify checks that every declared link exists, is a symlink with the
// declared text, resolves (unless allow_dangling), is not a loop, and
// matches kind and allow. It writes nothing.
func (r *Root) Verify(m *manifest.Manifest) ([]Problem, error) {
	obs, err := r.Observe(m)
	if err != nil {
		return nil, err
	}
	var out []Problem
	for i := range m.Links {
		l := &m.Links[i]
		o := obs.At(m, i)
		want := plan.LinkText(l, m.Root, obs.RootReal, o.ParentReal)
		add := func(kind, format string, args ...any) {
			out = append(out, Problem{Name: l.Name, Dest: l.Dest, Problem: kind, Detail: fmt.Sprintf(format, args...)})
		}
		if !l.Allowed(m.Root) {
			add(ProblemNotAllowed, "target %s is not allowed by allow: [%s]", l.Target, strings.Join(l.Allow, ", "))
		}
		switch {
		case o.ParentProblem != "":
			add(ProblemMissing, "%s", o.ParentProblem)
			continue
		case o.Dest.Type == plan.TypeMissing:
			add(ProblemMissing, "no link at %s; run links apply", l.Dest)
			continue
		case o.Dest.Type != plan.TypeSymlink:
			add(ProblemNotSymlink, "%s is %s, not a symlink; run links plan to see how to replace it", l.Dest, o.Dest)
			continue
		case o.Dest.Link != want:
			add(ProblemWrongTarget, "%s points to %s, the manifest says %s; run links apply", l.Dest, o.Dest.Link, want)
			continue
		}
		// Follow the link itself from its folder's handle (reading where it
		// leads, even outside root, is fine).
		isDir, err, ferr := r.fs.Follow(o.ParentReal, path.Base(l.Dest))
		if ferr != nil {
			var fi os.FileInfo
			if fi, err = os.Stat(filepath.Join(r.Path, filepath.FromSlash(l.Dest))); err == nil {
				isDir = fi.IsDir()
			}
		}
		switch {
		case err == nil:
		case isLoop(err):
			add(ProblemLoop, "%s -> %s cannot be resolved: a symlink loop, or a chain of more than %d symlinks (ELOOP)", l.Dest, o.Dest.Link, plan.MaxFollows)
			continue
		default:
			if !l.AllowDangling {
				add(ProblemBroken, "%s -> %s does not resolve (%v); create the target or set allow_dangling: true", l.Dest, o.Dest.Link, unwrapPathError(err))
			}
			continue
		}
		if l.Kind == manifest.KindDir && !isDir {
			add(ProblemKindMismatch, "kind: dir, but %s resolves to a file", l.Dest)
		} else if l.Kind == manifest.KindFile && isDir {
			add(ProblemKindMismatch, "kind: file, but %s resolves to a directory", l.Dest)
		}
	}
	// A tree whose source cannot be listed declares nothing: verify says
	// so rather than calling an unreadable source in sync.
	for i := range m.Trees {
		if t := &m.Trees[i]; t.Problem != "" {
			out = append(out, Problem{Name: t.Name, Dest: t.Dest, Problem: ProblemMissing, Detail: t.Problem})
		}
	}
	return out, nil
}

func isLoop(err error) bool {
	return errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "too many levels of symbolic links")
}

// Problem kinds reported by Undeclared, in addition to Verify's.
const (
	ProblemUndeclared = "undeclared" // a symlink under root the manifest does not declare
	ProblemUnreadable = "unreadable" // a folder under root that could not be checked
)

// Undeclared scans root for symlinks that m does not declare, for teams
// that want every link managed (links verify --scan). It skips state_dir
// and .git folders and does not follow folder links. A folder it cannot
// read is reported as ProblemUnreadable; the links beneath it are
// unchecked. Problems are sorted by dest. It writes nothing.
func (r *Root) Undeclared(m *manifest.Manifest) ([]Problem, error) {
	var skip []string
	if info := r.resolveDir(r.StateDir); info.problem == "" && len(info.missing) == 0 {
		skip = append(skip, filepath.Join(r.Real, filepath.FromSlash(info.real)))
	}
	res, err := scan.Scan([]string{r.Real}, scan.Options{SkipDirs: skip})
	if err != nil {
		return nil, err
	}
	// A declared dest under a symlinked folder is found at its real place.
	declared := make(map[string]bool, 2*len(m.Links))
	for i := range m.Links {
		d := m.Links[i].Dest
		declared[d] = true
		if info := r.resolveDir(path.Dir(d)); info.problem == "" && len(info.missing) == 0 {
			declared[path.Join(info.real, path.Base(d))] = true
		}
	}
	var out []Problem
	rel := func(p string) string {
		if rp, err := filepath.Rel(r.Real, p); err == nil {
			return filepath.ToSlash(rp)
		}
		return p
	}
	for i := range res.Links {
		l := &res.Links[i]
		d := rel(l.Path)
		if declared[d] {
			continue
		}
		out = append(out, Problem{Dest: d, Problem: ProblemUndeclared,
			Detail: fmt.Sprintf("%s -> %s is not declared in %s; declare it (links import prints the entry) or remove it", d, l.Link, m.File)})
	}
	for _, e := range res.Unreadable {
		d := rel(e.Path)
		out = append(out, Problem{Dest: d, Problem: ProblemUnreadable,
			Detail: fmt.Sprintf("cannot read folder %s (%s); symlinks beneath it were not checked", d, unwrapPathError(e.Err))})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Dest < out[j].Dest })
	return out, nil
}
