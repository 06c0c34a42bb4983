//go:build unix

package reconcile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// readStats counts what readers of current/data saw.
type readStats struct {
	reads   int64 // successful opens
	failed  int64 // opens that failed (the dest was missing or broken)
	wrong   int64 // opens that read something other than "a" or "b"
	readers int
	first   string // the first failure
}

func (s *readStats) add(o readStats) {
	s.reads += o.reads
	s.failed += o.failed
	s.wrong += o.wrong
	s.readers += o.readers
	if s.first == "" {
		s.first = o.first
	}
}

// readLoop opens file through the switched link until stop says so.
func readLoop(file string, stop func() bool) readStats {
	var s readStats
	buf := make([]byte, 16)
	for !stop() {
		f, err := os.Open(file)
		if err != nil {
			s.failed++
			if s.first == "" {
				s.first = err.Error()
			}
			continue
		}
		n, err := f.Read(buf)
		f.Close()
		s.reads++
		if got := string(buf[:n]); err != nil || (got != "a" && got != "b") {
			s.wrong++
			if s.first == "" {
				s.first = fmt.Sprintf("read %q, %v", got, err)
			}
		}
	}
	return s
}

// readers are goroutines and processes reading one file in tight loops.
type readers struct {
	stop   atomic.Bool
	wg     sync.WaitGroup
	mu     sync.Mutex
	stats  readStats
	procs  []*exec.Cmd
	stdins []io.WriteCloser
	outs   []*strings.Builder
}

// startReaders starts goroutines in-process and procs reader processes
// (this test binary run as TestReaderProcess) reading file.
func startReaders(t *testing.T, file string, goroutines, procs int) *readers {
	t.Helper()
	r := &readers{}
	for i := 0; i < goroutines; i++ {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			s := readLoop(file, r.stop.Load)
			s.readers = 1
			r.mu.Lock()
			r.stats.add(s)
			r.mu.Unlock()
		}()
	}
	for i := 0; i < procs; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestReaderProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "LINKS_READER_FILE="+file)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.procs, r.stdins, r.outs = append(r.procs, cmd), append(r.stdins, in), append(r.outs, out)
	}
	// Let every reader get going before anything switches.
	time.Sleep(50 * time.Millisecond)
	return r
}

// finish stops the readers and returns what they saw.
func (r *readers) finish(t *testing.T) readStats {
	t.Helper()
	r.stop.Store(true)
	r.wg.Wait()
	for i, cmd := range r.procs {
		r.stdins[i].Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("reader process: %v\n%s", err, r.outs[i])
		}
		var s readStats
		found := false
		sc := bufio.NewScanner(strings.NewReader(r.outs[i].String()))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "READER "); ok {
				if _, err := fmt.Sscanf(rest, "%d %d %d", &s.reads, &s.failed, &s.wrong); err != nil {
					t.Fatalf("reader process output %q: %v", rest, err)
				}
				if _, first, ok := strings.Cut(rest, " first="); ok {
					s.first = first
				}
				found = true
			}
		}
		if !found {
			t.Fatalf("reader process printed no result:\n%s", r.outs[i])
		}
		s.readers = 1
		r.stats.add(s)
	}
	return r.stats
}

// TestReaderProcess is a reader process for the suites above, not a test:
// with LINKS_READER_FILE set it reads that file in a loop until its stdin
// closes, then prints its counts.
func TestReaderProcess(t *testing.T) {
	file := os.Getenv("LINKS_READER_FILE")
	if file == "" {
		return
	}
	var stop atomic.Bool
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop.Store(true)
	}()
	s := readLoop(file, stop.Load)
	first := ""
	if s.first != "" {
		first = " first=" + s.first
	}
	fmt.Printf("READER %d %d %d%s\n", s.reads, s.failed, s.wrong, first)
}

// releasesTree is releases/a/data ("a"), releases/b/data ("b") and
// current -> releases/a.
func releasesTree(t *testing.T) string {
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		"releases/a/data": "file:a",
		"releases/b/data": "file:b",
		"current":         "link:releases/a",
	})
	return root
}

// readerCounts are the sizes of the reader suites: goroutines and
// processes reading, and switches made.
func readerCounts(t *testing.T, switchesShort, switchesLong int) (goroutines, procs, switches int) {
	return sizeOf(t, "LINKS_READER_GOROUTINES", 1, 2), sizeOf(t, "LINKS_READER_PROCS", 1, 2),
		sizeOf(t, "LINKS_SWITCHES", switchesShort, switchesLong)
}

