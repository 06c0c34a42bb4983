// Command linksbench measures links on trees of N symbolic links against
// the least work the job needs and against other tools, in one run.
//
// It builds the links binary from this module, generates trees and
// manifests of N links (nested: 100 folders; flat: one folder; relative
// or absolute link texts) and times, interleaved (every tool once per
// repetition, on fresh folders), median of the repetitions:
//
//   - links apply --auto-approve creating N links, links plan on the
//     applied tree (all no-op), links verify, links scan, and links apply
//     replacing all N (every link retargeted);
//   - the raw-syscall floor: symlinkat, temporary link + renameat, and
//     fstatat + readlinkat on folder handles with two workers, with and
//     without one fsync per folder; and yaml.v3 parsing the same manifest
//     into a yaml.Node (the floor for loading it);
//   - ln -sfn in a loop (timed on a sample of links and extrapolated to N),
//     GNU Stow creating the same number of links and stow -R (a no-op),
//     and find -xtype l next to links scan;
//   - with --scan-tree N, links scan (also -o json and --workers 1) and
//     find -xtype l on a tree of N symlinks among nine times as many files,
//     of every status (broken, loops, chains, escaping; scantree.go).
//
// Links are only created in a phase where nothing is deleted: on ext4
// without a journal, creating inodes soon after freeing many is slowed for
// a minute (PLATFORM-NOTES.md). Used trees are moved aside and deleted at
// the end. Ratios compare medians from the same run.
//
// Usage:
//
//	go run ./cmd/linksbench [--sizes 10000,100000] [--large 1000000] [--reps 5]
//	                        [--scan-tree 100000] [--json FILE] [--svg FILE] [--quick]
//
// --quick is a small smoke run for CI: seconds, and it fails only on
// errors, never on timings.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// workers is how many goroutines the floor uses: two, like links' observe
// on these 2-core machines.
const workers = 2

