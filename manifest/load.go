package manifest

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/linksdev/links/schema"
)

// Options are the inputs to Load besides the document.
type Options struct {
	// Vars are --var overrides. Each must name a variable declared under
	// vars: (a typo must not pass silently).
	Vars map[string]string
	// LookupEnv resolves ${env:NAME}; nil means no variable is set.
	LookupEnv func(string) (string, bool)
	// Home is the home folder used for a leading ~ in root; empty makes
	// ~ an error.
	Home string
	// Dir is the manifest's folder, absolute: a relative root is taken from
	// it. Empty means the folder of the path given to Load or Parse.
	Dir string
	// RealDir is Dir with its symlinks resolved (Load sets it). A relative
	// root that climbs with .. is taken from it, as the kernel takes ..:
	// through -f alias/links.yaml, root: .. is the folder above the
	// manifest's real folder, not the one holding alias. Empty means Dir.
	RealDir string
	// Display is the manifest's name in errors (as the user typed it);
	// empty means the path given to Load.
	Display string
}

// Load reads and parses the manifest at file. See Parse.
func Load(file string, opts Options) (*Manifest, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if opts.Dir == "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, fmt.Errorf("read manifest: %w", err)
		}
		opts.Dir = filepath.Dir(abs)
	}
	if opts.RealDir == "" {
		if real, err := filepath.EvalSymlinks(opts.Dir); err == nil {
			opts.RealDir = real
		}
	}
	name := file
	if opts.Display != "" {
		name = opts.Display
	}
	return Parse(name, data, opts)
}

// NamePattern is the pattern logical names and variable names match.
var NamePattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// Parse parses a manifest from data; file is the name errors carry. It
// returns the manifest or an ErrorList holding every problem found.
func Parse(file string, data []byte, opts Options) (*Manifest, error) {
	if opts.Dir == "" {
		abs, err := filepath.Abs(filepath.Dir(file))
		if err != nil {
			return nil, fmt.Errorf("parse manifest: %w", err)
		}
		opts.Dir = abs
	}
	if m, ok := parseChunked(file, data, opts); ok {
		return m, nil
	}
	return parseWhole(file, data, opts)
}

// parseWhole parses data as one YAML document (see Parse).
func parseWhole(file string, data []byte, opts Options) (*Manifest, error) {
	m, _, err := parseDocument(file, data, opts)
	return m, err
}

// parseDocument is parseWhole, also returning the document read (for
// lineChunk, which builds further links against its head).
func parseDocument(file string, data []byte, opts Options) (*Manifest, *document, error) {
	root, errs := parseYAML(file, data)
	if errs != nil {
		return nil, nil, errs
	}
	d := &document{file: file, data: data, root: root}
	c := &converter{d: d, budget: budget(len(data))}
	v, err := c.convert(root)
	d.cost = c.cost
	if err != nil {
		// The document cannot be expanded; its one error says why, and
		// anything further would be noise about a partial value.
		d.errs.sort()
		return nil, nil, d.errs
	}
	d.value = v
	d.expandLimit = expandBudget(len(data))

	violations, err := schema.Validate(d.value)
	if err != nil {
		return nil, nil, err
	}
	bad := map[string]bool{} // pointers already reported: no further checks there
	for p := range d.badValues {
		bad[p] = true
	}
	for _, v := range violations {
		if !v.Key && d.badValues[v.Pointer] {
			continue // the conversion already said what is wrong
		}
		msg := v.Message
		if n := d.locate(v.Pointer, false); !v.Key && n.Tag == "!!null" && n.Value == "~" && strings.HasSuffix(msg, "got null") {
			msg += `; a bare ~ is null in YAML: write "~"`
		}
		d.errorAt(v.Pointer, v.Key, "%s", msg)
		bad[v.Pointer] = true
	}
	m := d.build(opts, bad)
	d.errs = dedupe(d.errs)
	if len(d.errs) > 0 {
		d.errs.sort()
		return nil, nil, d.errs
	}
	return m, d, nil
}

func dedupe(errs ErrorList) ErrorList {
	seen := make(map[Error]bool, len(errs))
	out := errs[:0]
	for _, e := range errs {
		if !seen[*e] {
			seen[*e] = true
			out = append(out, e)
		}
	}
	return out
}

