package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// A tree entry (tree: true) declares one link per file under its target
// folder. Load keeps it in Manifest.Trees, unexpanded: which files there are
// is a fact of the disk, and this package reads no disk. reconcile lists the
// source (ListFunc) and ExpandTrees turns each tree into ordinary Links,
// named ENTRY/PATH, appended to Manifest.Links; everything after that
// (observe, diff, apply, verify) sees plain links.

// Tree is an entry with tree: true, before expansion.
type Tree struct {
	// Link holds the entry's name, position and settings. Dest is the
	// folder the links go under ("." for root) and Target the source folder
	// whose files they point to; every member gets the other settings.
	Link
	// Include and Exclude are the entry's globs (Include defaults to **).
	Include []Pattern
	Exclude []Pattern
	// Fold lists the folders (relative to Target) that become one folder
	// link each.
	Fold []Fold
	// Dotfiles renames a path component dot-x to .x in dest.
	Dotfiles bool
	// skip holds the source paths (relative to Target) that are always
	// left out because they are the manifest or state_dir.
	skip []string

	// Set by ExpandTrees.

	// Links, Excluded and Folded count the members made, the paths left
	// out by exclude, include or the built-in exclusions, and the folded
	// folders (each also one of Links).
	Links, Excluded, Folded int
	// Problem, when set, is why the tree could not be expanded (a target
	// missing or unreadable, in whole or in part; a fold that is not a
	// folder): the tree is then a conflict and declares nothing, and its
	// earlier links are not pruned.
	Problem string
	// Warnings are entries of the source that were skipped (sockets,
	// FIFOs, devices).
	Warnings []string
}

// Pattern is one include or exclude glob.
type Pattern struct {
	// Glob is the pattern as written (after variable expansion).
	Glob string
	// Where is its place in the manifest, e.g. links.nvim.exclude[1].
	Where string
	Pos   Pos
	glob  string // Glob without a trailing /
	dirs  bool   // trailing /: folders only
	name  bool   // no /: matched against the name, at any depth
	all   bool   // ** or *: matches every name
}

// Fold is one folder named under fold:.
type Fold struct {
	// Path is the folder relative to Target, slash-separated and clean.
	Path  string
	Where string
	Pos   Pos
}

// newPattern checks and compiles a glob. The error says what to fix.
func newPattern(glob string) (Pattern, error) {
	p := Pattern{Glob: glob, glob: glob}
	if strings.IndexByte(glob, 0) >= 0 {
		return p, errors.New("contains a NUL byte; remove it")
	}
	if strings.HasPrefix(glob, "/") {
		return p, fmt.Errorf("glob %q starts with /; globs are relative to the tree's target: drop the leading /", glob)
	}
	if g, ok := strings.CutSuffix(glob, "/"); ok {
		p.glob, p.dirs = g, true
		if g == "" || strings.HasSuffix(g, "/") {
			return p, fmt.Errorf("glob %q has no name before its trailing /; write e.g. build/", glob)
		}
	}
	for _, c := range strings.Split(p.glob, "/") {
		if c == ".." || c == "." || c == "" {
			return p, fmt.Errorf("glob %q has an empty, . or .. component; globs match paths inside the tree's target, as in lua/*.lua", glob)
		}
	}
	if !doublestar.ValidatePattern(p.glob) {
		return p, fmt.Errorf("invalid glob %q: %v; globs use * ? ** [a-z] {a,b} and \\ to escape", glob, doublestar.ErrBadPattern)
	}
	p.name = !strings.Contains(p.glob, "/")
	p.all = p.glob == "**" || p.glob == "*"
	return p, nil
}

// Match reports whether the pattern matches the source path rel (relative
// to the tree's target, with /), of a folder when dir is true.
func (p *Pattern) Match(rel string, dir bool) bool {
	if p.dirs && !dir {
		return false
	}
	if p.all {
		return true
	}
	s := rel
	if p.name {
		s = path.Base(rel)
	}
	ok, _ := doublestar.Match(p.glob, s)
	return ok
}

