package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
	"github.com/linksdev/links/reconcile/scan"
)

// Import strategies: how the imported links' text is to be written.
const (
	// StrategyKeep declares each link with the strategy its text already
	// uses (absolute text: absolute; otherwise relative), so that plan on
	// the imported manifest shows no changes.
	StrategyKeep = "keep"
	// StrategyRelative and StrategyAbsolute declare every link so; links
	// written the other way are then updates in the plan.
	StrategyRelative = "relative"
	StrategyAbsolute = "absolute"
)

// Options tune Import.
type Options struct {
	// Root is the manifest's root (absolute): every dest lies under it.
	Root string
	// Paths are the paths to scan, beneath Root (absolute, or relative to
	// Scan.Dir); empty means Root.
	Paths []string
	// Scan tunes the walk (Dir, Exclude, IncludeGit, OneFileSystem,
	// Workers). Its Root is ignored: Root is the boundary.
	Scan scan.Options
	// Strategy is StrategyKeep (the default when empty), StrategyRelative
	// or StrategyAbsolute.
	Strategy string
	// AllowDangling declares broken links with allow_dangling: true;
	// otherwise they are skipped.
	AllowDangling bool
	// Trees proposes a tree entry where a folder's links all mirror one
	// source folder with one strategy (with the excludes and folds it
	// needs), kept only if expanding it gives back exactly those links.
	Trees bool
	// ManifestFile is where the manifest will be saved (absolute): root:
	// is written relative to its folder, and a symlink at that path (or at
	// a folder holding it) is skipped, since the manifest refuses it.
	ManifestFile string
}

// Skip is a symlink Import did not declare, and why.
type Skip struct {
	Path   string // as found by the scan
	Link   string // its text
	Reason string
}

// Result is what Import produced.
type Result struct {
	// YAML is the manifest.
	YAML []byte
	// Declared counts the links in it (trees' members included).
	Declared int
	// Trees counts the tree entries (with Trees).
	Trees int
	// Rewritten counts the declared links plan would update, because a
	// forced strategy writes their text differently (0 with keep).
	Rewritten int
	// Skipped are the symlinks found but not declared, sorted by path.
	Skipped []Skip
	// Unreadable are the folders that could not be scanned.
	Unreadable []scan.Unreadable
}

// importLink is one link on its way into the manifest.
type importLink struct {
	found    *scan.Link
	dest     string // relative to root, slash-separated
	name     string
	target   string // as the manifest says it (relative to root, or absolute)
	strategy manifest.Strategy
	dangling bool
}

// Import scans paths under root and returns a manifest declaring every
// symlink found, such that plan on it shows no changes: each dest with
// the target its current text resolves to, written relative to root, and
// the strategy that reproduces that text exactly.
//
// Links are skipped, each with its reason, when a manifest cannot declare
// them or when plan would not reproduce them as they are: symlink loops;
// broken links (unless AllowDangling); link texts not in the form links
// writes (./x, a/../b, x//y, a trailing slash, or more ../ than needed:
// links writes the shortest text, so it would rewrite them); names or texts
// that are not UTF-8; state_dir and the manifest itself. Before returning,
// Import loads the manifest it wrote and plans it against the tree; any
// link that would not be a no-op is dropped and reported, so the round trip
// holds by construction.
//
// Logical names come from the dest: its last component, sanitized to the
// name pattern, with as many parent components (joined with ".") as it
// takes to be unique; a numeric suffix settles what is left. The YAML is
// sorted by dest and quotes whatever would not read back as the same
// string. Import writes nothing.
func Import(opts Options) (*Result, error) {
	im := &importRun{opts: opts, strategy: opts.Strategy, stateRel: manifest.DefaultStateDir}
	switch im.strategy {
	case "":
		im.strategy = StrategyKeep
	case StrategyKeep, StrategyRelative, StrategyAbsolute:
	default:
		return nil, fmt.Errorf("strategy %q: use keep, relative or absolute", im.strategy)
	}
	res, err := im.scan()
	if err != nil {
		return nil, err
	}
	im.out = &Result{Unreadable: res.Unreadable}
	im.manifestFile = filepath.Join(im.rootAbs, "links.yaml")
	if opts.ManifestFile != "" {
		im.manifestFile = filepath.Clean(opts.ManifestFile)
	}
	im.manifestRel, _ = relSlashUnder(im.rootAbs, im.manifestFile)
	if im.manifestRel == "" {
		if real, ok := realish(im.manifestFile); ok {
			im.manifestRel, _ = relSlashUnder(im.rootReal, real)
		}
	}
	links := im.candidates(res)
	var trees []*importTree
	if opts.Trees {
		trees, links = proposeTrees(links, im.rootAbs, im.stateRel, im.manifestRel)
	}
	nameAll(links, trees)
	links, trees, err = im.settle(links, trees)
	if err != nil {
		return nil, err
	}
	out := im.out
	out.Declared = len(links)
	for _, g := range trees {
		out.Declared += len(g.links)
	}
	out.Trees = len(trees)
	sort.SliceStable(out.Skipped, func(i, j int) bool { return out.Skipped[i].Path < out.Skipped[j].Path })
	return out, nil
}

