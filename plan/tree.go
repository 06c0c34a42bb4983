package plan

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/linksdev/links/manifest"
)

// Tree is what a plan shows of one tree entry: the header its members are
// grouped under.
type Tree struct {
	// Name is the entry's name; its members' changes are named NAME/PATH.
	Name string
	// Dest and Target are the entry's folders (Dest relative to root).
	Dest, Target string
	// Links, Excluded and Folded count the members declared, the source
	// paths left out, and the folded folders (each also one link).
	Links, Excluded, Folded int
	// Problem is why the tree could not be expanded; it is then one
	// conflict change.
	Problem string
}

// TreeOf returns the tree and member path of a change's name, when the
// change belongs to a tree entry (its name is ENTRY/PATH: an entry's own
// name never holds a /).
func TreeOf(name string) (tree, member string, ok bool) {
	return manifest.Member(name)
}

// DiffTrees is Diff for a manifest whose trees ExpandTrees has expanded.
// A tree that could not be expanded is one conflict, named after the entry
// at its dest; the links it made earlier are not deleted (they are no
// longer declared only because its source could not be read). The plan
// also carries each tree's counts, for its header.
func DiffTrees(m *manifest.Manifest, obs *Observed, id string) *Plan {
	if len(m.Trees) == 0 {
		return Diff(m, obs, id)
	}
	broken := map[string]bool{}
	for i := range m.Trees {
		if m.Trees[i].Problem != "" {
			broken[m.Trees[i].Name] = true
		}
	}
	if len(broken) > 0 && len(obs.Orphans) > 0 {
		kept := make(map[string]Orphan, len(obs.Orphans))
		for d, o := range obs.Orphans {
			if t, _, ok := TreeOf(o.Name); ok && broken[t] {
				continue
			}
			kept[d] = o
		}
		obs.Orphans = kept
	}
	p := Diff(m, obs, id)
	unfoldThroughDeletes(m, obs, p)
	foldOverFolders(m, p)
	for i := range m.Trees {
		t := &m.Trees[i]
		p.Trees = append(p.Trees, Tree{Name: t.Name, Dest: t.Dest, Target: t.Target, Links: t.Links, Excluded: t.Excluded, Folded: t.Folded, Problem: t.Problem})
		p.Warnings = append(p.Warnings, t.Warnings...)
		if t.Problem != "" {
			p.Changes = append(p.Changes, Change{Name: t.Name, Dest: t.Dest, Action: Conflict,
				Before: State{Type: TypeDir}, After: State{Type: TypeDir}, Reason: t.Problem})
		}
	}
	// Diff sorted its changes by dest: only the unfolds and the
	// conflicts added since may be out of place (a stable sort of 100,000
	// sorted changes still compares and moves them all).
	if byDest := func(a, b Change) int { return strings.Compare(a.Dest, b.Dest) }; !slices.IsSortedFunc(p.Changes, byDest) {
		slices.SortStableFunc(p.Changes, byDest)
	}
	return p
}

// treeGroups splits the indexes of changes into groups for rendering:
// each tree's members (and its conflict) under the tree's name, and the
// other changes under "". Groups keep the changes' order.
func (p *Plan) treeGroups(keep func(c *Change) bool) (plain []int, trees map[string][]int) {
	known := make(map[string]bool, len(p.Trees))
	for _, t := range p.Trees {
		known[t.Name] = true
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if !keep(c) {
			continue
		}
		name := c.Name
		if t, _, ok := TreeOf(name); ok {
			name = t
		} else if !known[name] {
			plain = append(plain, i)
			continue
		}
		if trees == nil {
			trees = map[string][]int{}
		}
		trees[name] = append(trees[name], i)
	}
	return plain, trees
}

// treeHeader is the line a tree's members are grouped under, e.g.
//
//	tree nvim: .config/nvim -> dotfiles/nvim (12 links, 2 excluded, 1 folded)
func treeHeader(t *Tree, name string) string {
	var b strings.Builder
	b.WriteString("tree ")
	b.WriteString(name)
	if t == nil {
		b.WriteString(" (no longer declared)")
		return b.String()
	}
	b.WriteString(": ")
	b.WriteString(quotePath(t.Dest))
	b.WriteString(" -> ")
	b.WriteString(quotePath(t.Target))
	if t.Problem != "" {
		b.WriteString(" (not expanded)")
		return b.String()
	}
	b.WriteString(" (")
	b.WriteString(countLinks(t.Links))
	b.WriteString(", ")
	b.WriteString(strconv.Itoa(t.Excluded))
	b.WriteString(" excluded, ")
	b.WriteString(strconv.Itoa(t.Folded))
	b.WriteString(" folded)")
	return b.String()
}

// tree returns the plan's tree called name, or nil.
func (p *Plan) tree(name string) *Tree {
	for i := range p.Trees {
		if p.Trees[i].Name == name {
			return &p.Trees[i]
		}
	}
	return nil
}