type config struct {
	sizes          []int
	large          []int
	reps           int
	largeReps      int
	scanTree       []int
	scenarios      []scenario
	lnSample       int
	workDir        string
	keep           bool
	linksBin       string
	jsonFile       string
	svgFile        string
	settle         time.Duration
	quick          bool
	quickstartReps int
	noStow         bool
	noTrees        bool
	nice           int
	rev            string
	replot         []string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fl := flag.NewFlagSet("linksbench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	sizes := fl.String("sizes", "10000,100000", "`N,N,...` link counts to run every tool at")
	large := fl.String("large", "", "`N,N,...` link counts to run only links plan and verify (and their floors) at, on one tree built by one links apply (e.g. 1000000)")
	reps := fl.Int("reps", 5, "repetitions of every tool at each size (medians are quoted)")
	largeReps := fl.Int("large-reps", 3, "repetitions at the --large sizes")
	scanTree := fl.String("scan-tree", "", "`N,N,...` symlink counts (multiples of 1000) of scan trees to time links scan and find -xtype l on: N symlinks of every status among 9N files (100000: 1,000,100 entries)")
	scen := fl.String("scenarios", "nested-relative,flat-relative,nested-absolute", "`LIST` of layouts: nested-relative, nested-absolute, flat-relative, flat-absolute (Stow runs on the first of nested-relative or the first listed)")
	lnSample := fl.Int("ln-sample", 500, "how many links the ln -sfn loop makes (the time is extrapolated to N)")
	workDir := fl.String("work", os.TempDir(), "`DIR` under which to make the trees (it must be on the filesystem to measure)")
	keep := fl.Bool("keep", false, "keep the trees (otherwise deleted at the end)")
	linksBin := fl.String("links", "", "use this links `BINARY` instead of building ./cmd/links")
	replot := fl.String("replot", "", "`FILES`: merge these --json reports (comma-separated; later files win) and print, check and plot them, measuring nothing")
	rev := fl.String("rev", "", "build links from this git `REVISION` of the module (git archive) instead of the working tree, so the figures belong to a commit")
	jsonFile := fl.String("json", "", "write the results as JSON to `FILE`")
	svgFile := fl.String("svg", "", "write a log-log plot of time against N to `FILE`")
	settle := fl.Duration("settle", 65*time.Second, "before creating links, and before each repetition of the replace phase, wait this long after the last mass replace (ext4 without a journal avoids inodes freed in the last 60 s)")
	quick := fl.Bool("quick", false, "smoke run: 1,000 links, one repetition, one scenario, a scan tree of 1,000 symlinks, no waiting (seconds)")
	qsReps := fl.Int("quickstart-reps", 21, "runs of links plan on the quickstart example")
	noStow := fl.Bool("no-stow", false, "skip GNU Stow even when installed")
	noTrees := fl.Bool("no-trees", false, "skip the tree rows (issue 17), e.g. with -rev of a links that has no trees")
	nice := fl.Int("nice", 0, "run at this scheduling priority, inherited by every tool timed (e.g. -10 on a shared machine; negative needs root)")
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	if fl.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fl.Arg(0))
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick {
		def := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		def("sizes", func() { *sizes = "1000" })
		def("scan-tree", func() { *scanTree = "1000" })
		def("reps", func() { *reps = 1 })
		def("scenarios", func() { *scen = "nested-relative" })
		def("ln-sample", func() { *lnSample = 20 })
		def("settle", func() { *settle = 0 })
		def("quickstart-reps", func() { *qsReps = 5 })
	}
	cfg := &config{reps: *reps, largeReps: *largeReps, lnSample: *lnSample, workDir: *workDir, keep: *keep,
		linksBin: *linksBin, jsonFile: *jsonFile, svgFile: *svgFile, settle: *settle, quick: *quick,
		quickstartReps: *qsReps, noStow: *noStow, noTrees: *noTrees, nice: *nice, rev: *rev}
	if *replot != "" {
		cfg.replot = strings.Split(*replot, ",")
	}
	var err error
	if cfg.sizes, err = parseSizes(*sizes); err != nil {
		return nil, fmt.Errorf("--sizes: %w", err)
	}
	if cfg.large, err = parseSizes(*large); err != nil {
		return nil, fmt.Errorf("--large: %w", err)
	}
	if cfg.scanTree, err = parseSizes(*scanTree); err != nil {
		return nil, fmt.Errorf("--scan-tree: %w", err)
	}
	for _, n := range cfg.scanTree {
		if n%(scanLeaves*scanLeafLinks) != 0 {
			return nil, fmt.Errorf("--scan-tree: %d: want a multiple of %d symlinks", n, scanLeaves*scanLeafLinks)
		}
	}
	for _, v := range strings.Split(*scen, ",") {
		s, err := parseScenario(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("--scenarios: %w", err)
		}
		cfg.scenarios = append(cfg.scenarios, s)
	}
	if cfg.reps < 1 || cfg.largeReps < 1 || cfg.lnSample < 1 {
		return nil, errors.New("--reps, --large-reps and --ln-sample must be at least 1")
	}
	return cfg, nil
}

func parseSizes(v string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(strings.ReplaceAll(f, "_", ""))
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 100 {
			return nil, fmt.Errorf("%q: want a whole number of links, at least 100", f)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "linksbench: %v\n", err)
		return 2
	}
	b := &bench{cfg: cfg, stdout: stdout, stderr: stderr, start: time.Now()}
	if len(cfg.replot) > 0 {
		if err := b.replot(cfg.replot); err != nil {
			fmt.Fprintf(stderr, "linksbench: %v\n", err)
			return 1
		}
		return 0
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		b.logf("%v: stopping", s)
		if b.restoreNice != nil {
			b.restoreNice()
		}
		b.cleanup()
		os.Exit(130)
	}()
	err = b.run()
	if cerr := b.cleanup(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "linksbench: %v\n", err)
		return 1
	}
	return 0
}