// importRun is one Import: where it looks and what it found.
type importRun struct {
	opts                      Options
	strategy                  string
	rootAbs, rootReal         string
	stateRel                  string // state_dir, relative to root
	manifestFile, manifestRel string // the manifest to write, and its path under root ("" if none)
	out                       *Result
}

// scan scans the paths to import (root by default), which must lie under
// root, skipping state_dir.
func (im *importRun) scan() (*scan.Result, error) {
	opts := im.opts
	im.rootAbs = filepath.Clean(opts.Root)
	rootReal, err := filepath.EvalSymlinks(im.rootAbs)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", opts.Root, bare(err))
	}
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{im.rootAbs}
	}
	so := opts.Scan
	im.rootReal = rootReal
	so.Root = rootReal
	for _, p := range paths {
		if real, ok := realish(absIn(scanDir(so.Dir), p)); ok && !scan.Within(real, rootReal) {
			return nil, fmt.Errorf("%s is outside root %s; every dest must lie under root: choose another --root", p, im.rootAbs)
		}
	}
	stateRel := im.stateRel
	if sd, err := filepath.EvalSymlinks(filepath.Join(im.rootAbs, stateRel)); err == nil {
		so.SkipDirs = append(so.SkipDirs, sd)
	}
	so.SkipDirs = append(so.SkipDirs, filepath.Join(rootReal, stateRel))
	return scan.Scan(paths, so)
}

// candidates are the links res found that a manifest can declare as they
// are (each other one is skipped, with why).
func (im *importRun) candidates(res *scan.Result) []*importLink {
	out, opts, strategy := im.out, im.opts, im.strategy
	rootAbs, rootReal, stateRel, manifestRel := im.rootAbs, im.rootReal, im.stateRel, im.manifestRel
	var links []*importLink
	seen := map[string]bool{}
	for i := range res.Links {
		l := &res.Links[i]
		skip := func(format string, args ...any) {
			out.Skipped = append(out.Skipped, Skip{Path: l.Path, Link: l.Link, Reason: fmt.Sprintf(format, args...)})
		}
		dest, ok := relSlashUnder(rootReal, l.Real)
		switch {
		case !ok || dest == ".":
			skip("it is not under root %s", rootAbs)
			continue
		case seen[dest]:
			continue // scanned twice (overlapping paths)
		}
		seen[dest] = true
		switch {
		case !utf8.ValidString(dest) || !utf8.ValidString(l.Link):
			skip("its name or link text is not valid UTF-8, which a YAML manifest cannot hold")
			continue
		case dest == stateRel || strings.HasPrefix(dest, stateRel+"/"):
			skip("it is links' state_dir %s", stateRel)
			continue
		case manifestRel != "" && (dest == manifestRel || strings.HasPrefix(manifestRel, dest+"/")):
			skip("it is, or leads to, the manifest file itself")
			continue
		case l.Status == scan.StatusLoop:
			skip("%s", l.Error)
			continue
		case l.Status == scan.StatusBroken && l.Link == "":
			skip("%s", l.Error)
			continue
		case l.Status == scan.StatusBroken && !opts.AllowDangling:
			skip("its target does not resolve (%s); import it with --dangling allow to declare it with allow_dangling: true", l.Error)
			continue
		}
		il := &importLink{found: l, dest: dest, dangling: l.Status == scan.StatusBroken}
		il.target, il.strategy = importTarget(dest, l.Link, rootAbs, rootReal)
		switch strategy {
		case StrategyRelative:
			il.strategy = manifest.Relative
		case StrategyAbsolute:
			il.strategy = manifest.Absolute
		default:
			ml := il.manifestLink()
			if want := plan.LinkText(&ml, rootAbs, rootReal, path.Dir(dest)); want != l.Link {
				skip("its text %s is not in the form links writes (it would write %s); rewrite it with ln -sfn, or declare it by hand", l.Link, want)
				continue
			}
		}
		links = append(links, il)
	}
	return links
}

