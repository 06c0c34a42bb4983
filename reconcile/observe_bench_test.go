package reconcile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
)

// Benchmarks of the disk-facing hot paths on real trees in b.TempDir():
// observe, plan and verify on an applied tree (read-only, one tree per
// size), and apply creating or retargeting every link (apply_bench_test.go,
// a fresh tree per iteration). cmd/linksbench times the whole command
// against the raw-syscall floor; these isolate the library. Run with
//
//	go test -run '^$' -bench . -benchmem ./reconcile

// benchID is the plan id the benchmarks use.
const benchID = "20261123T091500Z-4f2a9c"

// benchManifest declares n links under root spread over 100 folders
// (l/d00 … l/d99), each to its own target file t/dNN/fNNNNNNN, relative
// strategy, sorted by dest as manifest.Load returns them. With retarget,
// each link points at the next link's target instead, so that every link
// text changes. With dangling, the targets need not exist.
func benchManifest(root string, n int, retarget, dangling bool) *manifest.Manifest {
	m := &manifest.Manifest{File: filepath.Join(root, "links.yaml"), Root: root, StateDir: ".links", Links: make([]manifest.Link, n)}
	for i := range n {
		t := i
		if retarget {
			t = (i + 1) % n
		}
		m.Links[i] = manifest.Link{
			Name:     fmt.Sprintf("l%07d", i),
			Dest:     fmt.Sprintf("l/d%02d/f%07d", benchFolder(i, n), i),
			Target:   benchTarget(t, n),
			Strategy: manifest.Relative, Replace: manifest.ReplaceSymlink, Backup: true, Parents: true,
			AllowDangling: dangling,
		}
	}
	return m
}

func benchFolder(i, n int) int { return i * 100 / n }

func benchTarget(i, n int) string { return fmt.Sprintf("t/d%02d/f%07d", benchFolder(i, n), i) }

// benchTargets creates the n target files under root.
func benchTargets(tb testing.TB, root string, n int) {
	tb.Helper()
	for d := range 100 {
		if err := os.MkdirAll(filepath.Join(root, fmt.Sprintf("t/d%02d", d)), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(benchTarget(i, n))), nil, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// benchApply plans and applies m, failing on any error or conflict.
func benchApply(tb testing.TB, m *manifest.Manifest) {
	tb.Helper()
	applyPlanned(tb, m, nil)
}

// applyPlanned plans m and applies the plan under the lock, failing on
// any error or conflict; with timed, only the Apply is timed (the timer
// stopped before).
func applyPlanned(tb testing.TB, m *manifest.Manifest, timed *testing.B) *reconcile.Result {
	tb.Helper()
	p, r := benchPlan(tb, m)
	defer r.Close()
	lock, err := r.State.Lock(0)
	if err != nil {
		tb.Fatal(err)
	}
	defer lock.Unlock()
	if timed != nil {
		timed.StartTimer()
	}
	res, err := r.Apply(p, reconcile.ApplyOptions{})
	if timed != nil {
		timed.StopTimer()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// benchOpen opens the root of m.
func benchOpen(tb testing.TB, m *manifest.Manifest) *reconcile.Root {
	tb.Helper()
	r, err := reconcile.Open(m)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// benchPlan opens m's root and plans m; the caller closes the root.
func benchPlan(tb testing.TB, m *manifest.Manifest) (*plan.Plan, *reconcile.Root) {
	tb.Helper()
	r, err := reconcile.Open(m)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := r.Plan(m, benchID)
	if err != nil {
		r.Close()
		tb.Fatal(err)
	}
	if s := p.Summary(); s.Conflict > 0 {
		r.Close()
		tb.Fatalf("%d conflicts", s.Conflict)
	}
	return p, r
}

// benchSizes are the sizes the read-only benchmarks run at; -short keeps
// the small one.
func benchSizes() []int {
	if testing.Short() {
		return []int{10_000}
	}
	return []int{10_000, 100_000}
}

func perLink(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/link")
}

// BenchmarkApplied times the read-only paths on an applied tree of N links
// (and their N targets), built once per size:
//
//   - observe: Open + Observe + Close, what links plan does on disk: per
//     link an lstat and readlink of the dest and a stat of the target,
//     from folder handles;
//   - plan: Open + Plan (observe, the state file, Diff), all no-op;
//   - verify: Open + Verify (observe, then follow every link).
func BenchmarkApplied(b *testing.B) {
	for _, n := range benchSizes() {
		m := benchAppliedTree(b, n)
		b.Run(fmt.Sprintf("observe/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := benchOpen(b, m)
				obs, err := r.Observe(m)
				if err != nil {
					b.Fatal(err)
				}
				r.Close()
				if len(obs.Index) != n {
					b.Fatalf("%d observations", len(obs.Index))
				}
			}
			perLink(b, n)
		})
		b.Run(fmt.Sprintf("plan/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, r := benchPlan(b, m)
				r.Close()
				if p.Summary().Changed() {
					b.Fatal("the applied tree plans changes")
				}
			}
			perLink(b, n)
		})
		b.Run(fmt.Sprintf("verify/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := benchOpen(b, m)
				problems, err := r.Verify(m)
				r.Close()
				if err != nil {
					b.Fatal(err)
				}
				if len(problems) > 0 {
					b.Fatalf("%d problems, the first: %+v", len(problems), problems[0])
				}
			}
			perLink(b, n)
		})
	}
}

// benchAppliedTree builds, in a folder removed when b ends, n target files
// and the n links pointing at them (with links apply's own code), and
// returns the manifest.
func benchAppliedTree(b *testing.B, n int) *manifest.Manifest {
	b.Helper()
	// Registered before TempDir's removal, so it runs after it.
	b.Cleanup(func() { benchFreed = time.Now() })
	root := b.TempDir()
	benchTargets(b, root, n)
	m := benchManifest(root, n, false, false)
	benchApply(b, m)
	return m
}