// bench is one run.
type bench struct {
	cfg    *config
	stdout io.Writer
	stderr io.Writer
	start  time.Time
	rep    *Report

	module string // the links module's folder
	links  string // the links binary
	work   string // this run's folder: trees, binary, trash
	trash  string // used trees, deleted at the very end

	scan, stow, find, ln bool // optional tools found (and still working)

	lastFree time.Time // end of the last phase that freed many inodes

	restoreNice func() // undoes --nice where it outlives the process
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.stderr, "[%6.1fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}

func (b *bench) run() error {
	cfg := b.cfg
	b.rep = &Report{Started: b.start, Reps: cfg.reps, Workers: workers, Sizes: cfg.sizes, LargeSizes: cfg.large, ScanTreeSizes: cfg.scanTree}
	for _, s := range cfg.scenarios {
		b.rep.Scenarios = append(b.rep.Scenarios, s.String())
	}
	if err := os.MkdirAll(cfg.workDir, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp(cfg.workDir, "linksbench-")
	if err != nil {
		return err
	}
	b.work = work
	b.trash = filepath.Join(work, "trash")
	if err := os.Mkdir(b.trash, 0o755); err != nil {
		return err
	}
	if err := b.findLinks(); err != nil {
		return err
	}
	if cfg.nice != 0 {
		restore, err := setNice(cfg.nice)
		b.restoreNice = restore
		defer restore()
		if err != nil {
			return fmt.Errorf("--nice %d: %w", cfg.nice, err)
		}
		b.rep.Nice, b.rep.NiceScope = cfg.nice, niceScope
	}
	b.detectTools()
	b.describeHost()
	b.rep.Host.LoadBefore = loadAverage()
	b.logf("work folder %s; links %s; load %s", b.work, b.links, b.rep.Host.LoadBefore)
	if !floorSupported {
		b.rep.note("the raw-syscall floor needs Unix; its rows are skipped")
	}

	for _, n := range cfg.sizes {
		if err := b.runSize(n); err != nil {
			return err
		}
	}
	for _, n := range cfg.large {
		if err := b.runLarge(n); err != nil {
			return err
		}
	}
	for _, n := range cfg.scanTree {
		if err := b.runScanTree(n); err != nil {
			return err
		}
	}
	if err := b.runQuickstart(); err != nil {
		return err
	}
	b.rep.Host.LoadAfter = loadAverage()
	b.rep.Duration = time.Since(b.start).Round(time.Second).String()
	b.evalTargets()
	b.printReport(b.stdout)
	if cfg.jsonFile != "" {
		if err := b.rep.writeJSON(cfg.jsonFile); err != nil {
			return err
		}
		b.logf("wrote %s", cfg.jsonFile)
	}
	if cfg.svgFile != "" {
		if err := writeSVG(cfg.svgFile, b.rep, b.mainScenario()); err != nil {
			return err
		}
		b.logf("wrote %s", cfg.svgFile)
	}
	return nil
}

// cleanup deletes this run's folder (trees, trash, binary) unless --keep.
func (b *bench) cleanup() error {
	if b.work == "" {
		return nil
	}
	if b.cfg.keep {
		b.logf("kept %s", b.work)
		return nil
	}
	b.logf("deleting %s", b.work)
	return os.RemoveAll(b.work)
}

// findLinks builds the links binary from the module containing the
// working folder, unless --links names one.
func (b *bench) findLinks() error {
	if b.cfg.linksBin != "" {
		p, err := filepath.Abs(b.cfg.linksBin)
		b.links = p
		mod, _ := moduleRoot()
		b.module = mod
		return err
	}
	mod, err := moduleRoot()
	if err != nil {
		return err
	}
	b.module = mod
	b.links = filepath.Join(b.work, "bin", "links")
	if runtime.GOOS == "windows" {
		b.links += ".exe"
	}
	src := mod
	if b.cfg.rev != "" {
		// An export of the revision, built outside the working tree (which
		// other people may be editing).
		src = filepath.Join(b.work, "src")
		if err := os.Mkdir(src, 0o755); err != nil {
			return err
		}
		b.logf("git archive %s", b.cfg.rev)
		archive := exec.Command("git", "-C", mod, "archive", "--format=tar", b.cfg.rev)
		extract := exec.Command("tar", "-x", "-C", src)
		pipe, err := archive.StdoutPipe()
		if err != nil {
			return err
		}
		extract.Stdin = pipe
		archive.Stderr, extract.Stderr = b.stderr, b.stderr
		if err := extract.Start(); err != nil {
			return fmt.Errorf("tar: %w", err)
		}
		if err := archive.Run(); err != nil {
			return fmt.Errorf("git archive %s: %w", b.cfg.rev, err)
		}
		if err := extract.Wait(); err != nil {
			return fmt.Errorf("tar: %w", err)
		}
	}
	b.logf("go build ./cmd/links")
	cmd := exec.Command("go", "build", "-o", b.links, "./cmd/links")
	cmd.Dir = src
	cmd.Stderr = b.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/links: %w", err)
	}
	return nil
}

// moduleRoot finds the links module from the working folder upwards.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/linksdev/links\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run linksbench inside the links module (or pass --links BINARY)")
		}
		dir = parent
	}
}

