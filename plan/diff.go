package plan

import (
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/linksdev/links/internal/par"
	"github.com/linksdev/links/manifest"
)

// Observation is what reconcile saw on disk for one declared link.
type Observation struct {
	// Dest is what is at the dest now (lstat: a symlink is not followed).
	Dest State
	// ParentReal is the dest's folder relative to root with every symlink
	// inside root resolved ("." for root itself); the relative link text is
	// computed from it so the link resolves even under a symlinked folder.
	ParentReal string
	// Missing lists the parent folders that do not exist yet, relative to
	// root, outermost first.
	Missing []string
	// ParentProblem, when set, says why no link can be made at dest (a
	// parent is a file, or a symlink leading out of root).
	ParentProblem string
	// TargetExists and TargetIsDir describe the declared target, followed.
	TargetExists bool
	TargetIsDir  bool
	// TargetReal is the target relative to root with its folder's
	// symlinks resolved, when it lies under root; empty otherwise.
	TargetReal string
	// TargetFollows counts the symlinks the kernel follows to resolve the
	// target (0 when none are on its way): a link to it follows one more.
	// TargetLoop says the target cannot be resolved at all (ELOOP: a
	// cycle, or more than MaxFollows symlinks).
	TargetFollows int
	TargetLoop    bool
	// FolderProblem, when set, says why apply could not write in the
	// dest's folder (or where its missing parents would be made):
	// permission denied, a read-only filesystem.
	FolderProblem string
	// DirProblem, for a folder at dest, says why apply could not move it
	// to a backup (moving a folder rewrites its .. entry).
	DirProblem string
}

// MaxFollows is how many symlinks the kernel follows in one lookup
// (Linux's MAXSYMLINKS); one more is ELOOP. A link that would need more
// is refused by plan, and reported a loop by scan and verify.
const MaxFollows = 40

// Observed is what reconcile saw for a whole manifest.
type Observed struct {
	// RootReal is the root with symlinks resolved (absolute); relative link
	// texts to targets outside root are computed from it.
	RootReal string
	// Index holds the observation of the manifest's Links[i] at i (what
	// reconcile fills: no map of a million dests). When it is nil, Links,
	// keyed by dest, is used instead (handier in tests).
	Index []Observation
	// Links maps each declared dest to its observation, when Index is nil.
	Links map[string]Observation
	// Orphans are links earlier applies made (per the state file) whose
	// dests the manifest no longer declares, keyed by dest.
	Orphans map[string]Orphan
	// Guards are links' own things under root that no dest may resolve
	// to, into or onto the way of (see Guard).
	Guards []Guard
	// BackupDev is the device backups are made on (state_dir's), as the
	// first field of a State.Identity; "" when unknown. A file or folder
	// on another device cannot be renamed into a backup.
	BackupDev string
	// StateDirProblem, when set, says why apply could not write in
	// state_dir (its lock, journal, state and backups).
	StateDirProblem string
}

// At is the observation of m.Links[i].
func (o *Observed) At(m *manifest.Manifest, i int) Observation {
	if o.Index != nil {
		return o.Index[i]
	}
	return o.Links[m.Links[i].Dest]
}

// Declared reports whether dest is one of m's dests.
func (o *Observed) Declared(m *manifest.Manifest, dest string) bool {
	if o.Index != nil {
		_, ok := m.Declares(dest)
		return ok
	}
	_, ok := o.Links[dest]
	return ok
}

// Orphan is a link an earlier apply made at a dest no longer declared.
type Orphan struct {
	// Name is the logical name the link had.
	Name string
	// Recorded is the link text that apply wrote.
	Recorded string
	// Now is what is at the dest today.
	Now State
	// Backup, when the link displaced a file or folder, is where that
	// went (relative to root); Displaced is what it was (type and
	// identity) and BackupNow what is at Backup today.
	Backup               string
	Displaced, BackupNow State
}