// settle plans the manifest written for links and trees against the tree
// and drops what is not a no-op. Dropping a link can change how another
// is planned (a target that is a declared dest counts as existing), hence
// the loop; a tree any of whose links would change is written out as
// per-link entries instead, and checked again.
func (im *importRun) settle(links []*importLink, trees []*importTree) ([]*importLink, []*importTree, error) {
	out, strategy, manifestFile := im.out, im.strategy, im.manifestFile
	manifestDir := filepath.Dir(manifestFile)
	rootText := filepath.ToSlash(im.rootAbs)
	if rel, err := filepath.Rel(manifestDir, im.rootAbs); err == nil {
		rootText = filepath.ToSlash(rel)
	}
	for round := 0; ; round++ {
		out.YAML = emitManifest(rootText, strategy, links, trees)
		changes, err := planImported(out.YAML, manifestFile)
		if err != nil {
			return nil, nil, err
		}
		byDest := make(map[string]*plan.Change, len(changes))
		for i := range changes {
			byDest[changes[i].Dest] = &changes[i]
		}
		// A tree any of whose links would change is written out as
		// per-link entries instead, and checked again.
		dissolved := false
		keptTrees := trees[:0:0]
		for _, g := range trees {
			ok := true
			for _, il := range g.links {
				if c := byDest[il.dest]; c == nil || c.Action != plan.Noop {
					ok = false
				}
			}
			if ok {
				keptTrees = append(keptTrees, g)
				continue
			}
			links = append(links, g.links...)
			dissolved = true
		}
		if dissolved {
			trees = keptTrees
			sort.SliceStable(links, func(i, j int) bool { return links[i].dest < links[j].dest })
			nameAll(links, trees)
			continue
		}
		kept := links[:0:0]
		out.Rewritten = 0
		for _, il := range links {
			c := byDest[il.dest]
			switch {
			case c == nil:
				return nil, nil, fmt.Errorf("import: %s is missing from the plan of the imported manifest (a bug)", il.dest)
			case c.Action == plan.Noop:
			case c.Action == plan.Update && strategy != StrategyKeep:
				out.Rewritten++
			default:
				why := c.Reason
				if why == "" {
					why = fmt.Sprintf("plan would %s it to %s", c.Action, c.After.Link)
				}
				out.Skipped = append(out.Skipped, Skip{Path: il.found.Path, Link: il.found.Link, Reason: why})
				continue
			}
			kept = append(kept, il)
		}
		if len(kept) == len(links) {
			break
		}
		if round == 3+len(trees) {
			return nil, nil, fmt.Errorf("import: the imported manifest does not settle into a plan without changes (a bug)")
		}
		links = kept
	}
	return links, trees, nil
}

func scanDir(dir string) string {
	if dir == "" {
		dir, _ = filepath.Abs(".")
	}
	return dir
}

func absIn(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// realish resolves the symlinks in p, or in its folder when p itself does
// not resolve.
func realish(p string) (string, bool) {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r, true
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		return filepath.Join(r, filepath.Base(p)), true
	}
	return "", false
}

