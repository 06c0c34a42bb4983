package manifest

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// treeKeys are the settings only a tree entry may have.
var treeKeys = []string{"include", "exclude", "fold", "dotfiles"}

// isTree reports whether a links: entry says tree: true.
func isTree(raw map[string]any) bool {
	b, _ := raw["tree"].(bool)
	return b
}

// buildTree checks and decodes a tree entry (see Tree).
func (d *document) buildTree(name, ptr string, raw, defaults map[string]any, x *expander, m *Manifest, bad map[string]bool) (Tree, bool) {
	ok := true
	if _, has := raw["kind"]; has && !bad[ptr+"/kind"] {
		d.errorAt(ptr+"/kind", true, "kind is refused on a tree: each member's kind is what its source is; remove kind")
		ok = false
	}
	// A kind from defaults is meant for the plain links.
	noKind := defaults
	if _, has := defaults["kind"]; has {
		noKind = make(map[string]any, len(defaults))
		for k, v := range defaults {
			if k != "kind" {
				noKind[k] = v
			}
		}
	}
	l, lok := d.buildLink(name, ptr, rawFields(raw), noKind, x, m, bad, true)
	t := Tree{Link: l}
	if !lok {
		return t, false
	}
	if tr, under := l.TargetRel(m.Root); under && l.Dest != "." && (tr == "." || strings.HasPrefix(l.Dest, tr+"/")) {
		d.errorAt(ptr+"/dest", false, "dest %q is inside the tree's own target %q: its links would be written into the source they list; move the dest or the target", l.Dest, l.Target)
		return t, false
	}
	var good bool
	if t.Include, good = d.treePatterns(ptr, "include", raw, x, bad); !good {
		ok = false
	}
	if _, has := raw["include"]; !has {
		all, _ := newPattern("**")
		t.Include = []Pattern{all}
	}
	if t.Exclude, good = d.treePatterns(ptr, "exclude", raw, x, bad); !good {
		ok = false
	}
	if v, has := raw["dotfiles"].(bool); has {
		t.Dotfiles = v
	}
	if v, has := raw["fold"]; has && !bad[ptr+"/fold"] {
		ok = d.treeFolds(&t, ptr, v, x, bad) && ok
	}
	// The manifest and state_dir are never members.
	target := t.TargetPath(m.Root)
	if rel, under := RelUnder(target, m.Path); under && rel != "." {
		t.skip = append(t.skip, rel)
	}
	if rel, under := RelUnder(target, filepath.Join(m.Root, filepath.FromSlash(m.StateDir))); under && rel != "." {
		t.skip = append(t.skip, rel)
	}
	return t, ok
}

// treePatterns reads a tree's include: or exclude: globs (key); ok is
// false when one is refused (reported).
func (d *document) treePatterns(ptr, key string, raw map[string]any, x *expander, bad map[string]bool) ([]Pattern, bool) {
	v, has := raw[key]
	if !has || bad[ptr+"/"+key] {
		return nil, !has
	}
	list, _ := v.([]any)
	out := make([]Pattern, 0, len(list))
	good := d.expandEach(ptr+"/"+key, v, x, bad, func(_ int, gp, glob string) bool {
		p, err := newPattern(glob)
		if err != nil {
			d.errorAt(gp, false, "%v", err)
			return false
		}
		p.Where = d.pathOf(gp)
		p.Pos.Line, p.Pos.Col = d.place(d.locate(gp, false))
		out = append(out, p)
		return true
	})
	return out, good
}

// treeFolds reads a tree's fold: list v into t.Fold and checks the folds
// against each other and against the excludes; ok is false when one is
// refused (reported).
func (d *document) treeFolds(t *Tree, ptr string, v any, x *expander, bad map[string]bool) bool {
	seen := map[string]int{}
	ok := d.expandEach(ptr+"/fold", v, x, bad, func(i int, fp, s string) bool {
		c := path.Clean(strings.TrimSuffix(s, "/"))
		switch {
		case strings.IndexByte(s, 0) >= 0:
			d.errorAt(fp, false, "fold contains a NUL byte; remove it")
		case strings.HasPrefix(s, "/") || filepath.IsAbs(s):
			d.errorAt(fp, false, "fold %q is absolute; name a folder relative to the tree's target, as in lua/vendor", s)
		case c == "." || LeadsOut(c):
			d.errorAt(fp, false, "fold %q is not a folder inside the tree's target; name one, as in lua/vendor (to link the whole target as one folder, write a plain link)", s)
		case strings.ContainsAny(c, "*?[{"):
			d.errorAt(fp, false, "fold %q is a glob; fold takes folder paths, as in lua/vendor", s)
		default:
			if j, dup := seen[c]; dup {
				d.errorAt(fp, false, "fold %q is also fold[%d]; name each folder once", s, j)
				break
			}
			seen[c] = i
			t.Fold = append(t.Fold, Fold{Path: c, Where: d.pathOf(fp)})
			last := &t.Fold[len(t.Fold)-1]
			last.Pos.Line, last.Pos.Col = d.place(d.locate(fp, false))
			return true
		}
		return false
	})
	for i := range t.Fold {
		for j := range t.Fold {
			if i != j && strings.HasPrefix(t.Fold[i].Path, t.Fold[j].Path+"/") {
				d.errors(t.Fold[i].Pos, t.Fold[i].Where, "fold %q lies inside fold %q, which is one folder link already; remove it", t.Fold[i].Path, t.Fold[j].Path)
				ok = false
			}
		}
		for k := range t.Exclude {
			e := &t.Exclude[k]
			if strings.HasPrefix(e.literalPrefix(), t.Fold[i].Path+"/") {
				d.errors(e.Pos, e.Where, "exclude %q matches inside folded folder %q, which the folder link would expose; remove the exclude or the fold", e.Glob, t.Fold[i].Path)
				ok = false
			}
		}
	}
	return ok
}

// errors records an error at a known place.
func (d *document) errors(p Pos, where, format string, args ...any) {
	e := &Error{File: d.file, Line: p.Line, Col: p.Col, Path: where}
	e.Msg = fmt.Sprintf(format, args...)
	d.errs = append(d.errs, e)
}

// SetPatterns sets a tree's include, exclude and fold lists from plain
// strings (for a tree built in code, as import does); include nil means
// ["**"].
func (t *Tree) SetPatterns(include, exclude, fold []string) error {
	if include == nil {
		include = []string{"**"}
	}
	t.Include, t.Exclude, t.Fold = nil, nil, nil
	for _, g := range include {
		p, err := newPattern(g)
		if err != nil {
			return err
		}
		t.Include = append(t.Include, p)
	}
	for _, g := range exclude {
		p, err := newPattern(g)
		if err != nil {
			return err
		}
		t.Exclude = append(t.Exclude, p)
	}
	for _, f := range fold {
		t.Fold = append(t.Fold, Fold{Path: path.Clean(f)})
	}
	return nil
}

// Skip leaves out the source paths of state_dir and the manifest, given
// relative to root (for a tree built in code).
func (t *Tree) Skip(rootRel ...string) {
	for _, r := range rootRel {
		if rel, ok := strings.CutPrefix(r, t.Target+"/"); ok && r != "" {
			t.skip = append(t.skip, rel)
		}
	}
}