// LinkText is the text of the symlink that makes l point at its target,
// written from the folder parentReal (relative to root).
func LinkText(l *manifest.Link, root, rootReal, parentReal string) string {
	if l.Strategy == manifest.Absolute {
		return l.TargetPath(root)
	}
	if t, under := l.TargetRel(root); under {
		return filepath.FromSlash(relSlash(parentReal, t))
	}
	if l.TargetAbsolute {
		if t, ok := manifest.RelUnder(rootReal, l.Target); ok {
			return filepath.FromSlash(relSlash(parentReal, t))
		}
	}
	from := filepath.Join(rootReal, filepath.FromSlash(parentReal))
	rel, err := filepath.Rel(from, l.TargetPath(rootReal))
	if err != nil { // different volumes on Windows: only absolute works
		return l.TargetPath(root)
	}
	return rel
}

// relSlash returns the slash path from folder from to to, both clean and
// relative to the same base (. for the base itself). to may begin with ..
// It allocates only the result (once per link in a large plan).
func relSlash(from, to string) string {
	if from == "." {
		from = ""
	}
	if to == "." {
		to = ""
	}
	// Drop the leading folders the two share (never a ..).
	for from != "" && to != "" {
		f, fRest := firstElem(from)
		t, tRest := firstElem(to)
		if f != t || t == ".." {
			break
		}
		from, to = fRest, tRest
	}
	if from == "" {
		if to == "" {
			return "."
		}
		return to
	}
	ups := strings.Count(from, "/") + 1
	var b strings.Builder
	b.Grow(3*ups + len(to))
	for k := range ups {
		if k > 0 {
			b.WriteByte('/')
		}
		b.WriteString("..")
	}
	if to != "" {
		b.WriteByte('/')
		b.WriteString(to)
	}
	return b.String()
}

// firstElem splits a slash path into its first element and the rest.
func firstElem(p string) (elem, rest string) {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

// Diff compares the manifest with what was observed and returns the plan.
// id becomes the plan's ID and names the backup folder.
func Diff(m *manifest.Manifest, obs *Observed, id string) *Plan {
	p := &Plan{ID: id, Root: m.Root, StateDir: m.StateDir, Manifest: m.File}
	dests := newDestSet(m)
	var under map[string]*manifest.Link
	done := make(chan struct{})
	go func() {
		defer close(done)
		under = nestedDests(m, dests)
	}()
	needs := dependencies(m, dests)
	chains := chainLengths(m, obs, needs)
	<-done
	aliased, aliasedAt := aliasedDests(m, obs)
	var mf manifestPath
	mf.rel, mf.ok = manifestRel(m)
	// Each link's change depends on that link alone: large manifests are
	// diffed on every CPU. What depends on other links' changes (two dests
	// aliased into one entry) is settled after, in manifest order.
	changes := make([]Change, len(m.Links), len(m.Links)+len(obs.Orphans))
	inParallel(len(m.Links), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			changes[i] = diffLink(m, obs, i, needs, under, chains, mf)
		}
	})
	resolved := make(map[string]*manifest.Link, len(aliased))
	for i := range m.Links {
		l, c := &m.Links[i], &changes[i]
		if aliased != nil {
			if o := obs.At(m, i); o.ParentProblem == "" {
				real := realDest(l, &o)
				if !aliased[real] {
					// no other link can be at this entry
				} else if first, dup := resolved[real]; dup {
					c.Action = Conflict
					c.Reason = fmt.Sprintf("dest resolves to %s, the same entry as links.%s's dest %s (through a symlinked folder); each entry may have only one link", real, first.Name, first.Dest)
				} else {
					resolved[real] = l
				}
				// Nested through a symlinked folder: the text cannot show
				// it (NestedDests compared the text).
				if c.Action != Conflict {
					if why := nestedConflict(m, obs, i, &o, aliasedAt); why != "" {
						c.Action, c.Reason = Conflict, why
					}
				}
			}
		}
		switch c.Action {
		case Noop:
			c.Parents = nil
		case Replace:
			if l.Backup {
				c.Backup = BackupPath(m.StateDir, id, l.Dest)
			} else {
				c.Reason = fmt.Sprintf("the %s at dest is deleted (backup: false)", describe(c.Before.Type))
			}
		}
	}
	p.Changes = changes
	diffOrphans(m, obs, p)
	if byDest := func(a, b Change) int { return strings.Compare(a.Dest, b.Dest) }; !slices.IsSortedFunc(p.Changes, byDest) {
		slices.SortFunc(p.Changes, byDest) // orphans were added at the end
	}
	return p
}

