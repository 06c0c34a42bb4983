package scan

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Scan statuses (SPEC §4). A link has exactly one, checked in this order:
// loop, broken, escapes, ok.
const (
	StatusOK      = "ok"      // resolves, inside the boundary
	StatusBroken  = "broken"  // something on the way does not exist (or cannot be looked at)
	StatusLoop    = "loop"    // following it never ends (a cycle, or more than 40 links)
	StatusEscapes = "escapes" // resolves, but outside the boundary
)

// Workers is how many goroutines read folders when Options.Workers is
// not set: one per core (at least 2, so that one waits on the disk while
// the other works), at most 8.
var Workers = min(max(runtime.GOMAXPROCS(0), 2), 8)

// Options tune Scan. The zero value scans everything but .git folders,
// across filesystems, with the package's Workers.
type Options struct {
	// Dir is the folder relative paths are taken from; empty means the
	// process's working folder.
	Dir string
	// Root, when set, is the boundary a link must resolve within to be ok
	// rather than escapes. Empty means each scanned path is its own.
	Root string
	// Exclude holds globs (path.Match syntax). A glob without a slash is
	// matched against each entry's name, one with a slash against the
	// entry's slash path relative to the scanned path. A matching folder is
	// not entered; a matching symlink is not reported.
	Exclude []string
	// IncludeGit scans folders named .git, which are skipped by default.
	IncludeGit bool
	// SkipDirs are folders (absolute, symlinks resolved) not entered, such
	// as a manifest's state_dir.
	SkipDirs []string
	// OneFileSystem keeps the walk on the filesystem of each scanned path
	// (find -xdev). Links are still resolved wherever they lead. No effect
	// on Windows.
	OneFileSystem bool
	// Workers is how many folders are read at once; <= 0 means the
	// package's Workers.
	Workers int
}

// Link is one symlink found by Scan.
type Link struct {
	// Path is where the link was found: the scanned path as given, joined
	// with the link's path beneath it (like find prints it).
	Path string
	// Real is the link's own absolute path with every folder above it
	// resolved (the link itself is not followed).
	Real string
	// Link is the link text, as readlink returns it.
	Link string
	// Status is one of the Status constants.
	Status string
	// Resolved is the absolute path the link leads to with every symlink
	// resolved. For a broken link it is where resolution stopped joined
	// with what was left to follow; for a loop it is empty.
	Resolved string
	// IsDir reports that the link resolves to a folder.
	IsDir bool
	// Absolute reports that the link text is an absolute path.
	Absolute bool
	// Hops is the length of the chain of links ending at a non-link: 1 for
	// a link to a file or folder, 2 for a link to such a link, and so on
	// (links met as folders along the way are followed, not counted). For
	// a broken link the chain ends at what is missing; for a loop it is 0.
	Hops int
	// Error says why a broken link or a loop does not resolve.
	Error string
}

// Unreadable is a folder Scan could not read, and why. Links beneath it
// are not reported; the scan goes on with the rest.
type Unreadable struct {
	// Path is the folder, shown like Link.Path.
	Path string
	Err  error
}

// Result is what Scan found.
type Result struct {
	// Links are the symlinks found, sorted by Path.
	Links []Link
	// Unreadable are the folders that could not be read, sorted by Path.
	Unreadable []Unreadable
	// Dirs counts the folders read; Entries every entry seen in them.
	Dirs, Entries int
}

// Summary counts a Result.
type Summary struct {
	Links, OK, Broken, Loop, Escapes int
	// Absolute counts link texts that are absolute paths; Chained the links
	// with more than one hop; MaxHops is the longest chain.
	Absolute, Chained, MaxHops int
	Unreadable, Dirs, Entries  int
}

// Summary counts the links by status and the other findings.
func (r *Result) Summary() Summary {
	s := Summary{Links: len(r.Links), Unreadable: len(r.Unreadable), Dirs: r.Dirs, Entries: r.Entries}
	for i := range r.Links {
		l := &r.Links[i]
		switch l.Status {
		case StatusOK:
			s.OK++
		case StatusBroken:
			s.Broken++
		case StatusLoop:
			s.Loop++
		case StatusEscapes:
			s.Escapes++
		}
		if l.Absolute {
			s.Absolute++
		}
		if l.Hops > 1 {
			s.Chained++
		}
		s.MaxHops = max(s.MaxHops, l.Hops)
	}
	return s
}

