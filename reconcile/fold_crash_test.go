//go:build linux

package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// A fold added to a tree turns a real folder of member links into one
// folder link; a fold removed turns it back. Readers must never see the
// folder's path missing, whenever apply is killed. These tests run the
// real binary, as the crash suite does, with a reader polling the path.

const foldFiles = 300

// foldFixture is a tree whose source holds vendor/ with foldFiles files.
type foldFixture struct {
	root string
}

func newFoldFixture(t *testing.T, dir string) *foldFixture {
	t.Helper()
	fx := &foldFixture{root: dir}
	files := map[string]string{"src/top": "file:top"}
	for i := range foldFiles {
		files[fmt.Sprintf("src/vendor/f%03d", i)] = "file:v"
	}
	mkTree(t, dir, files)
	return fx
}

func (fx *foldFixture) manifest(t *testing.T, fold bool) {
	t.Helper()
	m := "version: 1\nlinks:\n  t:\n    tree: true\n    dest: d\n    target: src\n    replace: any\n"
	if fold {
		m += "    fold: [vendor]\n"
	}
	if err := os.WriteFile(filepath.Join(fx.root, "links.yaml"), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
}

// watch polls d/vendor with lstat until stop, counting the times it was
// missing.
func (fx *foldFixture) watch() (stop func() int) {
	var missing atomic.Int64
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p := filepath.Join(fx.root, "d", "vendor")
		for !done.Load() {
			if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
				missing.Add(1)
			}
		}
	}()
	return func() int {
		done.Store(true)
		wg.Wait()
		return int(missing.Load())
	}
}

// killedApply runs links apply and SIGKILLs it after delay (it may finish
// first).
// applied writes the manifest, folded or not, and applies it.
func (fx *foldFixture) applied(t *testing.T, fold bool) {
	t.Helper()
	fx.manifest(t, fold)
	if r := runLinks(t, fx.root, "apply", "--auto-approve"); r.code != 0 {
		t.Fatalf("first apply: exit %d\n%s", r.code, r.stderr)
	}
}

// killedApplyWithin is killedApply after a random delay of up to 60ms.
func (fx *foldFixture) killedApplyWithin(t *testing.T, rng *rand.Rand) {
	t.Helper()
	fx.killedApply(t, time.Duration(rng.Int64N(int64(60*time.Millisecond))))
}

func (fx *foldFixture) killedApply(t *testing.T, delay time.Duration) {
	t.Helper()
	cmd := exec.Command(linksBinary(t), "apply", "--auto-approve")
	cmd.Dir = fx.root
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(delay, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	defer timer.Stop()
	_ = cmd.Wait()
}

// converge applies until nothing is left to do, and checks the result.
func (fx *foldFixture) converge(t *testing.T, fold bool, what string) {
	t.Helper()
	if r := runLinks(t, fx.root, "apply", "--auto-approve"); r.code != 0 {
		t.Fatalf("%s: apply after the kill: exit %d\n%s%s", what, r.code, r.stdout, r.stderr)
	}
	if r := runLinks(t, fx.root, "plan", "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("%s: plan after converging: exit %d\n%s%s", what, r.code, r.stdout, r.stderr)
	}
	p := filepath.Join(fx.root, "d", "vendor")
	text, err := os.Readlink(p)
	if fold && (err != nil || text != "../src/vendor") {
		t.Fatalf("%s: d/vendor = %q, %v; want the folder link ../src/vendor", what, text, err)
	}
	if !fold {
		if err == nil {
			t.Fatalf("%s: d/vendor is still a link to %s", what, text)
		}
		if text, err := os.Readlink(filepath.Join(p, "f000")); err != nil || text != "../../src/vendor/f000" {
			t.Fatalf("%s: d/vendor/f000 = %q, %v", what, text, err)
		}
	}
	// The source is untouched: no link was ever written into it.
	entries, err := os.ReadDir(filepath.Join(fx.root, "src", "vendor"))
	if err != nil || len(entries) != foldFiles {
		t.Fatalf("%s: src/vendor has %d entries (%v), want %d files", what, len(entries), err, foldFiles)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.Contains(e.Name(), "links-tmp") {
			t.Fatalf("%s: src/vendor/%s is not one of the source files", what, e.Name())
		}
	}
}

// TestFoldAddedNeverMissing folds a folder of member links (replace: any:
// the folder is exchanged for the folder link and kept in a backup), with
// apply killed at random moments: the path is never missing, and the next
// apply converges.
func TestFoldAddedNeverMissing(t *testing.T) {
	foldTrials(t, 0xf01d, false, func(fx *foldFixture, trial int, rng *rand.Rand) {
		stop := fx.watch()
		fx.killedApplyWithin(t, rng)
		fx.converge(t, true, fmt.Sprintf("trial %d", trial))
		if n := stop(); n > 0 {
			t.Fatalf("trial %d: d/vendor was missing %d times while the fold was made", trial, n)
		}
		backups, _ := filepath.Glob(filepath.Join(fx.root, ".links", "backups", "*", "d", "vendor", "f000"))
		if len(backups) != 1 {
			t.Errorf("trial %d: the old folder is not in a backup (found %q)", trial, backups)
		}
	})
}

// foldTrials runs LINKS_FOLD_TRIALS trials (4; 60 with LINKS_LONG=1),
// each in a fixture of its own where the manifest, folded as from says,
// is applied and then rewritten the other way; run makes the change
// (rng from the test's seed and salt).
func foldTrials(t *testing.T, salt uint64, from bool, run func(fx *foldFixture, trial int, rng *rand.Rand)) {
	t.Helper()
	trials := sizeOf(t, "LINKS_FOLD_TRIALS", 4, 60)
	rng := rand.New(rand.NewPCG(testSeed(t), salt))
	for trial := range trials {
		fx := newFoldFixture(t, filepath.Join(t.TempDir(), fmt.Sprintf("trial%d", trial)))
		fx.applied(t, from)
		fx.manifest(t, !from)
		run(fx, trial, rng)
	}
}

// TestFoldRemovedNeverMissing unfolds: apply builds the folder and its
// links aside and exchanges it with the folder link, so readers never see
// the path missing (before, it deleted the link and then made the folder:
// the reader saw the path missing 1,414 times in 10 rounds).
func TestFoldRemovedNeverMissing(t *testing.T) {
	needExchange(t)
	fx := newFoldFixture(t, t.TempDir())
	fx.applied(t, true)
	// The window is short: unfold (and fold back) a few times.
	for round := range 10 {
		fx.manifest(t, false)
		stop := fx.watch()
		fx.converge(t, false, "unfold")
		if n := stop(); n > 0 {
			t.Fatalf("round %d: d/vendor was missing %d times while it was unfolded", round, n)
		}
		fx.manifest(t, true)
		fx.converge(t, true, "fold")
	}
}

// TestFoldRemovedConverges unfolds with apply killed at random moments:
// whatever the kill left, the next apply converges to a real folder of
// member links and the source is untouched.
func TestFoldRemovedConverges(t *testing.T) {
	foldTrials(t, 0x0f01d, true, func(fx *foldFixture, trial int, rng *rand.Rand) {
		fx.killedApplyWithin(t, rng)
		fx.converge(t, false, fmt.Sprintf("trial %d", trial))
	})
}