// build decodes the validated plain values into a Manifest and applies the
// rules the schema cannot express. Values the schema rejected are skipped
// (their error is already recorded), so one mistake is reported once.
func (d *document) build(opts Options, bad map[string]bool) *Manifest {
	top, ok := d.value.(map[string]any)
	if !ok {
		if !bad[""] {
			d.errorAt("", false, "the manifest must be a mapping with version: and links:")
		}
		return nil
	}
	m := &Manifest{File: d.file, Path: filepath.Join(opts.Dir, filepath.Base(d.file)), StateDir: DefaultStateDir, Vars: map[string]string{}}
	x := &expander{vars: m.Vars, lookupEnv: opts.LookupEnv, skip: map[string]bool{}, left: d.expandLimit, limit: d.expandLimit}
	d.buildVars(top, opts, bad, m, x)
	d.rootOK = d.buildRoot(top, opts, bad, m, x)
	d.buildStateDir(top, bad, m)
	defaults, _ := top["defaults"].(map[string]any)
	d.x, d.defaults = x, defaults
	d.buildLinks(top, opts, bad, defaults, m, x)
	m.Links = sortByDest(m.Links)
	return m
}

// buildVars reads vars:, then the --var overrides (only for declared
// variables). A variable the schema rejected is known but unusable:
// references to it are not reported again.
func (d *document) buildVars(top map[string]any, opts Options, bad map[string]bool, m *Manifest, x *expander) {
	if vars, ok := top["vars"].(map[string]any); ok && !bad["/vars"] {
		for k, v := range vars {
			ptr := "/vars/" + escapePointer(k)
			switch v.(type) {
			case string, bool, int64, float64:
				if !bad[ptr] {
					// Numbers and booleans are taken as written (0x10
					// stays 0x10).
					m.Vars[k] = d.locate(ptr, false).Value
					continue
				}
			}
			x.skip[k] = true
		}
	} else if _, ok := top["vars"]; ok {
		x.skipAll = true
	}
	overrides := make([]string, 0, len(opts.Vars))
	for k := range opts.Vars {
		overrides = append(overrides, k)
	}
	sort.Strings(overrides)
	for _, k := range overrides {
		if _, ok := m.Vars[k]; !ok {
			if x.skip[k] || x.skipAll {
				continue
			}
			d.errs = append(d.errs, &Error{File: d.file, Msg: fmt.Sprintf("--var %s: no variable %q is declared under vars:; declare it with a default, or check the spelling", k, k)})
			continue
		}
		m.Vars[k] = opts.Vars[k]
	}
}

// buildRoot reads root: and reports whether it is usable. Until it is
// known, paths are checked only lexically.
func (d *document) buildRoot(top map[string]any, opts Options, bad map[string]bool, m *Manifest, x *expander) bool {
	m.Root = filepath.Clean(opts.Dir)
	rootOK := !bad["/root"]
	if s, ok := top["root"].(string); ok && rootOK {
		r, err := x.expand(s)
		rootOK = false
		switch {
		case err != nil:
			d.expandError("/root", err)
		case strings.IndexByte(r, 0) >= 0:
			d.errorAt("/root", false, "root contains a NUL byte; remove it")
		case r == "~" || strings.HasPrefix(r, "~/"):
			if opts.Home == "" {
				d.errorAt("/root", false, "root %q uses ~ but the home folder is unknown; set HOME or write the path out", s)
			} else {
				m.Root, rootOK = filepath.Join(opts.Home, filepath.FromSlash(r[1:])), true
			}
		case strings.HasPrefix(r, "~"):
			d.errorAt("/root", false, "root %q: ~user is not supported; write the path out", s)
		case filepath.IsAbs(r):
			m.Root, rootOK = filepath.Clean(r), true
		default:
			base := opts.Dir
			if opts.RealDir != "" && climbs(r) {
				base = opts.RealDir
			}
			m.Root, rootOK = filepath.Join(base, filepath.FromSlash(r)), true
		}
	}
	if _, given := top["root"].(string); given && rootOK {
		if err := pathLimit(m.Root); err != nil {
			d.errorAt("/root", false, "root %q %v", brief(m.Root), err)
			rootOK = false
		}
	}
	return rootOK
}

// buildStateDir reads state_dir:.
func (d *document) buildStateDir(top map[string]any, bad map[string]bool, m *Manifest) {
	if s, ok := top["state_dir"].(string); ok && !bad["/state_dir"] {
		rel, err := d.underRoot(m.Root, s)
		switch {
		case err == errSkip:
		case err != nil:
			d.errorAt("/state_dir", false, "state_dir %q %v", brief(s), err)
		case rel == ".":
			d.errorAt("/state_dir", false, "state_dir must be a folder under root, not root itself; the default is %s", DefaultStateDir)
		default:
			m.StateDir = rel
		}
	}
}