// aliasedDests finds the real dests two links could share: two dests can
// be one entry only through a symlinked folder, so only the real dests of
// links under one are candidates. aliasedAt maps each to the first link
// there.
func aliasedDests(m *manifest.Manifest, obs *Observed) (aliased map[string]bool, aliasedAt map[string]*manifest.Link) {
	for i := range m.Links {
		if o := obs.At(m, i); o.ParentProblem == "" && o.ParentReal != parent(m.Links[i].Dest) {
			if aliased == nil {
				aliased, aliasedAt = map[string]bool{}, map[string]*manifest.Link{}
			}
			real := realDest(&m.Links[i], &o)
			aliased[real] = true
			if _, ok := aliasedAt[real]; !ok {
				aliasedAt[real] = &m.Links[i]
			}
		}
	}
	return aliased, aliasedAt
}

// diffOrphans adds to p what becomes of the links links made that m no
// longer declares: deleted (their displaced entry given back when its
// backup is intact) if they are as links left them, else forgotten with a
// warning.
func diffOrphans(m *manifest.Manifest, obs *Observed, p *Plan) {
	orphans := make([]string, 0, len(obs.Orphans))
	for d := range obs.Orphans {
		if !obs.Declared(m, d) {
			orphans = append(orphans, d)
		}
	}
	sort.Strings(orphans)
	for _, d := range orphans {
		o := obs.Orphans[d]
		if o.Now.Type == TypeSymlink && o.Now.Link == o.Recorded {
			c := Change{Name: o.Name, Dest: d, Action: Delete, Before: o.Now,
				After: State{Type: TypeMissing}, Reason: "no longer declared in the manifest"}
			switch {
			case o.Backup == "":
			case o.BackupNow.Type == o.Displaced.Type && (o.Displaced.Identity == "" || o.BackupNow.Identity == o.Displaced.Identity):
				// The file or folder the link displaced comes back in the
				// same step (SPEC §1: nothing a user owns is lost).
				c.Restore = o.Backup
				c.After = State{Type: o.Displaced.Type, Identity: o.BackupNow.Identity}
				c.Reason = fmt.Sprintf("no longer declared in the manifest; the %s it displaced comes back from %s", describe(o.Displaced.Type), o.Backup)
			default:
				what := "is gone"
				if o.BackupNow.Type != TypeMissing {
					what = "changed (now " + o.BackupNow.String() + ")"
				}
				c.Reason = fmt.Sprintf("no longer declared in the manifest; the %s it displaced cannot come back: its backup %s %s, so only the link is deleted", describe(o.Displaced.Type), o.Backup, what)
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s: %s", d, c.Reason))
			}
			p.Changes = append(p.Changes, c)
			continue
		}
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s (was links.%s) is no longer declared, but it changed since links made it (now %s): left alone and no longer tracked", d, o.Name, o.Now))
		p.Forget = append(p.Forget, d)
	}
}