// relSlashUnder returns p relative to base, slash-separated, when p is base
// or lies beneath it.
func relSlashUnder(base, p string) (string, bool) {
	if !scan.Within(p, base) {
		return "", false
	}
	rel, err := filepath.Rel(base, p)
	if err != nil {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// importTarget reads a link text found at dest into the target a manifest
// declares, and the strategy the text uses. A relative text is resolved
// lexically from the dest's folder, which is real (scans never pass
// through folder links), so .. means what the kernel makes of it. A target
// outside root is written relative to root (../x), unless root's path goes
// through a symlink: then ../ would mean different places from root's path
// and from its real path, so the target is written absolute.
func importTarget(dest, text, rootAbs, rootReal string) (string, manifest.Strategy) {
	if filepath.IsAbs(text) {
		c := filepath.Clean(text)
		if rel, ok := relSlashUnder(rootAbs, c); ok {
			return rel, manifest.Absolute
		}
		return c, manifest.Absolute
	}
	t := path.Join(path.Dir(dest), filepath.ToSlash(text))
	if manifest.LeadsOut(t) && rootAbs != rootReal {
		return filepath.Join(rootReal, filepath.FromSlash(t)), manifest.Relative
	}
	return t, manifest.Relative
}

func (il *importLink) manifestLink() manifest.Link {
	return manifest.Link{Name: il.name, Dest: il.dest, Target: il.target, TargetAbsolute: filepath.IsAbs(il.target),
		Strategy: il.strategy, AllowDangling: il.dangling}
}

// planImported loads the manifest data (to be saved as file) and plans it.
func planImported(data []byte, file string) ([]plan.Change, error) {
	m, err := manifest.Parse(file, data, manifest.Options{Dir: filepath.Dir(file)})
	if err != nil {
		return nil, fmt.Errorf("import: the imported manifest does not load (a bug): %w", err)
	}
	r, err := reconcile.Open(m)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if err := r.ExpandTrees(m); err != nil {
		return nil, fmt.Errorf("import: the imported manifest's trees do not expand (a bug): %w", err)
	}
	obs, err := r.Observe(m)
	if err != nil {
		return nil, err
	}
	return plan.DiffTrees(m, obs, "import").Changes, nil
}

// assignNames gives every link a unique logical name derived from its
// dest; see Import.
func assignNames(links []*importLink) {
	comps := make([][]string, len(links))
	level := make([]int, len(links))
	for i, il := range links {
		for _, c := range strings.Split(il.dest, "/") {
			if s := sanitizeName(c); s != "" {
				comps[i] = append(comps[i], s)
			}
		}
		level[i] = 1
	}
	name := func(i int) string {
		c := comps[i]
		if len(c) == 0 {
			return "link"
		}
		return strings.Join(c[max(0, len(c)-level[i]):], ".")
	}
	for {
		groups := map[string][]int{}
		for i := range links {
			n := name(i)
			groups[n] = append(groups[n], i)
		}
		grew := false
		for _, g := range groups {
			if len(g) < 2 {
				continue
			}
			for _, i := range g {
				if level[i] < len(comps[i]) {
					level[i]++
					grew = true
				}
			}
		}
		if !grew {
			break
		}
	}
	// Whatever still collides (dests that sanitize alike) gets a numeric
	// suffix, in dest order.
	taken := map[string]bool{}
	for i := range links {
		taken[name(i)] = true
	}
	used := map[string]bool{}
	for i, il := range links {
		n := name(i)
		if used[n] {
			base := n
			for k := 2; ; k++ {
				n = fmt.Sprintf("%s-%d", base, k)
				if !taken[n] && !used[n] {
					break
				}
			}
		}
		used[n] = true
		il.name = n
	}
}

// sanitizeName turns one path component into name material: characters
// outside [A-Za-z0-9_.-] become _, runs of _ shrink to one, and leading
// dots and dashes go (.bashrc -> bashrc).
func sanitizeName(c string) string {
	var b strings.Builder
	for _, r := range c {
		ok := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-')
		if !ok {
			r = '_'
		}
		if r == '_' && strings.HasSuffix(b.String(), "_") {
			continue
		}
		b.WriteRune(r)
	}
	s := strings.TrimLeft(b.String(), ".-")
	if s == "_" {
		return ""
	}
	return s
}

// emitManifest writes the manifest: deterministic, sorted by dest (links
// arrive sorted by scan path, which is dest order within one root).
func emitManifest(rootText, strategy string, links []*importLink, trees []*importTree) []byte {
	sorted := append([]*importLink(nil), links...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].dest < sorted[j].dest })
	total := len(sorted)
	for _, g := range trees {
		total += len(g.links)
	}
	d := &manifest.Document{
		Comment: fmt.Sprintf("Written by links import: %d symlinks as they are; links plan on it shows no changes.", total),
		Root:    rootText,
	}
	if strategy != StrategyKeep {
		d.Comment = fmt.Sprintf("Written by links import --strategy %s: %d symlinks.", strategy, total)
	}
	if strategy == StrategyAbsolute {
		d.Strategy = manifest.Absolute
	}
	for _, g := range trees {
		d.Trees = append(d.Trees, g.manifestTree())
	}
	for _, il := range sorted {
		l := manifest.Link{Name: il.name, Dest: il.dest, Target: il.target, AllowDangling: il.dangling}
		if strategy == StrategyKeep && il.strategy == manifest.Absolute {
			l.Strategy = manifest.Absolute
		}
		d.Links = append(d.Links, l)
	}
	return manifest.Encode(d)
}

// bare drops a *fs.PathError's path, for messages that name it already.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
