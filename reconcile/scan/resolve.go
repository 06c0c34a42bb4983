package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// maxHops bounds a chain of links, as the kernel does (Linux
// MAXSYMLINKS): more is reported as a loop.
const maxHops = 40

// resolution is where a link leads.
type resolution struct {
	status string // StatusOK, StatusBroken or StatusLoop
	path   string // see Link.Resolved
	isDir  bool
	hops   int
	// follows counts every symlink the kernel follows to resolve the
	// path, the chain's and those met as folders on the way: more than
	// maxHops is ELOOP, a loop.
	follows int
	err     string
	// cut is set when resolution stopped at the hop limit rather than at
	// a cycle: the result depends on where the chain started, so it is not
	// cached.
	cut bool
}

// Resolver resolves paths component by component, with lstat and
// readlink, and remembers what it saw, by absolute path whose folder part
// is already resolved: each folder and file, and each symlink with its
// text and where it leads (what is missing is not remembered). It is safe
// for concurrent use: Scan's workers share one, and so do Observe's; the
// cache is sharded to keep them from waiting on each other. What it
// remembers can go stale: use one per scan or plan.
type Resolver struct {
	shards [64]resolverShard
}

type resolverShard struct {
	mu sync.Mutex
	m  map[string]node
}

// node is what the Resolver knows about one path.
type node struct {
	kind Kind
	err  error // lstat failed otherwise (permission, ...); kind says nothing then
	// For a symlink that has been resolved:
	resolved bool
	text     string
	res      resolution
}

// NewResolver returns a Resolver that remembers nothing yet.
func NewResolver() *Resolver {
	r := &Resolver{}
	for i := range r.shards {
		r.shards[i].m = map[string]node{}
	}
	return r
}

func (r *Resolver) shard(p string) *resolverShard {
	// FNV-1a over the tail of the path, which differs most between paths.
	h := uint32(2166136261)
	for i := max(0, len(p)-24); i < len(p); i++ {
		h ^= uint32(p[i])
		h *= 16777619
	}
	return &r.shards[h%uint32(len(r.shards))]
}

func (r *Resolver) get(p string) (node, bool) {
	sh := r.shard(p)
	sh.mu.Lock()
	n, ok := sh.m[p]
	sh.mu.Unlock()
	return n, ok
}

func (r *Resolver) put(p string, n node) {
	sh := r.shard(p)
	sh.mu.Lock()
	sh.m[p] = n
	sh.mu.Unlock()
}

// entry returns what is at p (not following a final symlink).
func (r *Resolver) entry(p string) node {
	if n, ok := r.get(p); ok {
		return n
	}
	kind, err := lstatKind(p)
	n := node{kind: kind, err: err}
	if kind == KindMissing || err != nil {
		// Not remembered: what is missing may appear, and a cache of
		// misses would grow with every typo in every broken link.
		return n
	}
	sh := r.shard(p)
	sh.mu.Lock()
	if old, ok := sh.m[p]; ok {
		n = old // another worker got here first, maybe with more
	} else {
		sh.m[p] = n
	}
	sh.mu.Unlock()
	return n
}

// Follows counts the symlinks the kernel follows to resolve the absolute
// path p: every link on the way, and the chain at its end. loop reports
// that there are more than the kernel follows (ELOOP) or a cycle. A path
// that is not absolute counts 0.
func (r *Resolver) Follows(p string) (follows int, loop bool) {
	vol, ok := absRoot(p)
	if !ok {
		return 0, false
	}
	got := r.walk(vol, p[len(vol):], nil)
	return got.follows, got.status == StatusLoop
}