// TestReadersDuringSwitches: readers open current/data in tight loops
// while apply (the library: Open, Lock, Plan, Apply) switches current
// between releases/a and releases/b. No open may fail.
//
// Short: 200 switches. LINKS_LONG=1: 100,000. LINKS_SWITCHES,
// LINKS_READER_GOROUTINES and LINKS_READER_PROCS set the sizes.
func TestReadersDuringSwitches(t *testing.T) {
	goroutines, procs, switches := readerCounts(t, 200, 100000)
	root := releasesTree(t)
	ms := [2]string{
		"version: 1\nlinks:\n  live: {dest: current, target: releases/b}\n",
		"version: 1\nlinks:\n  live: {dest: current, target: releases/a}\n",
	}
	ma, mb := parse(t, root, ms[1]), parse(t, root, ms[0])
	rd := startReaders(t, filepath.Join(root, "current", "data"), goroutines, procs)
	start := time.Now()
	for i := 0; i < switches; i++ {
		m := mb
		if i%2 == 1 {
			m = ma
		}
		r, err := Open(m)
		if err != nil {
			rd.finish(t)
			t.Fatal(err)
		}
		lock, err := r.State.Lock(0)
		if err != nil {
			rd.finish(t)
			t.Fatal(err)
		}
		p, err := r.Plan(m, newID())
		var res *Result
		if err == nil {
			res, err = r.Apply(p, ApplyOptions{})
		}
		lock.Unlock()
		r.Close()
		if err != nil || res.Done != 1 {
			rd.finish(t)
			t.Fatalf("switch %d: %v (done %v)", i, err, res)
		}
	}
	took := time.Since(start)
	s := rd.finish(t)
	how := fmt.Sprintf("by apply in %v (%v each)", took.Round(time.Millisecond), (took / time.Duration(max(switches, 1))).Round(time.Microsecond))
	s.check(t, switches, how, goroutines, procs, "during apply's switches")
}

// check logs what the readers saw during switches (how: by what and how
// fast) and fails the test when they read nothing, or saw a failed open
// or a wrong content (during: when, for the message).
func (s *readStats) check(t *testing.T, switches int, how string, goroutines, procs int, during string) {
	t.Helper()
	t.Logf("readers: %d switches %s; %d readers (%d goroutines, %d processes): %d opens, %d failed, %d wrong content",
		switches, how, s.readers, goroutines, procs, s.reads, s.failed, s.wrong)
	if s.reads == 0 {
		t.Fatal("the readers read nothing")
	}
	if s.failed > 0 || s.wrong > 0 {
		t.Errorf("readers saw %d failed opens and %d wrong contents %s; first: %s", s.failed, s.wrong, during, s.first)
	}
}

// TestReadersDuringBinarySwitches is the same with the real binary:
// `links apply --auto-approve --var release=X`, one process per switch.
//
// Short: 20 switches. LINKS_LONG=1: 2,000 (LINKS_BINARY_SWITCHES).
func TestReadersDuringBinarySwitches(t *testing.T) {
	goroutines, procs, _ := readerCounts(t, 0, 0)
	switches := sizeOf(t, "LINKS_BINARY_SWITCHES", 20, 2000)
	root := releasesTree(t)
	manifest := "version: 1\nvars: {release: a}\nlinks:\n  live: {dest: current, target: \"releases/${release}\"}\n"
	if err := os.WriteFile(filepath.Join(root, "links.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	linksBinary(t)
	rd := startReaders(t, filepath.Join(root, "current", "data"), goroutines, procs)
	start := time.Now()
	for i := 0; i < switches; i++ {
		release := "b"
		if i%2 == 1 {
			release = "a"
		}
		if r := runLinks(t, root, "apply", "--auto-approve", "--var", "release="+release); r.code != 0 || !strings.Contains(r.stdout, "1 updated") {
			rd.finish(t)
			t.Fatalf("switch %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
		}
	}
	took := time.Since(start)
	s := rd.finish(t)
	s.check(t, switches, fmt.Sprintf("by the links binary in %v", took.Round(time.Millisecond)), goroutines, procs, "during links apply")
}

// TestReadersHarnessSeesNaiveSwitches runs the same readers against the
// switch a script makes with `rm -f current && ln -s releases/X current`
// (os.Remove then os.Symlink), to show the harness sees the failures it
// guards against: there must be some.
//
// Short: 5,000 switches (more, up to 10x, until a failure is seen).
// LINKS_LONG=1: 100,000 (LINKS_NAIVE_SWITCHES).
func TestReadersHarnessSeesNaiveSwitches(t *testing.T) {
	goroutines, procs, _ := readerCounts(t, 0, 0)
	switches := sizeOf(t, "LINKS_NAIVE_SWITCHES", 5000, 100000)
	root := releasesTree(t)
	cur := filepath.Join(root, "current")
	var s readStats
	done := 0
	// Rounds of switches until a failure is seen (at most 10).
	for round := 0; round < 10 && s.failed == 0; round++ {
		rd := startReaders(t, filepath.Join(cur, "data"), goroutines, procs)
		for i := 0; i < switches; i++ {
			target := "releases/b"
			if done%2 == 1 {
				target = "releases/a"
			}
			done++
			if err := os.Remove(cur); err != nil {
				rd.finish(t)
				t.Fatal(err)
			}
			if err := os.Symlink(target, cur); err != nil {
				rd.finish(t)
				t.Fatal(err)
			}
		}
		s.add(rd.finish(t))
	}
	t.Logf("naive rm+ln: %d switches; %d readers (%d goroutines, %d processes): %d opens, %d failed (%.3f%% of opens; first: %s), %d wrong content",
		done, goroutines+procs, goroutines, procs, s.reads, s.failed, 100*float64(s.failed)/float64(max(s.reads+s.failed, 1)), s.first, s.wrong)
	if s.failed == 0 {
		t.Errorf("the harness saw no failed open during %d naive rm+ln switches: it cannot tell a safe switch from an unsafe one", done)
	}
}