// buildLinks builds the links and trees, in the order they are written,
// so that a duplicate dest is reported at the later one.
func (d *document) buildLinks(top map[string]any, opts Options, bad map[string]bool, defaults map[string]any, m *Manifest, x *expander) {
	rootOK := d.rootOK
	if _, ok := top["links"].(map[string]any); !ok {
		d.links = nil // links: is not a mapping (reported)
	}
	byDest := make(map[string]int, len(d.links))
	d.manifestRel = ""
	if rootOK {
		if abs, err := filepath.Abs(filepath.Join(opts.Dir, filepath.Base(d.file))); err == nil {
			if r, ok := RelUnder(m.Root, abs); ok {
				d.manifestRel = r
			}
		}
	}
	m.Links = make([]Link, 0, len(d.links))
	for _, e := range d.links {
		ptr := "/links/" + escapePointer(e.name)
		raw, ok := e.value.(map[string]any)
		if !ok || bad[ptr] {
			continue
		}
		if isTree(raw) {
			if t, ok := d.buildTree(e.name, ptr, raw, defaults, x, m, bad); ok {
				t.Pos = Pos{Line: e.key.Line, Col: e.key.Column}
				m.Trees = append(m.Trees, t)
			}
			continue
		}
		for _, k := range treeKeys {
			if _, ok := raw[k]; ok && !bad[ptr+"/"+k] {
				d.errorAt(ptr+"/"+k, true, "%s is only for a tree entry; add tree: true, or remove %s", k, k)
			}
		}
		l, ok := d.buildLink(e.name, ptr, rawFields(raw), defaults, x, m, bad, false)
		if !ok {
			continue
		}
		l.Pos = Pos{Line: e.key.Line, Col: e.key.Column}
		if i, dup := byDest[l.Dest]; dup {
			other := &m.Links[i]
			d.errorAt(ptr+"/dest", false, "dest %q is also declared by %s (line %d); each dest may have only one link", l.Dest, dotted([]string{"links", other.Name}), other.Pos.Line)
			continue
		}
		if why := d.holdsManifest(l.Dest); why != "" {
			d.errorAt(ptr+"/dest", false, "dest %q is %s; choose another dest", l.Dest, why)
			continue
		}
		byDest[l.Dest] = len(m.Links)
		m.Links = append(m.Links, l)
	}
}

// holdsManifest says why dest may not be a link because of the manifest
// file (it is the file, or a folder holding it), or "".
func (d *document) holdsManifest(dest string) string {
	switch {
	case d.manifestRel == "":
	case dest == d.manifestRel:
		return "the manifest file itself"
	case strings.HasPrefix(d.manifestRel, dest+"/"):
		return "a folder holding the manifest file"
	}
	return ""
}

// fields are a link's own settings: a mapping's values (rawFields), or
// the ones written on one line (lineFields).
type fields interface {
	get(key string) (any, bool)
	// text is the string value of key ("" when absent or not a string).
	text(key string) string
}

// rawFields are the settings of a link mapping as converted.
type rawFields map[string]any

func (r rawFields) get(key string) (any, bool) {
	v, ok := r[key]
	return v, ok
}

func (r rawFields) text(key string) string { return str(r[key]) }

// sortByDest returns links sorted by Dest, stable. It sorts small (dest,
// index) pairs rather than moving whole Links around.
func sortByDest(links []Link) []Link {
	if slices.IsSortedFunc(links, func(a, b Link) int { return strings.Compare(a.Dest, b.Dest) }) {
		return links
	}
	type key struct {
		dest string
		i    int
	}
	keys := make([]key, len(links))
	for i := range links {
		keys[i] = key{links[i].Dest, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := strings.Compare(a.dest, b.dest); c != 0 {
			return c
		}
		return a.i - b.i // equal dests (trees' duplicates) stay in declared order
	})
	out := make([]Link, len(links))
	for i, k := range keys {
		out[i] = links[k.i]
	}
	return out
}