// treeOrder is the order tree groups are shown in: the manifest's trees as
// written, then trees no longer declared (deletes only), by name.
func (p *Plan) treeOrder(groups map[string][]int) []string {
	out := make([]string, 0, len(groups))
	for _, t := range p.Trees {
		if _, ok := groups[t.Name]; ok {
			out = append(out, t.Name)
		}
	}
	var gone []string
	for name := range groups {
		if p.tree(name) == nil {
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	return append(out, gone...)
}

// unfoldThroughDeletes settles the members whose dest lies under a link
// this plan deletes: a source file that became a folder (its old link
// goes, the folder's files come), or a fold removed from fold:. Observed
// through that link, such a member's folder is inside the source, so Diff
// made it a conflict; once the link is deleted (apply deletes first) the
// folder is simply missing, and the member is a create with its parents.
func unfoldThroughDeletes(m *manifest.Manifest, obs *Observed, p *Plan) {
	var deleted map[string]bool
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Action == Delete {
			if deleted == nil {
				deleted = map[string]bool{}
			}
			deleted[c.Dest] = true
		}
	}
	if deleted == nil {
		return
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action != Conflict || !strings.Contains(c.Name, "/") {
			continue
		}
		var chain []string // the dest's folders, innermost first
		through := ""
		for d := path.Dir(c.Dest); d != "." && d != "/"; d = path.Dir(d) {
			chain = append(chain, d)
			if deleted[d] {
				through = d
				break
			}
		}
		k, ok := m.Declares(c.Dest)
		if through == "" || !ok {
			continue
		}
		l := &m.Links[k]
		parents := make([]string, 0, len(chain))
		for j := len(chain) - 1; j >= 0; j-- {
			parents = append(parents, chain[j])
		}
		c.Action, c.Reason, c.Folder = Create, "", ""
		c.Before = State{Type: TypeMissing}
		c.After = State{Type: TypeSymlink, Link: LinkText(l, m.Root, obs.RootReal, path.Dir(l.Dest))}
		c.Parents = parents
		if !l.Parents {
			c.Action = Conflict
			c.Reason = fmt.Sprintf("parent folder %s will not exist once the link there is deleted; set parents: true", through)
		}
	}
}

// ExplainFolded rewords the conflict of a member whose folder is reached
// through a symlink into its own tree's source, as GNU Stow leaves a folder
// it folded: links never writes through such a link (the new link would
// land in the source). The fix is to unfold it by hand, and the reason says
// how. symlinkOn returns the first folder of a dest's path (relative to
// root) that is a symlink, or "" (reconcile looks).
func ExplainFolded(m *manifest.Manifest, p *Plan, symlinkOn func(dir string) string) {
	for i := range p.Changes {
		c := &p.Changes[i]
		tree, _, ok := TreeOf(c.Name)
		if c.Action != Conflict || !ok || c.Folder == "" {
			continue
		}
		var t *manifest.Tree
		for k := range m.Trees {
			if m.Trees[k].Name == tree {
				t = &m.Trees[k]
			}
		}
		if t == nil {
			continue
		}
		src, under := t.TargetRel(m.Root)
		if !under || (c.Folder != src && !strings.HasPrefix(c.Folder, src+"/")) {
			continue
		}
		link := symlinkOn(path.Dir(c.Dest))
		if link == "" {
			link = path.Dir(c.Dest)
		}
		c.Reason = fmt.Sprintf("%s is a symlink into this tree's own source %s (a folder GNU Stow folded, or a link made by hand): links never writes through it. Unfold it first: remove that symlink (rm %s, or stow -D the package), then plan again", link, t.Target, link)
	}
}

// foldOverFolders settles a fold added over a folder: the folded member's
// dest is a real folder (holding, typically, the links links made there
// before). With replace: any the folder is displaced as any directory is,
// in one step (a temporary folder link is exchanged with it, so the path
// is never missing) and kept whole in a backup; the member links inside
// it go with it, so their deletes are dropped and links stops tracking
// them (Forget). Without replace: any it stays a conflict, saying so.
func foldOverFolders(m *manifest.Manifest, p *Plan) {
	var drop map[int]bool
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Before.Type != TypeDir || !strings.Contains(c.Name, "/") {
			continue
		}
		k, ok := m.Declares(c.Dest)
		if !ok || m.Links[k].Kind != manifest.KindDir || m.Links[k].Tree == "" {
			continue
		}
		switch c.Action {
		case Conflict:
			if strings.HasPrefix(c.Reason, "a directory is in the way") {
				c.Reason = fmt.Sprintf("fold: %s is a folder now; set replace: any on links.%s to fold it (the folder, with what is in it, is swapped for the folder link in one step and kept in a backup)", c.Dest, m.Links[k].Tree)
			}
		case Replace:
			prefix := c.Dest + "/"
			for j := range p.Changes {
				if d := &p.Changes[j]; d.Action == Delete && strings.HasPrefix(d.Dest, prefix) {
					if drop == nil {
						drop = map[int]bool{}
					}
					drop[j] = true
					p.Forget = append(p.Forget, d.Dest)
				}
			}
		}
	}
	if drop == nil {
		return
	}
	kept := p.Changes[:0]
	for i := range p.Changes {
		if !drop[i] {
			kept = append(kept, p.Changes[i])
		}
	}
	p.Changes = kept
	sort.Strings(p.Forget)
}