// diffLink is m.Links[i]'s change, as far as it depends on that link
// alone.
func diffLink(m *manifest.Manifest, obs *Observed, i int, needs map[string]dependency, under map[string]*manifest.Link, chains map[string]int, mf manifestPath) Change {
	l := &m.Links[i]
	o := obs.At(m, i)
	c := Change{Name: l.Name, Dest: l.Dest, Before: o.Dest, Parents: o.Missing, Kind: l.Kind}
	if o.ParentProblem == "" && o.ParentReal != parent(l.Dest) {
		c.Folder = o.ParentReal
	}
	c.After = State{Type: TypeSymlink, Link: LinkText(l, m.Root, obs.RootReal, o.ParentReal)}
	if o.Dest.Type == TypeSymlink && o.Dest.Link == c.After.Link {
		c.After.Link = o.Dest.Link // one string for both (a million no-ops)
	}
	dep := needs[l.Dest]
	c.Needs = dep.dest
	c.Action, c.Reason = decide(m, l, &o, &c, dep, obs.Guards, mf)
	if why := writeConflict(m, l, &o, &c, obs); why != "" {
		c.Action, c.Reason = Conflict, why
	}
	if len(c.After.Link) > manifest.PathMax && c.Action != Conflict {
		c.Action = Conflict
		c.Reason = fmt.Sprintf("the link text would be %d bytes, more than the %d the kernel accepts in a link (PATH_MAX); shorten the target's path, or change strategy", len(c.After.Link), manifest.PathMax)
	}
	if n := chains[l.Dest]; n > MaxFollows && c.Action != Conflict {
		c.Action = Conflict
		c.Reason = fmt.Sprintf("the manifest makes a chain of %d symlinks ending here (links whose targets are other links' dests), and the kernel follows at most %d (ELOOP); point this link, or one before it, at the end of the chain", n, MaxFollows)
	}
	if outer, ok := under[l.Dest]; ok {
		c.Action = Conflict
		c.Reason = fmt.Sprintf("dest is inside %s, the dest of links.%s, which is a link: links would write through it into that link's target; move one of the two", outer.Dest, outer.Name)
	}
	return c
}

// parallelMin is the fewest links worth diffing on more than one CPU (a
// variable for the test that compares both ways).
var parallelMin = 8192

// inParallel calls f on consecutive ranges covering [0, n), on up to four
// goroutines when n is large, else once.
func inParallel(n int, f func(lo, hi int)) {
	_ = par.Ranges(n, min(runtime.GOMAXPROCS(0), 4, n/parallelMin), func(lo, hi int) error {
		f(lo, hi)
		return nil
	})
}

// decide picks the action for one link and, for a conflict, the reason.
func decide(m *manifest.Manifest, l *manifest.Link, o *Observation, c *Change, dep dependency, guards []Guard, mf manifestPath) (Action, string) {
	if dep.cycle != "" {
		return Conflict, fmt.Sprintf("targets form a cycle (%s); break it by pointing one link at a real file or folder", dep.cycle)
	}
	if o.ParentProblem != "" {
		return Conflict, o.ParentProblem
	}
	real := realDest(l, o)
	if real == m.StateDir || strings.HasPrefix(real, m.StateDir+"/") {
		return Conflict, fmt.Sprintf("dest resolves to %s, inside state_dir %s (through a symlinked parent folder), where links keeps its own state; choose another dest", real, m.StateDir)
	}
	if mf.ok && real == mf.rel {
		return Conflict, fmt.Sprintf("dest resolves to %s, the manifest itself (through a symlinked parent folder); choose another dest", mf.rel)
	}
	if why := guardConflict(real, guards); why != "" {
		return Conflict, why
	}
	if o.TargetReal != "" && o.TargetReal == real {
		return Conflict, fmt.Sprintf("target %s resolves to the link's own dest %s (through a symlinked folder): the link would point at itself", l.Target, real)
	}
	if !l.Allowed(m.Root) {
		return Conflict, fmt.Sprintf("target %s is not allowed by allow: [%s]; fix the target or the allow list", l.Target, strings.Join(l.Allow, ", "))
	}
	if o.TargetLoop && dep.dest == "" {
		return Conflict, fmt.Sprintf("target %s cannot be resolved: a symlink loop, or a chain of more than %d symlinks (ELOOP); fix the chain, or point the link at where it ends", l.Target, MaxFollows)
	}
	if o.TargetExists && dep.dest == "" && o.TargetFollows >= MaxFollows {
		return Conflict, fmt.Sprintf("target %s is reached through %d symlinks: a link to it would be the %s, and the kernel follows at most %d (ELOOP); point the link at the end of the chain", l.Target, o.TargetFollows, ordinal(o.TargetFollows+1), MaxFollows)
	}
	exists := o.TargetExists || dep.dest != ""
	if !exists && !l.AllowDangling {
		return Conflict, fmt.Sprintf("target %s does not exist; create it, fix the target, or set allow_dangling: true", l.Target)
	}
	if o.TargetExists && dep.dest == "" {
		if l.Kind == manifest.KindDir && !o.TargetIsDir {
			return Conflict, fmt.Sprintf("kind: dir, but target %s is not a directory; fix the target or the kind", l.Target)
		}
		if l.Kind == manifest.KindFile && o.TargetIsDir {
			return Conflict, fmt.Sprintf("kind: file, but target %s is a directory; fix the target or the kind", l.Target)
		}
	}
	switch o.Dest.Type {
	case TypeMissing:
		if len(o.Missing) > 0 && !l.Parents {
			return Conflict, fmt.Sprintf("parent folder %s does not exist; create it or set parents: true", o.Missing[0])
		}
		return Create, ""
	case TypeSymlink:
		if o.Dest.Link == c.After.Link {
			return Noop, ""
		}
		if !l.Replace.Allows(TypeSymlink) {
			return Conflict, fmt.Sprintf("a symlink to %s is in the way; set replace: symlink to retarget it", o.Dest.Link)
		}
		return Update, ""
	case TypeFile:
		if !l.Replace.Allows(TypeFile) {
			return Conflict, "a regular file is in the way; set replace: file to move it to a backup"
		}
		return Replace, ""
	case TypeDir:
		if !l.Replace.Allows(TypeDir) {
			return Conflict, "a directory is in the way; set replace: any to move it to a backup"
		}
		return Replace, ""
	}
	return Conflict, "something that is not a file, folder or symlink (a FIFO, socket or device) is in the way; links never displaces those: move it by hand"
}