// detectTools finds the optional tools.
func (b *bench) detectTools() {
	if _, err := command(b.work, nil, b.links, "scan", "--help"); err == nil {
		b.scan = true
	} else {
		b.rep.note("links has no scan command in this build; its row is skipped")
	}
	if _, err := exec.LookPath("ln"); err == nil {
		b.ln = true
		b.rep.Host.Ln = firstLine("ln", "--version")
	} else {
		b.rep.note("ln not found; its rows are skipped")
	}
	if _, err := exec.LookPath("find"); err == nil {
		b.find = true
	}
	switch _, err := exec.LookPath("stow"); {
	case b.cfg.noStow:
		b.rep.note("GNU Stow skipped (--no-stow)")
	case err != nil:
		b.rep.note("GNU Stow is not installed (Debian: apt-get install stow); its rows are skipped")
	default:
		b.stow = true
		b.rep.Host.Stow = firstLine("stow", "--version")
	}
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

func (b *bench) describeHost() {
	h := &b.rep.Host
	h.GoVersion = runtime.Version()
	h.OS = runtime.GOOS + "/" + runtime.GOARCH
	h.CPUs = runtime.NumCPU()
	h.Kernel = firstLine("uname", "-sr")
	if out, err := exec.Command("df", "-T", b.work).Output(); err == nil {
		if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) == 2 {
			if f := strings.Fields(lines[1]); len(f) > 1 {
				h.Filesystem = f[1]
			}
		}
	}
	switch {
	case b.module == "":
	case b.cfg.rev != "":
		h.LinksCommit = firstLine("git", "-C", b.module, "rev-parse", "--short", b.cfg.rev+"^{commit}")
	default:
		rev := firstLine("git", "-C", b.module, "rev-parse", "--short", "HEAD")
		if out, err := exec.Command("git", "-C", b.module, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(out) > 0 {
			rev += " plus the working tree's uncommitted changes"
		}
		h.LinksCommit = rev
	}
}

// loadAverage is the uptime line's load averages.
func loadAverage() string {
	s := firstLine("uptime")
	if i := strings.Index(s, "load average"); i >= 0 {
		return s[i:]
	}
	return s
}

// sampleLoad records the load average at a point of the run.
func (b *bench) sampleLoad(when string) {
	b.rep.Host.Load = append(b.rep.Host.Load, when+": "+loadAverage())
}

// timed runs f after flushing pending writes, and records its sample.
func (b *bench) timed(t *tree, tool string, f func() (sample, error)) error {
	syncAll()
	s, err := f()
	if err != nil {
		return fmt.Errorf("%s, %d links, %s: %w", tool, t.N, t.Scenario, err)
	}
	b.rep.result(t.N, t.Scenario.String(), tool).add(s)
	b.logf("  %-26s %-16s %10s", tool, t.Scenario, fmtDur(s.Wall))
	return nil
}

// optional is timed for tools that may be missing or still being built:
// an error disables the tool with a note instead of ending the run.
func (b *bench) optional(t *tree, tool string, on *bool, f func() (sample, error)) {
	if !*on {
		return
	}
	if err := b.timed(t, tool, f); err != nil {
		*on = false
		b.rep.note("%s failed, skipped from then on: %v", tool, err)
		b.logf("  %s failed, skipped from then on: %v", tool, err)
	}
}

// linksCmd runs links in t's root.
func (b *bench) linksCmd(t *tree, ok []int, args ...string) func() (sample, error) {
	return func() (sample, error) { return command(t.Root, ok, b.links, args...) }
}

// floor runs one in-process floor operation on the links of kind.
func floor(f func() error) func() (sample, error) {
	return func() (sample, error) { return measure(f) }
}

// yamlParse is the floor for loading a manifest: read it and parse it
// into a yaml.Node, nothing more.
func yamlParse(file string) func() error {
	return func() error {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		var n yaml.Node
		return yaml.Unmarshal(data, &n)
	}
}

// waitSettled waits until --settle has passed since the last phase or
// repetition that freed many inodes, so that the links made next are not
// measured against ext4's avoidance of recently freed inodes. Without a
// journal, ext4 skips an inode freed in the last 60 s (360 s while its
// inode table block is not written back) when it looks for a free one,
// scanning past each from the start of the group for every new inode: in
// the replace phase, links' repetitions that followed the floors' 300,000
// frees spent 17-20% of their CPU time in that scan (perf, 100,000
// links), its first repetition 3%, as did its creates.
func (b *bench) waitSettled() {
	if b.lastFree.IsZero() || b.cfg.settle <= 0 {
		return
	}
	if d := time.Until(b.lastFree.Add(b.cfg.settle)); d > 0 {
		b.logf("waiting %s after the last mass replace before making links (ext4 inode reuse, see --settle)", d.Round(time.Second))
		time.Sleep(d)
	}
}

func (b *bench) newTree(s scenario, n int) (*tree, error) {
	root := filepath.Join(b.work, fmt.Sprintf("%s%d", s.short(), n))
	if err := os.Mkdir(root, 0o755); err != nil {
		return nil, err
	}
	return newTree(root, s, n), nil
}

// stowOn reports whether Stow runs on t: on the main scenario only (it
// only makes relative links, and a Stow package of N files per scenario
// costs inodes and minutes).
func (b *bench) stowOn(t *tree) bool { return b.stow && t.Scenario == b.mainScenarioValue() }

// runSize measures every tool at n links, on every scenario.
func (b *bench) runSize(n int) error {
	cfg := b.cfg
	b.logf("== %d links: setting up %d scenario(s) × %d repetition(s)", n, len(cfg.scenarios), cfg.reps)
	b.sampleLoad(fmt.Sprintf("%s links, setup", count(n)))
	var trees []*tree
	for _, s := range cfg.scenarios {
		t, err := b.newTree(s, n)
		if err != nil {
			return err
		}
		trees = append(trees, t)
		if err := t.writeTargets(); err != nil {
			return err
		}
		if b.stowOn(t) {
			if err := t.writeStowPackage(); err != nil {
				return err
			}
		}
		for r := range cfg.reps {
			if err := t.writeManifests(r); err != nil {
				return err
			}
			for _, kind := range []string{"floor", "floorsync", "floorsyncfs", "ln", "stowt"} {
				if err := t.mkdirs(r, kind); err != nil {
					return err
				}
			}
		}
	}
	// The setup's files and folders (the targets, the Stow package) are
	// written back before anything is timed, so that the kernel does not
	// write them back during the first repetition, whose first tool is
	// links (floorFirst). In four full runs at 3e14569 without this, the
	// tree apply's first repetition at 10,000 was the slowest of three in
	// all four (189, 180, 139, 153 ms; 153 tied), in one of four with it
	// (db3f404: 154, 128, 146, 133 ms); whether the writeback was why was
	// not measured.
	syncAll()
	b.waitSettled()

	phases := []struct {
		name string
		rep  func(t *tree, r int) error
		// frees: the phase frees one inode per link, so each repetition
		// starts settled (no tool makes its new links against ext4's
		// scan past the inodes the one before freed; see waitSettled),
		// and the next size's creates wait for its end.
		frees bool
	}{
		// Creations first, for every repetition: nothing is freed in this phase.
		{"create", b.createRep, false},
		// Then the read-only tools on the applied trees.
		{"read", b.readRep, false},
		// Replacing frees one inode per link: last.
		{"replace", b.replaceRep, true},
	}
	for _, ph := range phases {
		for r := range cfg.reps {
			b.logf("-- %d links, %s, repetition %d/%d", n, ph.name, r+1, cfg.reps)
			if r == 0 {
				b.sampleLoad(fmt.Sprintf("%s links, %s phase", count(n), ph.name))
			}
			if ph.frees {
				b.waitSettled()
			}
			for _, t := range trees {
				if err := ph.rep(t, r); err != nil {
					return err
				}
			}
			if ph.frees {
				syncAll()
				b.lastFree = time.Now()
			}
		}
	}
	for _, t := range trees {
		if err := b.moveAside(t); err != nil {
			return err
		}
	}
	return nil
}

// floorFirst says whether repetition r runs the floors before links: odd
// repetitions do, so that whatever the first writer into fresh folders
// pays (ext4 initialising inode tables and bitmaps of groups not used
// before) does not always fall on the same tool.
func floorFirst(r int) bool { return r%2 == 1 }

// linksAndFloors times links apply of repetition r's manifest (with
// retarget, the one that points every link elsewhere: replaces) and the
// floors doing the same with and without folder fsyncs, in the order
// floorFirst gives, and checks the links each one made.
func (b *bench) linksAndFloors(t *tree, r int, retarget bool) error {
	applyTool, floorTool, floorSyncTool, want, floorOp := toolApply, toolCreate, toolCreateSync, t.Target, floorCreate
	if retarget {
		applyTool, floorTool, floorSyncTool, want, floorOp = toolReplace, toolReplaceFl, toolReplaceFlSync, t.Retarget, floorReplace
	}
	apply := func() error {
		if err := b.timed(t, applyTool, b.linksCmd(t, nil, "apply", "--auto-approve", "-f", t.Manifest(r, retarget))); err != nil {
			return err
		}
		return t.checkLinks(r, "l", want, nil)
	}
	floors := func() error {
		if !floorSupported {
			return nil
		}
		for _, fsync := range []bool{false, true} {
			kind, tool := "floor", floorTool
			if fsync {
				kind, tool = "floorsync", floorSyncTool
			}
			ls := t.links(r, kind, retarget)
			if err := b.timed(t, tool, floor(func() error { return floorOp(ls, workers, fsync) })); err != nil {
				return err
			}
			if err := t.checkLinks(r, kind, want, nil); err != nil {
				return err
			}
		}
		if !retarget && floorSyncFSSupported {
			// The same links made durable with one syncfs, as links
			// apply does on ext2/3/4 without a journal (reported beside
			// the floor).
			ls := t.links(r, "floorsyncfs", false)
			if err := b.timed(t, toolCreateSyncFS, floor(func() error { return floorCreateSyncFS(ls, workers) })); err != nil {
				return err
			}
			if err := t.checkLinks(r, "floorsyncfs", want, nil); err != nil {
				return err
			}
		}
		if retarget && floorExchangeSupported {
			// The same links as the plain floor's, pointed at the same
			// texts again, with the system calls links makes.
			ls := t.links(r, "floor", retarget)
			if err := b.timed(t, toolReplaceExSync, floor(func() error { return floorReplaceExchange(ls, workers, true) })); err != nil {
				return err
			}
			if err := t.checkLinks(r, "floor", want, nil); err != nil {
				return err
			}
		}
		return nil
	}
	first, second := apply, floors
	if floorFirst(r) {
		first, second = floors, apply
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}

func (b *bench) createRep(t *tree, r int) error {
	if err := b.linksAndFloors(t, r, false); err != nil {
		return err
	}
	if !b.cfg.noTrees {
		tree := func() error {
			if err := b.timed(t, toolTreeApply, b.linksCmd(t, nil, "apply", "--auto-approve", "-f", t.TreeManifest(r))); err != nil {
				return err
			}
			return t.checkLinks(r, "tl", t.Target, nil)
		}
		// The same links into folders the floor makes, as the tree apply
		// does (reported beside the floor), in the order
		// floorFirst gives.
		mk := func() error {
			if !floorSupported {
				return nil
			}
			ls := t.links(r, "floormk", false)
			if err := b.timed(t, toolCreateMkSync, floor(func() error { return floorCreateMkdir(ls, t.abs(t.Rep(r)+"/floormk"), workers) })); err != nil {
				return err
			}
			return t.checkLinks(r, "floormk", t.Target, nil)
		}
		first, second := tree, mk
		if floorFirst(r) {
			first, second = mk, tree
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
	}
	if b.ln {
		b.optional(t, toolLnCreate, &b.ln, func() (sample, error) { return b.lnLoop(t, r, false) })
	}
	if b.stowOn(t) {
		b.optional(t, toolStow, &b.stow, b.stowCmd(t, r, false))
		if b.stow {
			if err := t.checkLinks(r, "stowt", t.StowTarget, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *bench) readRep(t *tree, r int) error {
	manifest := t.Manifest(r, false)
	if err := b.timed(t, toolPlan, b.linksCmd(t, nil, "plan", "--detailed-exitcode", "-f", manifest)); err != nil {
		return err
	}
	if floorSupported {
		ls := t.links(r, "l", false)
		if err := b.timed(t, toolObserve, floor(func() error { return floorObserve(ls, workers) })); err != nil {
			return err
		}
	}
	if !b.cfg.noTrees {
		if err := b.timed(t, toolTreePlan, b.linksCmd(t, nil, "plan", "--detailed-exitcode", "-f", t.TreeManifest(r))); err != nil {
			return err
		}
	}
	if err := b.timed(t, toolYAML, floor(yamlParse(t.abs(manifest)))); err != nil {
		return err
	}
	if err := b.timed(t, toolVerify, b.linksCmd(t, nil, "verify", "-f", manifest)); err != nil {
		return err
	}
	links := t.Rep(r) + "/l"
	b.optional(t, toolScan, &b.scan, b.linksCmd(t, nil, "scan", "--root", t.Root, links))
	b.optional(t, toolFind, &b.find, func() (sample, error) { return command(t.Root, nil, "find", links, "-xtype", "l") })
	if b.stowOn(t) {
		b.optional(t, toolRestow, &b.stow, b.stowCmd(t, r, true))
		b.optional(t, toolStowN, &b.stow, b.stowDryRun(t, r))
	}
	return nil
}

// stowDryRun is stow -n of the package into repetition r's folder, where
// it is stowed already: what Stow does to show what it would change.
func (b *bench) stowDryRun(t *tree, r int) func() (sample, error) {
	args := []string{"-n", "--no-folding", "-d", t.abs(StowDir), "-t", t.abs(t.Rep(r) + "/stowt"), "pkg"}
	return func() (sample, error) { return command(t.Root, nil, "stow", args...) }
}

func (b *bench) replaceRep(t *tree, r int) error {
	if err := b.linksAndFloors(t, r, true); err != nil {
		return err
	}
	if b.ln {
		b.optional(t, toolLnReplace, &b.ln, func() (sample, error) { return b.lnLoop(t, r, true) })
	}
	return nil
}

// lnLoop runs ln -sfn once per sampled link (each a process, as in a shell
// loop) and scales the total to N links.
func (b *bench) lnLoop(t *tree, r int, retarget bool) (sample, error) {
	idx := t.sample(b.cfg.lnSample)
	var sum sample
	for _, i := range idx {
		dest := t.Dest(r, "ln", i)
		target := t.Target(i)
		if retarget {
			target = t.Retarget(i)
		}
		s, err := command(t.Root, nil, "ln", "-sfn", t.Text(dest, target), dest)
		if err != nil {
			return sample{}, err
		}
		sum.Wall += s.Wall
		sum.CPU += s.CPU
	}
	want := t.Target
	if retarget {
		want = t.Retarget
	}
	if err := t.checkLinks(r, "ln", want, idx[:min(len(idx), 50)]); err != nil {
		return sample{}, err
	}
	tool := toolLnCreate
	if retarget {
		tool = toolLnReplace
	}
	res := b.rep.result(t.N, t.Scenario.String(), tool)
	res.Extrapolated, res.SampleLinks = true, len(idx)
	scale := func(d time.Duration) time.Duration {
		return time.Duration(float64(d) * float64(t.N) / float64(len(idx)))
	}
	return sample{Wall: scale(sum.Wall), CPU: scale(sum.CPU)}, nil
}

// stowCmd stows the package into repetition r's folder (restow: -R).
// --no-folding makes Stow create every link (and the folders) instead of
// one link per folder, so it makes the same N links as the others.
func (b *bench) stowCmd(t *tree, r int, restow bool) func() (sample, error) {
	args := []string{"--no-folding", "-d", t.abs(StowDir), "-t", t.abs(t.Rep(r) + "/stowt")}
	if restow {
		args = append(args, "-R")
	}
	args = append(args, "pkg")
	return func() (sample, error) { return command(t.Root, nil, "stow", args...) }
}

// runLarge measures links plan and verify (and their floors) at n links
// on one tree made by one links apply, which is timed once too, as is the
// create floor beside it.
func (b *bench) runLarge(n int) error {
	b.logf("== %d links (large: plan and verify only): setting up", n)
	b.sampleLoad(fmt.Sprintf("%s links, setup", count(n)))
	t, err := b.newTree(b.mainScenarioValue(), n)
	if err != nil {
		return err
	}
	if err := t.writeTargets(); err != nil {
		return err
	}
	if err := t.writeManifest(0, false); err != nil {
		return err
	}
	if err := t.writeTreeManifest(0); err != nil {
		return err
	}
	if floorSupported {
		if err := t.mkdirs(0, "floorsync"); err != nil {
			return err
		}
	}
	b.waitSettled()
	if err := b.timed(t, toolApply, b.linksCmd(t, nil, "apply", "--auto-approve", "-f", t.Manifest(0, false))); err != nil {
		return err
	}
	b.rep.result(n, t.Scenario.String(), toolApply).Note = "one run (the large tree is built once)"
	if err := t.checkLinks(0, "l", t.Target, nil); err != nil {
		return err
	}
	// The same links from one tree entry, beside them, for the tree plan.
	if err := b.timed(t, toolTreeApply, b.linksCmd(t, nil, "apply", "--auto-approve", "-f", t.TreeManifest(0))); err != nil {
		return err
	}
	b.rep.result(n, t.Scenario.String(), toolTreeApply).Note = "one run (the large tree is built once)"
	if err := t.checkLinks(0, "tl", t.Target, nil); err != nil {
		return err
	}
	// The floor, once, so that the apply's cost per link at this size can
	// be told apart from the filesystem's (folders ten times fuller).
	if floorSupported {
		ls := t.links(0, "floorsync", false)
		if err := b.timed(t, toolCreateSync, floor(func() error { return floorCreate(ls, workers, true) })); err != nil {
			return err
		}
		b.rep.result(n, t.Scenario.String(), toolCreateSync).Note = "one run, after links apply"
		if err := t.checkLinks(0, "floorsync", t.Target, nil); err != nil {
			return err
		}
	}
	ls := t.links(0, "l", false)
	for r := range b.cfg.largeReps {
		b.logf("-- %d links, read, repetition %d/%d", n, r+1, b.cfg.largeReps)
		manifest := t.Manifest(0, false)
		if err := b.timed(t, toolPlan, b.linksCmd(t, nil, "plan", "--detailed-exitcode", "-f", manifest)); err != nil {
			return err
		}
		if floorSupported {
			if err := b.timed(t, toolObserve, floor(func() error { return floorObserve(ls, workers) })); err != nil {
				return err
			}
		}
		if err := b.timed(t, toolYAML, floor(yamlParse(t.abs(manifest)))); err != nil {
			return err
		}
		if err := b.timed(t, toolVerify, b.linksCmd(t, nil, "verify", "-f", manifest)); err != nil {
			return err
		}
		if err := b.timed(t, toolTreePlan, b.linksCmd(t, nil, "plan", "--detailed-exitcode", "-f", t.TreeManifest(0))); err != nil {
			return err
		}
	}
	return b.moveAside(t)
}

// runQuickstart times links plan on a copy of examples/quickstart, and a
// bare process start for reference.
func (b *bench) runQuickstart() error {
	if b.module == "" {
		b.rep.note("quickstart not measured: the module folder is unknown")
		return nil
	}
	dir := filepath.Join(b.work, "quickstart")
	if err := copyTree(filepath.Join(b.module, "examples", "quickstart"), dir); err != nil {
		return fmt.Errorf("copy the quickstart: %w", err)
	}
	t := &tree{Scenario: scenario{}, N: 4, Root: dir}
	b.logf("== quickstart")
	truePath, trueErr := exec.LookPath("true")
	for range b.cfg.quickstartReps {
		s, err := command(dir, nil, b.links, "plan")
		if err != nil {
			return fmt.Errorf("quickstart: %w", err)
		}
		b.rep.result(t.N, "quickstart", toolQuickstart).add(s)
		if trueErr == nil {
			if s, err := command(dir, nil, truePath); err == nil {
				b.rep.result(t.N, "quickstart", toolTrue).add(s)
			}
		}
	}
	b.logf("  %-26s %10s", toolQuickstart, fmtDur(b.rep.get(t.N, "quickstart", toolQuickstart).median()))
	return nil
}

// copyTree copies the folder src (files, folders and symlinks) to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			text, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(text, to)
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
}

// moveAside renames a used tree into the trash (deleted at the very end):
// deleting it now would slow the next creations.
func (b *bench) moveAside(t *tree) error {
	return os.Rename(t.Root, filepath.Join(b.trash, filepath.Base(t.Root)))
}

// mainScenarioValue is the scenario the targets are checked on: the
// issue's (100 folders, relative) when measured, else the first.
func (b *bench) mainScenarioValue() scenario {
	for _, s := range b.cfg.scenarios {
		if s == (scenario{Nested: true}) {
			return s
		}
	}
	return b.cfg.scenarios[0]
}

func (b *bench) mainScenario() string { return b.mainScenarioValue().String() }