// literalPrefix is the part of the glob before its first special
// character, cut back to a whole folder.
func (p *Pattern) literalPrefix() string {
	i := strings.IndexAny(p.glob, `*?[{\`)
	if i < 0 {
		return p.glob
	}
	return p.glob[:strings.LastIndexByte(p.glob[:i], '/')+1]
}

// EntryType is what a listing says a source entry is (never followed).
type EntryType uint8

const (
	EntryFile    EntryType = iota + 1 // a regular file
	EntryDir                          // a folder
	EntrySymlink                      // a symlink (a member; never followed)
	EntryOther                        // a socket, FIFO or device (skipped)
)

// SourceEntry is one name in a listed source folder.
type SourceEntry struct {
	Name string
	Type EntryType
}

// ListFunc lists the source folder dir (relative to a tree's target, "."
// for the target itself) without following any symlink inside the source.
// Its order does not matter. reconcile provides it.
type ListFunc func(dir string) ([]SourceEntry, error)

// alwaysSkipped are folder names never entered (version control data).
func alwaysSkipped(name string) bool {
	return name == ".git" || name == ".hg" || name == ".svn"
}

// Expand walks the tree's source with list and returns its members as
// Links, in source path order, and what was left out. It sets t's counts,
// Problem and Warnings. A listing error anywhere makes the whole tree a
// Problem (no members): a missing or unreadable source must never look like
// an empty one. An exclude matching inside a folded folder is an error.
func (t *Tree) Expand(list ListFunc) ([]Link, ErrorList) {
	paths, errs := t.walk(list)
	out := make([]Link, 0, paths.n)
	for _, p := range paths.all() {
		out = append(out, t.member(p))
	}
	return out, errs
}

// memberPath is a member found by walk: its source path and kind. When
// the tree's target is a relative folder, path is the member's target
// (TARGET/REL) and the source path its tail: one string for both.
type memberPath struct {
	path string
	cut  int // path[cut:] is the source path
	kind Kind
	typ  EntryType // what the listing said it is
}

func (p memberPath) rel() string { return p.path[p.cut:] }

// memberList is walk's list of members, in chunks: grown by appending,
// a list of 100,000 members copied itself over and over (6 MB of garbage
// on the way to 3 MB).
type memberList struct {
	chunks [][]memberPath
	n      int
}

// all yields the members in order, letting go of each chunk once
// yielded (the list is read once: its links are made meanwhile).
func (l *memberList) all() iter.Seq2[int, memberPath] {
	return func(yield func(int, memberPath) bool) {
		i := 0
		for c, chunk := range l.chunks {
			l.chunks[c] = nil
			for _, p := range chunk {
				if !yield(i, p) {
					return
				}
				i++
			}
		}
	}
}

func (l *memberList) add(p memberPath) {
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1]) == cap(l.chunks[k-1]) {
		l.chunks = append(l.chunks, make([]memberPath, 0, min(max(64, l.n), 8192)))
	}
	k := len(l.chunks) - 1
	l.chunks[k] = append(l.chunks[k], p)
	l.n++
}

// walk is Expand without making the Links (ExpandTrees makes them in
// place, in one list for the whole manifest).
func (t *Tree) walk(list ListFunc) (memberList, ErrorList) {
	t.Links, t.Excluded, t.Folded, t.Problem, t.Warnings = 0, 0, 0, "", nil
	w := &treeWalker{t: t, list: list, folds: make(map[string]bool, len(t.Fold)), seenFold: map[string]bool{}}
	for _, f := range t.Fold {
		w.folds[f.Path] = true
	}
	if !t.TargetAbsolute && t.Target != "." {
		w.prefix = t.Target + "/"
	}
	err := w.dir(".", false)
	if w.ahead != nil {
		w.ahead.close()
	}
	if err == nil {
		for _, f := range t.Fold {
			if !w.seenFold[f.Path] && !t.excludedAbove(f.Path) {
				err = fmt.Errorf("fold %s: no such folder in target %s; create it or remove it from the fold list", quoteName(f.Path), t.Target)
				break
			}
		}
	}
	if err != nil {
		t.Problem = err.Error()
		t.Links, t.Folded = 0, 0
		return memberList{}, w.errs
	}
	t.Links = w.out.n
	return w.out, w.errs
}

// treeWalker is one walk of a tree's source.
type treeWalker struct {
	t        *Tree
	list     ListFunc
	out      memberList
	errs     ErrorList
	folds    map[string]bool // the fold: paths
	seenFold map[string]bool // those met
	prefix   string          // what a member's target is its source path under, or ""
	// Folders listed ahead of the walk (tree_ahead.go), by path, until
	// the walk takes them.
	ahead   *ahead
	pending map[string]*pending
}

// dir lists dir; included is true when dir or a folder above it matched
// an include pattern.
func (w *treeWalker) dir(dir string, included bool) error {
	var entries []SourceEntry
	var err error
	if p := w.pending[dir]; p != nil {
		delete(w.pending, dir)
		entries, err = p.take(w.list)
	} else {
		entries, err = listSorted(w.list, dir)
	}
	if err != nil {
		return w.t.listError(dir, err)
	}
	w.listAhead(dir, entries)
	for _, e := range entries {
		if err := w.entry(dir, e, included); err != nil {
			return err
		}
	}
	return nil
}

// entry takes one entry of dir: skipped, excluded, a folded folder, a
// folder walked, or a member.
func (w *treeWalker) entry(dir string, e SourceEntry, included bool) error {
	t := w.t
	// TARGET/DIR/NAME, of which DIR/NAME is rel (see memberPath).
	full := e.Name
	if dir != "." {
		full = w.prefix + dir + "/" + e.Name
	} else if w.prefix != "" {
		full = w.prefix + e.Name
	}
	rel := full[len(w.prefix):]
	isDir := e.Type == EntryDir
	switch {
	case slices.Contains(t.skip, rel) || isDir && alwaysSkipped(e.Name):
		t.Excluded++
		return nil
	case e.Type == EntryOther:
		t.Warnings = append(t.Warnings, fmt.Sprintf("links.%s: %s is not a file, folder or symlink (a socket, FIFO or device): skipped", t.Name, quoteName(path.Join(t.Target, rel))))
		return nil
	case t.excluded(rel, isDir):
		t.Excluded++
		return nil
	case w.folds[rel]:
		w.seenFold[rel] = true
		if !isDir {
			return fmt.Errorf("fold %s is not a folder in target %s (it is a %s); remove it from fold: or make it a folder", quoteName(rel), t.Target, typeWord(e.Type))
		}
		if err := t.checkFold(rel, w.list, &w.errs); err != nil {
			return err
		}
		w.out.add(memberPath{full, len(w.prefix), KindDir, EntryDir})
		t.Folded++
		return nil
	}
	inc := included || t.included(rel, isDir)
	switch {
	case isDir:
		return w.dir(rel, inc)
	case !inc:
		t.Excluded++
	default:
		w.out.add(memberPath{full, len(w.prefix), KindAny, e.Type})
	}
	return nil
}

// listAhead queues the folders of dir (listed: entries) that the walk
// will enter, once there are two of them (tree_ahead.go).
func (w *treeWalker) listAhead(dir string, entries []SourceEntry) {
	var first string
	for _, e := range entries {
		if e.Type != EntryDir {
			continue
		}
		rel := e.Name
		if dir != "." {
			rel = dir + "/" + e.Name
		}
		if !w.enters(rel, e.Name) {
			continue
		}
		if w.ahead == nil {
			if first == "" {
				first = rel // one folder to enter: not worth the goroutines
				continue
			}
			w.ahead, w.pending = newAhead(w.list), map[string]*pending{}
			w.queue(first)
		}
		w.queue(rel)
	}
}

func (w *treeWalker) queue(rel string) {
	if p := w.ahead.queue(rel); p != nil {
		w.pending[rel] = p
	}
}

// enters reports whether the walk enters the folder rel (named name):
// what entry decides for a folder.
func (w *treeWalker) enters(rel, name string) bool {
	t := w.t
	return !slices.Contains(t.skip, rel) && !alwaysSkipped(name) && !t.excluded(rel, true) && !w.folds[rel]
}

// excludedAbove reports whether a folder on the way to rel is excluded (so
// a fold below it is never reached).
func (t *Tree) excludedAbove(rel string) bool {
	for d := path.Dir(rel); d != "."; d = path.Dir(d) {
		if t.excluded(d, true) || alwaysSkipped(path.Base(d)) {
			return true
		}
	}
	return t.excluded(rel, true)
}

// checkFold lists the folded folder (it is not entered for members) to
// find excludes that would match inside it: the folder link would expose
// those files, so each is an error.
func (t *Tree) checkFold(fold string, list ListFunc, errs *ErrorList) error {
	if len(t.Exclude) == 0 {
		return nil
	}
	var walk func(dir string) error
	walk = func(dir string) error {
		entries, err := listSorted(list, dir)
		if err != nil {
			return t.listError(dir, err)
		}
		for _, e := range entries {
			rel := dir + "/" + e.Name
			isDir := e.Type == EntryDir
			if isDir && alwaysSkipped(e.Name) {
				continue
			}
			for i := range t.Exclude {
				p := &t.Exclude[i]
				if p.Match(rel, isDir) {
					*errs = append(*errs, &Error{Line: p.Pos.Line, Col: p.Pos.Col, Path: p.Where,
						Msg: fmt.Sprintf("exclude %q matches %s inside folded folder %s, which the folder link would expose; remove the exclude or the fold", p.Glob, quoteName(rel), quoteName(fold))})
					return nil
				}
			}
			if isDir {
				if err := walk(rel); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(fold)
}

func (t *Tree) excluded(rel string, dir bool) bool {
	for i := range t.Exclude {
		if t.Exclude[i].Match(rel, dir) {
			return true
		}
	}
	return false
}

func (t *Tree) included(rel string, dir bool) bool {
	for i := range t.Include {
		if t.Include[i].Match(rel, dir) {
			return true
		}
	}
	return false
}

// listError words a failed listing as the tree's problem.
func (t *Tree) listError(dir string, err error) error {
	where := t.Target
	if dir != "." {
		where = path.Join(t.Target, dir)
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u // the errno: the path is said below
	}
	switch {
	case dir == "." && errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("tree target %s does not exist (missing or not mounted); a missing source never prunes its links: create it or fix the target", where)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("source folder %s vanished while it was listed; plan again", quoteName(where))
	}
	return fmt.Errorf("cannot list %s: %v; a source that cannot be read in full is never taken as empty: fix its permissions or exclude it", quoteName(where), err)
}

// member is the link for the source path rel.
func (t *Tree) member(p memberPath) Link {
	rel, kind := p.rel(), p.kind
	l := t.Link
	l.Name = t.Name + "/" + rel
	l.Tree = t.Name
	l.Kind = kind
	l.Source = p.typ
	destRel := rel
	if t.Dotfiles {
		destRel = DotfilesName(rel)
	}
	// rel is clean (names from a listing hold no / and are never . or
	// ..), and so are Dest and Target: a concatenation is the join, with
	// one allocation instead of path.Join's two (a tree may have 100,000
	// members).
	if t.Dest == "." {
		l.Dest = destRel
	} else {
		l.Dest = t.Dest + "/" + destRel
	}
	switch {
	case t.TargetAbsolute:
		l.Target = filepath.Join(t.Target, filepath.FromSlash(rel))
	case t.Target == ".":
		l.Target = rel
	default:
		l.Target = p.path // TARGET/REL, made by walk
	}
	return l
}

// Member returns the source path of a member link's name (ENTRY/PATH), and
// false for a name that is not a tree member's.
func Member(name string) (tree, member string, ok bool) {
	return strings.Cut(name, "/")
}

// DotfilesName renames every path component dot-x of rel to .x.
func DotfilesName(rel string) string {
	if !strings.Contains(rel, "dot-") {
		return rel
	}
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if rest, ok := strings.CutPrefix(p, "dot-"); ok && rest != "" {
			parts[i] = "." + rest
		}
	}
	return strings.Join(parts, "/")
}

func typeWord(t EntryType) string {
	switch t {
	case EntryFile:
		return "file"
	case EntrySymlink:
		return "symlink"
	case EntryDir:
		return "folder"
	}
	return "special file"
}

// quoteName shows a source path as is, or quoted when it has characters
// that would make a message ambiguous.
func quoteName(p string) string {
	if strings.TrimSpace(p) != p || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == 0xfffd }) {
		return fmt.Sprintf("%q", p)
	}
	return p
}

// ExpandTrees expands every tree with lists[i] listing m.Trees[i]'s
// source, adds the members to m.Links (kept sorted by dest), and checks
// what only the expansion shows: two members on one dest, a member on
// another entry's dest, a fold hiding other links, a member in state_dir
// or on the manifest. Those are errors naming both; a tree whose source
// cannot be listed is not an error but a Problem (a conflict in the plan).
func (m *Manifest) ExpandTrees(lists []ListFunc) error {
	if len(m.Trees) == 0 {
		return nil
	}
	var errs ErrorList
	// Every tree's members first, so that the whole list is allocated
	// once (a Link is ~170 bytes; a tree of 100,000 files is 17 MB).
	expanded := make([]memberList, len(m.Trees))
	total := len(m.Links)
	for ti := range m.Trees {
		members, ferrs := m.Trees[ti].walk(lists[ti])
		errs = append(errs, ferrs...)
		expanded[ti] = members
		total += members.n
	}
	links := make([]Link, len(m.Links), total)
	copy(links, m.Links)
	manifestRel, hasManifest := RelUnder(m.Root, m.Path)
	for ti := range m.Trees {
		t := &m.Trees[ti]
		for _, p := range expanded[ti].all() {
			// Made in place, at the end of the list; taken back if refused.
			links = append(links, t.member(p))
			if bad := m.memberProblem(t, &links[len(links)-1], manifestRel, hasManifest); bad != nil {
				errs = append(errs, bad)
				links = links[:len(links)-1]
			}
		}
		expanded[ti] = memberList{}
	}
	// In dest order, a dest declared twice is two neighbours: the later
	// member is refused (found by sorting, not with an index of every
	// dest: at 100,000 members, a map of 3.5 MB).
	links = sortByDest(links)
	links, dups := m.dropDuplicates(links)
	errs = append(errs, dups...)
	errs = append(errs, m.hiddenByFolds(links)...)
	if len(errs) > 0 {
		for _, e := range errs {
			e.File = m.File
		}
		errs = dedupe(errs)
		errs.sort()
		return errs
	}
	m.Links = links
	return nil
}

// memberProblem is why member l of tree t cannot be a link (its dest is
// in state_dir, on the manifest, or in the tree's own target), or nil.
// A dest another link has too is found after (dropDuplicates).
func (m *Manifest) memberProblem(t *Tree, l *Link, manifestRel string, hasManifest bool) *Error {
	if l.Dest == m.StateDir || strings.HasPrefix(l.Dest, m.StateDir+"/") {
		return t.errorf("member %s has dest %s, inside state_dir %s; exclude it or move the tree's dest", quoteName(l.Name), quoteName(l.Dest), m.StateDir)
	} else if hasManifest && (l.Dest == manifestRel || strings.HasPrefix(manifestRel, l.Dest+"/")) {
		return t.errorf("member %s has dest %s, the manifest file or a folder holding it; exclude it or move the tree's dest", quoteName(l.Name), quoteName(l.Dest))
	} else if tr, ok := t.TargetRel(m.Root); ok && (l.Dest == tr || strings.HasPrefix(l.Dest, tr+"/")) {
		return t.errorf("member %s has dest %s, inside the tree's own target %s: the link would be written into its source; exclude it or move the tree's dest", quoteName(l.Name), quoteName(l.Dest), t.Target)
	}
	return nil
}

// dropDuplicates refuses, in links sorted by dest (declared order among
// equal dests), every link whose dest an earlier one has: always a member
// (plain links with one dest are refused when the manifest is read), and
// an error naming both.
func (m *Manifest) dropDuplicates(links []Link) ([]Link, ErrorList) {
	var errs ErrorList
	out := links[:0]
	for i := range links {
		l := &links[i]
		if k := len(out) - 1; k >= 0 && out[k].Dest == l.Dest {
			errs = append(errs, m.treeNamed(l.Tree).errorf("member %s has dest %s, which is also the dest of %s; rename one, exclude one, or move one of the entries", quoteName(l.Name), quoteName(l.Dest), describeLink(&out[k])))
			continue
		}
		out = append(out, *l)
	}
	return out, errs
}

// hiddenByFolds: a folded folder is one link, so any other dest under it
// would be written through that link into the source. links are sorted
// by dest.
func (m *Manifest) hiddenByFolds(links []Link) ErrorList {
	var errs ErrorList
	for i := range links {
		f := &links[i]
		if f.Tree == "" || f.Kind != KindDir {
			continue // not a folded folder
		}
		prefix := f.Dest + "/"
		k, _ := slices.BinarySearchFunc(links, prefix, func(l Link, p string) int { return strings.Compare(l.Dest, p) })
		if k < len(links) && strings.HasPrefix(links[k].Dest, prefix) {
			t := m.treeNamed(f.Tree)
			errs = append(errs, t.errorf("fold %s makes %s one folder link, which would hide %s under it; remove the fold or move that link", quoteName(strings.TrimPrefix(f.Name, f.Tree+"/")), quoteName(f.Dest), describeLink(&links[k])))
		}
	}
	return errs
}

func (m *Manifest) treeNamed(name string) *Tree {
	for i := range m.Trees {
		if m.Trees[i].Name == name {
			return &m.Trees[i]
		}
	}
	return nil
}

// errorf is an error at the tree's entry.
func (t *Tree) errorf(format string, args ...any) *Error {
	return &Error{Line: t.Pos.Line, Col: t.Pos.Col, Path: "links." + t.Name, Msg: fmt.Sprintf(format, args...)}
}

// describeLink names a link in an error: links.NAME (line N), or the member
// and its tree.
func describeLink(l *Link) string {
	if l.Tree != "" {
		return fmt.Sprintf("%s (member of tree links.%s, line %d)", quoteName(l.Name), l.Tree, l.Pos.Line)
	}
	return fmt.Sprintf("links.%s (line %d)", l.Name, l.Pos.Line)
}