// manifestPath is manifestRel's answer, worked out once per plan (it is
// filepath.Rel: an allocation, once per link when it was asked per link).
type manifestPath struct {
	rel string
	ok  bool
}

// realDest is where l's dest resolves, its folder's symlinks followed
// (o.ParentReal): the dest itself when none is on the way, with no
// allocation (once per link).
func realDest(l *manifest.Link, o *Observation) string {
	if o.ParentReal == parent(l.Dest) {
		return l.Dest
	}
	return path.Join(o.ParentReal, path.Base(l.Dest))
}

// manifestRel is the manifest file's path relative to root, if under it.
func manifestRel(m *manifest.Manifest) (string, bool) {
	if m.Path == "" {
		return "", false
	}
	return manifest.RelUnder(m.Root, m.Path)
}

func describe(typ string) string {
	switch typ {
	case TypeDir:
		return "directory"
	case TypeFile:
		return "file"
	case TypeOther:
		return "special file (FIFO, socket or device)"
	}
	return typ
}

// NestedDests finds the links whose dest lies under another declared
// link's dest (a and a/b), mapped to that outer link: the outer one is a
// symlink, so the inner one would be written through it.
func NestedDests(m *manifest.Manifest) map[string]*manifest.Link {
	return nestedDests(m, newDestSet(m))
}

func nestedDests(m *manifest.Manifest, dests destSet) map[string]*manifest.Link {
	out := map[string]*manifest.Link{}
	var under folderCache // links are sorted by dest: mostly one folder after another
	for i := range m.Links {
		if j := under.outer(dests, parent(m.Links[i].Dest)); j >= 0 {
			out[m.Links[i].Dest] = &m.Links[j]
		}
	}
	return out
}

// destSet finds m's links by dest. m.Links is sorted by dest (as Load
// and ExpandTrees leave it), so a dest is found by binary search, and a
// path whose folder holds no dest is refused at once: most paths asked
// about are targets, which lie in folders no dest is in. (A map of every
// dest cost 100,000 insertions a plan: ~15 ms of CPU at 100,000 links.)
type destSet struct {
	m    *manifest.Manifest
	dirs map[string]bool // the folders dests are in
	all  map[string]int  // every dest, only when m.Links is not sorted (made by hand)
}

func newDestSet(m *manifest.Manifest) destSet {
	s := destSet{m: m}
	if !slices.IsSortedFunc(m.Links, func(a, b manifest.Link) int { return strings.Compare(a.Dest, b.Dest) }) {
		s.all = make(map[string]int, len(m.Links))
		for i := range m.Links {
			s.all[m.Links[i].Dest] = i
		}
		return s
	}
	s.dirs = map[string]bool{}
	last := ""
	for i := range m.Links {
		// Sorted by dest: a folder's dests mostly come in a row.
		if d := parent(m.Links[i].Dest); d != last || i == 0 {
			s.dirs[d] = true
			last = d
		}
	}
	return s
}