func (d *document) buildLink(name, ptr string, raw fields, defaults map[string]any, x *expander, m *Manifest, bad map[string]bool, tree bool) (Link, bool) {
	l := Link{
		Name:     name,
		Strategy: Relative,
		Replace:  ReplaceSymlink,
		Backup:   true,
		Parents:  true,
	}
	get := func(key string) (any, bool) {
		if v, ok := raw.get(key); ok {
			return v, len(bad) == 0 || !bad[ptr+"/"+key]
		}
		if v, ok := defaults[key]; ok {
			return v, len(bad) == 0 || !bad["/defaults/"+key]
		}
		return nil, false
	}
	if v, ok := get("strategy"); ok {
		l.Strategy = Strategy(str(v))
	}
	if v, ok := get("replace"); ok {
		l.Replace = Replace(str(v))
	}
	if v, ok := get("backup"); ok {
		l.Backup, _ = v.(bool)
	}
	if v, ok := get("parents"); ok {
		l.Parents, _ = v.(bool)
	}
	if v, ok := get("allow_dangling"); ok {
		l.AllowDangling, _ = v.(bool)
	}
	if v, ok := get("kind"); ok {
		l.Kind = Kind(str(v))
	}
	okAll := true
	if v, ok := get("allow"); ok {
		where := ptr + "/allow"
		if _, own := raw.get("allow"); !own {
			where = "/defaults/allow"
		}
		okAll = d.buildAllow(&l, where, v, x, bad) && okAll
	}
	if len(bad) > 0 && (bad[ptr+"/dest"] || bad[ptr+"/target"]) {
		return l, false
	}
	rawDest, rawTarget := raw.text("dest"), raw.text("target")
	okAll = d.buildDest(&l, ptr, rawDest, x, m, tree) && okAll
	okAll = d.buildTarget(&l, ptr, rawTarget, x) && okAll
	if okAll && (l.Target == l.Dest || l.TargetAbsolute && d.rootOK && l.Target == filepath.Join(m.Root, filepath.FromSlash(l.Dest))) {
		d.errorAt(ptr+"/target", false, "target %q is the link's own dest, which would be a loop; point it elsewhere", rawTarget)
		okAll = false
	}
	if okAll && d.rootOK {
		if err := linkTextLimit(&l, m.Root); err != nil {
			d.errorAt(ptr+"/target", false, "target %q %v", brief(rawTarget), err)
			okAll = false
		}
	}
	return l, okAll
}

// buildAllow reads a link's allow: globs (at where: its own, or the
// defaults').
func (d *document) buildAllow(l *Link, where string, v any, x *expander, bad map[string]bool) bool {
	return d.expandEach(where, v, x, bad, func(_ int, gp, glob string) bool {
		if _, err := path.Match(glob, ""); err != nil {
			d.errorAt(gp, false, "invalid glob %q: %v; globs use path.Match syntax: * ? [a-z] and \\ to escape", glob, err)
			return false
		}
		l.Allow = append(l.Allow, glob)
		return true
	})
}

// expandEach expands every string of the list v at ptr (its items at
// ptr/0, ptr/1, ...) and calls each with an item's index, place and
// expanded value. ok is false when an item was already reported bad, does
// not expand (reported here) or is refused by each (which reports it and
// returns false).
func (d *document) expandEach(ptr string, v any, x *expander, bad map[string]bool, each func(i int, ip, s string) bool) bool {
	ok := true
	list, _ := v.([]any)
	for i, item := range list {
		ip := ptr + "/" + strconv.Itoa(i)
		if bad[ip] {
			ok = false
			continue
		}
		s, err := x.expand(str(item))
		if err != nil {
			d.expandError(ip, err)
			ok = false
			continue
		}
		if !each(i, ip, s) {
			ok = false
		}
	}
	return ok
}

// buildDest reads a link's dest: expanded, under root, not root itself
// (a tree's may be), not in or around state_dir.
func (d *document) buildDest(l *Link, ptr, rawDest string, x *expander, m *Manifest, tree bool) bool {
	dest, err := x.expand(rawDest)
	if err != nil {
		d.expandError(ptr+"/dest", err)
		return false
	}
	rel, err := d.underRoot(m.Root, dest)
	switch {
	case err != nil:
		if err != errSkip {
			shown := ""
			if dest != rawDest {
				shown = fmt.Sprintf(" (%q after expansion)", brief(dest))
			}
			d.errorAt(ptr+"/dest", false, "dest %q%s %v", brief(rawDest), shown, err)
		}
		return false
	case rel == "." && !tree:
		d.errorAt(ptr+"/dest", false, "dest %q is root itself; a link must live under root", rawDest)
		return false
	case rel == m.StateDir || strings.HasPrefix(rel, m.StateDir+"/"):
		d.errorAt(ptr+"/dest", false, "dest %q is inside state_dir %q, where links keeps its own state; choose another dest", rel, brief(m.StateDir))
		return false
	case strings.HasPrefix(m.StateDir, rel+"/") && !tree:
		d.errorAt(ptr+"/dest", false, "dest %q is a folder holding state_dir %q, where links keeps its own state; choose another dest", rel, brief(m.StateDir))
		return false
	}
	l.Dest = rel
	return true
}