// link resolves the symlink at p, whose text is text when haveText (read
// otherwise). stack holds the links being resolved further up the chain:
// meeting one again is a loop. It returns where p leads and its text.
func (r *Resolver) link(p, text string, haveText bool, stack []string) (resolution, string) {
	if n, ok := r.get(p); ok && n.resolved {
		return n.res, n.text
	}
	for _, q := range stack {
		if q == p {
			return resolution{status: StatusLoop, err: "symlink loop"}, text
		}
	}
	if len(stack) >= maxHops {
		return resolution{status: StatusLoop, err: fmt.Sprintf("more than %d symlinks to follow", maxHops), cut: true}, text
	}
	if !haveText {
		t, err := os.Readlink(p)
		if err != nil {
			return resolution{status: StatusBroken, path: p, err: "cannot read the link: " + describeErr(err)}, ""
		}
		text = t
	}
	base, rest := parentDir(p), text
	if vol, ok := absRoot(text); ok {
		base, rest = vol, text[len(vol):]
	}
	res := r.walk(base, rest, append(stack, p))
	res.hops++
	res.follows++
	if res.follows > maxHops && res.status != StatusLoop {
		// The kernel gives up here (ELOOP), whatever lies beyond.
		res = resolution{status: StatusLoop, follows: res.follows, cut: res.cut,
			err: fmt.Sprintf("more than %d symlinks to follow; the kernel cannot resolve it (ELOOP)", maxHops)}
	}
	if !res.cut {
		r.put(p, node{kind: KindLink, resolved: true, text: text, res: res})
	}
	return res, text
}

// walk resolves rest (a path, relative or with its root removed) from the
// folder base (absolute, real). The result's hops count the chain of the
// final component when it is a link (0 otherwise).
func (r *Resolver) walk(base, rest string, stack []string) resolution {
	follows := 0 // symlinks followed as folders on the way so far
	for rest != "" {
		var comp string
		comp, rest = nextComponent(rest)
		switch comp {
		case "", ".":
			continue
		case "..":
			base = parentDir(base)
			continue
		}
		p := joinPath(base, comp)
		last := rest == ""
		n := r.entry(p)
		if n.err != nil {
			return resolution{status: StatusBroken, path: joinRest(p, rest), follows: follows, err: describeErr(n.err) + ": " + p}
		}
		switch n.kind {
		case KindMissing:
			return resolution{status: StatusBroken, path: joinRest(p, rest), follows: follows, err: "no such file or directory: " + p}
		case KindDir:
			base = p
		case KindFile:
			if last {
				return resolution{status: StatusOK, path: p, follows: follows}
			}
			return resolution{status: StatusBroken, path: joinRest(p, rest), follows: follows, err: "not a directory: " + p}
		case KindLink:
			lr, _ := r.link(p, "", false, stack)
			lr.follows += follows
			follows = lr.follows
			if lr.status == StatusOK && follows > maxHops {
				return resolution{status: StatusLoop, follows: follows, cut: lr.cut,
					err: fmt.Sprintf("more than %d symlinks to follow; the kernel cannot resolve it (ELOOP)", maxHops)}
			}
			if lr.status != StatusOK {
				if !last {
					lr.hops = 0 // the chain ended at a folder on the way
					if lr.status == StatusBroken {
						lr.path = joinRest(lr.path, rest)
					}
				}
				return lr
			}
			if last {
				return lr
			}
			if !lr.isDir {
				return resolution{status: StatusBroken, path: joinRest(lr.path, rest), follows: follows, err: "not a directory: " + lr.path + " (through " + p + ")"}
			}
			base = lr.path
		}
	}
	return resolution{status: StatusOK, path: base, isDir: true, follows: follows}
}

// nextComponent splits the first component off p.
func nextComponent(p string) (comp, rest string) {
	for i := 0; i < len(p); i++ {
		if os.IsPathSeparator(p[i]) {
			return p[:i], p[i+1:]
		}
	}
	return p, ""
}

// joinRest joins what was left to resolve to p, for showing where a
// broken link leads.
func joinRest(p, rest string) string {
	if rest == "" {
		return p
	}
	return filepath.Join(p, rest)
}

// parentDir returns the folder holding p (absolute, clean); the parent of
// a root is itself.
func parentDir(p string) string {
	vol := filepath.VolumeName(p)
	i := strings.LastIndexFunc(p[len(vol):], func(c rune) bool { return c < 128 && os.IsPathSeparator(byte(c)) })
	if i < 0 {
		return p
	}
	if i == 0 {
		return p[:len(vol)+1]
	}
	return p[:len(vol)+i]
}

// absRoot returns the root an absolute link text starts from ("/" on Unix,
// the volume and its separator on Windows).
func absRoot(text string) (string, bool) {
	if !filepath.IsAbs(text) {
		return "", false
	}
	vol := filepath.VolumeName(text)
	if len(text) > len(vol) && os.IsPathSeparator(text[len(vol)]) {
		return text[:len(vol)+1], true
	}
	return vol, true
}