// index is the index in m.Links of the link whose dest is p.
func (s destSet) index(p string) (int, bool) {
	if s.all != nil {
		j, ok := s.all[p]
		return j, ok
	}
	if !s.dirs[parent(p)] {
		return 0, false
	}
	return s.m.Declares(p)
}

// folderCache remembers, for the last folder asked about, the index of the
// declared dest that is that folder or holds it (-1: none).
type folderCache struct {
	dir   string
	at    int
	known bool
}

// outer returns the index of the declared dest that is the folder dir or
// one of its parents (the nearest), or -1.
func (c *folderCache) outer(dests destSet, dir string) int {
	if c.known && c.dir == dir {
		return c.at
	}
	c.dir, c.at, c.known = dir, -1, true
	for p := dir; p != "."; p = parent(p) {
		if j, ok := dests.index(p); ok {
			c.at = j
			break
		}
	}
	return c.at
}

// parent is path.Dir of a clean relative path, without cleaning it again.
func parent(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "."
}

type dependency struct {
	dest  string // the declared dest this link's target is, or lies under
	cycle string // non-empty when following targets loops back
}

// dependencies finds, for each link whose target is (or lies under) the
// dest of another declared link, that dest; and the links whose targets
// form a cycle.
func dependencies(m *manifest.Manifest, dests destSet) map[string]dependency {
	// declaredUnder returns the declared dest that t is or lies under.
	var under folderCache
	declaredUnder := func(t string) string {
		if t == "." {
			return ""
		}
		if _, ok := dests.index(t); ok {
			return t
		}
		if j := under.outer(dests, parent(t)); j >= 0 {
			return m.Links[j].Dest
		}
		return ""
	}
	out := map[string]dependency{}
	for i := range m.Links {
		l := &m.Links[i]
		t, under := l.TargetRel(m.Root)
		if !under {
			continue
		}
		d := declaredUnder(t)
		if d == "" {
			continue
		}
		dep := dependency{dest: d}
		// Follow the chain to find a cycle back to l.
		seen := map[string]bool{l.Dest: true}
		chain := []string{l.Name}
		for cur := d; cur != ""; {
			j, _ := dests.index(cur)
			next := &m.Links[j]
			chain = append(chain, next.Name)
			if seen[cur] {
				dep.cycle = strings.Join(chain, " -> ")
				break
			}
			seen[cur] = true
			nt, ok := next.TargetRel(m.Root)
			if !ok {
				break
			}
			cur = declaredUnder(nt)
		}
		out[l.Dest] = dep
	}
	return out
}

// reorders reports whether Order has anything to put first: a delete, or
// a link that needs another.
func (p *Plan) reorders() bool {
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Action == Delete || c.Needs != "" {
			return true
		}
	}
	return false
}

// Order returns the indexes of p.Changes in the order apply performs them:
// deletes first, then every link after the link its target goes through.
func (p *Plan) Order() []int {
	order := make([]int, 0, len(p.Changes))
	if !p.reorders() {
		// Nothing to put first: the plan's order (most plans; a
		// closure call per change otherwise, ~5 ms at 100,000).
		for i := range p.Changes {
			order = append(order, i)
		}
		return order
	}
	var idx map[string]int                // dest -> index, made at the first link that needs another
	state := make([]byte, len(p.Changes)) // 0 new, 1 visiting, 2 done
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		if need := p.Changes[i].Needs; need != "" {
			if idx == nil {
				idx = make(map[string]int, len(p.Changes))
				for k := range p.Changes {
					idx[p.Changes[k].Dest] = k
				}
			}
			if j, ok := idx[need]; ok && state[j] == 0 {
				visit(j)
			}
		}
		state[i] = 2
		order = append(order, i)
	}
	for i := range p.Changes {
		if p.Changes[i].Action == Delete {
			visit(i)
		}
	}
	for i := range p.Changes {
		visit(i)
	}
	return order
}