// buildTarget reads a link's target: expanded, absolute or a clean slash
// path, within the kernel's limits.
func (d *document) buildTarget(l *Link, ptr, rawTarget string, x *expander) bool {
	target, err := x.expand(rawTarget)
	switch {
	case err != nil:
		d.expandError(ptr+"/target", err)
		return false
	case strings.IndexByte(target, 0) >= 0:
		d.errorAt(ptr+"/target", false, "target contains a NUL byte; remove it")
		return false
	case nameLimit(target) != nil:
		err := nameLimit(target)
		shown := ""
		if target != rawTarget {
			shown = fmt.Sprintf(" (%q after expansion)", brief(target))
		}
		d.errorAt(ptr+"/target", false, "target %q%s %v", brief(rawTarget), shown, err)
		return false
	case filepath.IsAbs(target) || strings.HasPrefix(target, "/"):
		l.Target = filepath.Clean(target)
		l.TargetAbsolute = true
	default:
		l.Target = path.Clean(filepath.ToSlash(target))
	}
	return true
}

// expandError records a failed expansion, unless it comes from a variable
// whose declaration is already reported.
func (d *document) expandError(ptr string, err error) {
	if err != errSkip {
		d.errorAt(ptr, false, "%v", err)
	}
}

// errSkip marks a problem already reported elsewhere.
var errSkip = errors.New("already reported")

// underRoot resolves p (relative to root, or absolute) lexically and returns
// it relative to root, slash-separated and clean. It refuses a path that
// leaves root.
func (d *document) underRoot(root, p string) (string, error) {
	if strings.IndexByte(p, 0) >= 0 {
		return "", fmt.Errorf("contains a NUL byte; remove it")
	}
	if err := nameLimit(p); err != nil {
		return "", err
	}
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		if !d.rootOK {
			return "", errSkip // root is wrong, and already reported
		}
		rel, ok := RelUnder(root, filepath.Clean(p))
		if !ok {
			return "", fmt.Errorf("is outside root %s; use a path under root", brief(root))
		}
		return rel, nil
	}
	c := path.Clean(filepath.ToSlash(p))
	if LeadsOut(c) {
		return "", fmt.Errorf("leaves root through ..; use a path under root %s", brief(root))
	}
	return c, nil
}

// climbs reports whether the relative path p has a .. component.
func climbs(p string) bool {
	for _, c := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || os.IsPathSeparator(byte(r)) && r < 128 }) {
		if c == ".." {
			return true
		}
	}
	return false
}

// RelUnder returns abs relative to root (slash-separated) if it lies under
// root ("." for root itself).
func RelUnder(root, abs string) (string, bool) {
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	if LeadsOut(rel) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// TargetPath returns the target as an absolute path with OS separators.
func (l *Link) TargetPath(root string) string {
	if l.TargetAbsolute {
		return l.Target
	}
	return filepath.Join(root, filepath.FromSlash(l.Target))
}

// TargetRel returns the target relative to root (slash-separated) and
// whether it lies under root.
func (l *Link) TargetRel(root string) (string, bool) {
	if !l.TargetAbsolute {
		if LeadsOut(l.Target) {
			return l.Target, false
		}
		return l.Target, true
	}
	return RelUnder(root, l.Target)
}

// Allowed reports whether the target matches one of the allow globs (or
// there are none). Globs match the target relative to root, or the absolute
// target when it lies outside root.
func (l *Link) Allowed(root string) bool {
	if len(l.Allow) == 0 {
		return true
	}
	t, under := l.TargetRel(root)
	if !under {
		t = filepath.ToSlash(l.TargetPath(root))
	}
	for _, g := range l.Allow {
		if ok, _ := path.Match(g, t); ok {
			return true
		}
	}
	return false
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