// Scan walks each of paths and reports every symlink beneath it. It never
// follows a symlink to a folder while walking (a link cycle cannot trap
// it), but resolves every link it finds, wherever it leads, to tell its
// status. A path that is itself a symlink is followed when it leads to a
// folder (like find -H) and reported as a link otherwise.
//
// Folders are read in batches by a bounded pool of workers; each link is
// resolved once, component by component with lstat and readlink, through
// a cache shared by the workers, so folders on many links' way are looked
// at once. A folder that cannot be read is recorded in Unreadable and the
// scan goes on. Scan returns an error only when a path to scan does not
// exist or cannot be looked at, or an option is invalid.
//
// Scan reads the disk and writes nothing.
func Scan(paths []string, opts Options) (*Result, error) {
	for _, g := range opts.Exclude {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("exclude %q: %w; globs use path.Match syntax: * ? [a-z] and \\ to escape", g, err)
		}
	}
	dir := opts.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
		dir = wd
	}
	s := &scanner{opts: opts, res: NewResolver()}
	s.cond = sync.NewCond(&s.mu)
	if len(opts.SkipDirs) > 0 {
		s.skip = make(map[string]bool, len(opts.SkipDirs))
		for _, d := range opts.SkipDirs {
			s.skip[filepath.Clean(d)] = true
		}
	}
	var boundary string
	if opts.Root != "" {
		b, err := filepath.EvalSymlinks(absIn(dir, opts.Root))
		if err != nil {
			return nil, fmt.Errorf("root %s: %w", opts.Root, unwrapPathError(err))
		}
		boundary = b
	}
	var loose []Link // scanned paths that are themselves links
	for _, p := range paths {
		st, link, err := s.start(dir, p, boundary)
		if err != nil {
			return nil, err
		}
		if link != nil {
			loose = append(loose, *link)
		}
		if st != nil {
			s.stack = append(s.stack, job{dir: st.real, start: st})
		}
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = Workers
	}
	ws := make([]*scanWorker, workers)
	var wg sync.WaitGroup
	for i := range ws {
		ws[i] = &scanWorker{s: s, buf: make([]byte, 64<<10), linkBuf: make([]byte, 4096)}
		wg.Add(1)
		go func(w *scanWorker) {
			defer wg.Done()
			w.run()
		}(ws[i])
	}
	wg.Wait()

	out := &Result{Links: loose}
	for _, w := range ws {
		out.Links = append(out.Links, w.links...)
		out.Unreadable = append(out.Unreadable, w.errs...)
		out.Dirs += w.dirs
		out.Entries += w.entries
	}
	sort.Slice(out.Links, func(i, j int) bool { return out.Links[i].Path < out.Links[j].Path })
	sort.Slice(out.Unreadable, func(i, j int) bool { return out.Unreadable[i].Path < out.Unreadable[j].Path })
	return out, nil
}

func absIn(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// scanStart is one path to scan.
type scanStart struct {
	display  string // as given
	real     string // absolute, symlinks resolved
	boundary string // for escapes
	dev      uint64 // filesystem, for OneFileSystem
}

// job is a folder to read.
type job struct {
	dir   string // absolute, real
	rel   string // relative to the start, OS separators; "" for the start
	start *scanStart
}

type scanner struct {
	opts Options
	res  *Resolver
	skip map[string]bool

	mu     sync.Mutex
	cond   *sync.Cond
	stack  []job // folders waiting; last in, first out keeps the stack small
	active int   // folders being read
}

// start checks a path to scan. It returns the folder to walk, or the link
// to report when p is a symlink that does not lead to a folder.
func (s *scanner) start(dir, p, boundary string) (*scanStart, *Link, error) {
	abs := absIn(dir, p)
	fi, err := os.Lstat(abs)
	if err != nil {
		return nil, nil, fmt.Errorf("scan %s: %w", p, unwrapPathError(err))
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if t, err := os.Stat(abs); err != nil || !t.IsDir() {
			parent, err := filepath.EvalSymlinks(filepath.Dir(abs))
			if err != nil {
				return nil, nil, fmt.Errorf("scan %s: %w", p, unwrapPathError(err))
			}
			if boundary == "" {
				boundary = parent
			}
			real := filepath.Join(parent, filepath.Base(abs))
			l := s.link(real, p, "", false, boundary)
			return nil, &l, nil
		}
	} else if !fi.IsDir() {
		return nil, nil, nil // a file holds no links
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, nil, fmt.Errorf("scan %s: %w", p, unwrapPathError(err))
	}
	st := &scanStart{display: p, real: real, boundary: boundary}
	if st.boundary == "" {
		st.boundary = real
	}
	if s.opts.OneFileSystem {
		if st.dev, err = pathDev(real); err != nil {
			return nil, nil, fmt.Errorf("scan %s: %w", p, unwrapPathError(err))
		}
	}
	return st, nil, nil
}

// link resolves the link at real (absolute, folders resolved) and
// describes it; text is its link text when the caller read it already.
func (s *scanner) link(real, shown, text string, haveText bool, boundary string) Link {
	r, text := s.res.link(real, text, haveText, nil)
	l := Link{Path: shown, Real: real, Link: text, Status: r.status, Resolved: r.path, IsDir: r.isDir,
		Absolute: filepath.IsAbs(text), Hops: r.hops, Error: r.err}
	if r.status == StatusOK && !Within(r.path, boundary) {
		l.Status = StatusEscapes
	}
	if r.status == StatusLoop {
		l.Resolved, l.Hops = "", 0
	}
	return l
}

// Within reports whether the path p is base or beneath it (both clean,
// in the platform's form).
func Within(p, base string) bool {
	if p == base {
		return true
	}
	if strings.HasSuffix(base, string(filepath.Separator)) {
		return strings.HasPrefix(p, base)
	}
	return len(p) > len(base) && p[len(base)] == filepath.Separator && strings.HasPrefix(p, base)
}

func (s *scanner) pop() (job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.stack) == 0 && s.active > 0 {
		s.cond.Wait()
	}
	if len(s.stack) == 0 {
		return job{}, false
	}
	j := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.active++
	return j, true
}

