package importer

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile"
)

// importTree is a tree entry import --trees proposes: the links it stands
// for, and what the entry needs to reproduce exactly those.
type importTree struct {
	name     string
	dest     string // relative to root ("." for root)
	target   string // relative to root
	strategy manifest.Strategy
	dotfiles bool
	fold     []string
	exclude  []string
	links    []*importLink
}

// treeKey is where a link's dest and target part: the dest's folder and
// the source folder whose tail the link mirrors.
type treeKey struct {
	dest, target string
	strategy     manifest.Strategy
}

// mirror splits a link into the tree it could be a member of: the longest
// run of trailing path components that dest and target share (a target
// component dot-x may stand for .x in dest), and what is left of each. ok
// is false when they share no component.
func mirror(dest, target string) (treeDest, treeTarget, member string, dotfiles, ok bool) {
	d := strings.Split(dest, "/")
	t := strings.Split(target, "/")
	n := 0
	for n < len(d) && n < len(t) {
		dc, tc := d[len(d)-1-n], t[len(t)-1-n]
		if dc != tc && manifest.DotfilesName(tc) != dc {
			break
		}
		if dc != tc {
			dotfiles = true
		}
		n++
	}
	// A tree's target is a folder that is not root.
	if n == 0 || n == len(t) {
		return "", "", "", false, false
	}
	treeDest = strings.Join(d[:len(d)-n], "/")
	if treeDest == "" {
		treeDest = "."
	}
	return treeDest, strings.Join(t[:len(t)-n], "/"), strings.Join(t[len(t)-n:], "/"), dotfiles, true
}

// proposeTrees groups links whose dests mirror one source folder with one
// strategy, and keeps each group only if expanding its tree (with the
// excludes and folds it needs) gives back exactly those links. The rest
// stay per-link entries.
func proposeTrees(links []*importLink, rootAbs string, stateRel, manifestRel string) (trees []*importTree, rest []*importLink) {
	groups := map[treeKey]*importTree{}
	var order []treeKey
	for _, il := range links {
		if il.dangling || filepath.IsAbs(il.target) || manifest.LeadsOut(il.target) {
			rest = append(rest, il)
			continue
		}
		td, tt, _, dot, ok := mirror(il.dest, il.target)
		if !ok {
			rest = append(rest, il)
			continue
		}
		k := treeKey{td, tt, il.strategy}
		g := groups[k]
		if g == nil {
			g = &importTree{dest: td, target: tt, strategy: il.strategy}
			groups[k] = g
			order = append(order, k)
		}
		g.dotfiles = g.dotfiles || dot
		g.links = append(g.links, il)
	}
	for _, k := range order {
		g := groups[k]
		// One link makes a tree only when it is a folder link that is the
		// whole of its package (a folder GNU Stow folded): a tree of one
		// file with excludes for everything else says less than a link.
		single := len(g.links) == 1
		if single && !g.links[0].found.IsDir || !g.settle(rootAbs, stateRel, manifestRel, single) {
			rest = append(rest, g.links...)
			continue
		}
		trees = append(trees, g)
	}
	sort.Slice(trees, func(i, j int) bool {
		return trees[i].dest+"\x00"+trees[i].target < trees[j].dest+"\x00"+trees[j].target
	})
	return trees, rest
}

// settle works out the folds (links to folders) and excludes (source
// paths nobody linked) the tree needs, and reports whether its expansion
// then is exactly its links.
func (g *importTree) settle(rootAbs, stateRel, manifestRel string, noExcludes bool) bool {
	want := map[string]string{} // dest -> target
	for _, il := range g.links {
		want[il.dest] = il.target
		if il.found.IsDir {
			_, _, member, _, _ := mirror(il.dest, il.target)
			g.fold = append(g.fold, member)
		}
	}
	sort.Strings(g.fold)
	for round := 0; round < 3; round++ {
		got, problem := g.expand(rootAbs, stateRel, manifestRel)
		if problem {
			return false
		}
		var extra []string
		for d, t := range got {
			if want[d] != t {
				if _, declared := want[d]; declared {
					return false
				}
				_, _, member, _, _ := mirror(d, t)
				if member == "" {
					return false
				}
				extra = append(extra, member)
			}
		}
		for d := range want {
			if _, ok := got[d]; !ok {
				return false
			}
		}
		if len(extra) == 0 {
			return true
		}
		if noExcludes {
			return false
		}
		g.exclude = append(g.exclude, coverPaths(extra, want, g)...)
	}
	return false
}

// coverPaths are the excludes for the unlinked source paths extra: a whole
// folder where no link lies under it, else the path itself. Names are
// escaped so that they match only themselves.
func coverPaths(extra []string, want map[string]string, g *importTree) []string {
	linkedUnder := map[string]bool{}
	for _, t := range want {
		rel := strings.TrimPrefix(t, g.target+"/")
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			linkedUnder[d] = true
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range extra {
		p := e
		for d := path.Dir(e); d != "."; d = path.Dir(d) {
			if !linkedUnder[d] {
				p = d + "/"
			}
		}
		// A bare name matches at any depth: if that leaves out a linked
		// file too, the round trip check rejects the tree.
		if !seen[p] {
			seen[p] = true
			out = append(out, escapeGlob(p))
		}
	}
	sort.Strings(out)
	return out
}

// escapeGlob makes a path a glob matching only itself.
func escapeGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// expand lists the tree's source and returns its members (dest -> target),
// or problem when it cannot be listed or its globs are refused.
func (g *importTree) expand(rootAbs, stateRel, manifestRel string) (map[string]string, bool) {
	t := manifest.Tree{Link: manifest.Link{Name: "import", Dest: g.dest, Target: g.target, Strategy: g.strategy}, Dotfiles: g.dotfiles}
	if err := t.SetPatterns(nil, g.exclude, g.fold); err != nil {
		return nil, true
	}
	t.Skip(stateRel, manifestRel)
	members, errs := t.Expand(reconcile.SourceLister(filepath.Join(rootAbs, filepath.FromSlash(g.target))))
	if len(errs) > 0 || t.Problem != "" {
		return nil, true
	}
	out := make(map[string]string, len(members))
	for _, l := range members {
		out[l.Dest] = l.Target
	}
	return out, false
}

// manifestTree is g as Encode writes it.
func (g *importTree) manifestTree() manifest.Tree {
	t := manifest.Tree{Link: manifest.Link{Name: g.name, Dest: g.dest, Target: g.target}, Dotfiles: g.dotfiles}
	if g.strategy == manifest.Absolute {
		t.Strategy = manifest.Absolute
	}
	for _, f := range g.fold {
		t.Fold = append(t.Fold, manifest.Fold{Path: f})
	}
	for _, e := range g.exclude {
		t.Exclude = append(t.Exclude, manifest.Pattern{Glob: e})
	}
	return t
}

// nameAll names the per-link entries (assignNames) and then the trees,
// after their source folder, so that no two entries share a name.
func nameAll(links []*importLink, trees []*importTree) {
	assignNames(links)
	used := make(map[string]bool, len(links)+len(trees))
	for _, il := range links {
		used[il.name] = true
	}
	for _, g := range trees {
		base := sanitizeName(path.Base(g.target))
		if base == "" {
			base = "tree"
		}
		n := base
		for k := 2; used[n]; k++ {
			n = fmt.Sprintf("%s-%d", base, k)
		}
		used[n] = true
		g.name = n
	}
}