// finish pushes the folders found while reading one folder, and wakes the
// workers waiting for them (or, when everything is read, for the end).
func (s *scanner) finish(found []job) {
	s.mu.Lock()
	s.stack = append(s.stack, found...)
	s.active--
	if len(found) > 0 || (s.active == 0 && len(s.stack) == 0) {
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}

// excluded reports whether the entry name, at rel beneath its start,
// is skipped.
func (s *scanner) excluded(name, rel string, isDir bool) bool {
	if isDir && name == ".git" && !s.opts.IncludeGit {
		return true
	}
	for _, g := range s.opts.Exclude {
		subject := name
		if strings.Contains(g, "/") {
			subject = filepath.ToSlash(rel)
		}
		if ok, _ := path.Match(g, subject); ok {
			return true
		}
	}
	return false
}

// scanWorker reads folders; it keeps its findings to itself until the end.
type scanWorker struct {
	s       *scanner
	buf     []byte // for reading folders in batches
	linkBuf []byte // for readlink
	links   []Link
	errs    []Unreadable
	dirs    int
	entries int
	found   []job
}

func (w *scanWorker) run() {
	for {
		j, ok := w.s.pop()
		if !ok {
			return
		}
		w.found = w.found[:0]
		w.read(j)
		w.s.finish(w.found)
	}
}

// read lists one folder: subfolders become jobs, symlinks are resolved.
func (w *scanWorker) read(j job) {
	s := w.s
	entries, skipped, err := w.list(j.dir, j.start, func(name string, kind Kind, text string, err error) {
		rel := name
		if j.rel != "" {
			rel = j.rel + string(filepath.Separator) + name
		}
		switch kind {
		case KindDir:
			if s.excluded(name, rel, true) {
				return
			}
			sub := joinPath(j.dir, name)
			if s.skip != nil && s.skip[sub] {
				return
			}
			w.found = append(w.found, job{dir: sub, rel: rel, start: j.start})
		case KindLink:
			if s.excluded(name, rel, false) {
				return
			}
			shown := filepath.Join(j.start.display, rel)
			real := joinPath(j.dir, name)
			if err != nil {
				w.links = append(w.links, Link{Path: shown, Real: real, Status: StatusBroken, Error: "cannot read the link: " + describeErr(err)})
				return
			}
			w.links = append(w.links, s.link(real, shown, text, true, j.start.boundary))
		}
	})
	if skipped {
		return
	}
	w.dirs++
	w.entries += entries
	if err != nil {
		shown := j.start.display
		if j.rel != "" {
			shown = filepath.Join(shown, j.rel)
		}
		w.errs = append(w.errs, Unreadable{Path: shown, Err: err})
	}
}

// joinPath joins a folder and a name without cleaning (both are clean).
func joinPath(dir, name string) string {
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return dir + name
	}
	return dir + string(filepath.Separator) + name
}
