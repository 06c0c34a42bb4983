package reconcile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linksdev/links/manifest"
)

// benchFreed is when a benchmark of this process last deleted a tree.
var benchFreed time.Time

// benchSettle waits, before the timer starts, until 65 s have passed since
// a benchmark of this process deleted a tree: ext4 without a journal (the
// work disk here) avoids reusing inodes freed in the last 60 s, which makes
// creating links right after a mass delete up to 20× slower
// (PLATFORM-NOTES.md). Without it, these benchmarks would time the inode
// allocator instead of apply.
func benchSettle(b *testing.B) {
	if benchFreed.IsZero() {
		return
	}
	if d := time.Until(benchFreed.Add(65 * time.Second)); d > 0 {
		b.Logf("waiting %s since the last tree was deleted (ext4 inode reuse)", d.Round(time.Second))
		time.Sleep(d)
	}
}

// applySizes are the sizes the apply benchmarks run at; -short keeps the
// small one.
func applySizes() []int {
	if testing.Short() {
		return []int{10_000}
	}
	return []int{10_000, 100_000}
}

// benchBase is a folder for every tree one benchmark makes (a fresh one
// per iteration), deleted when the benchmark ends, and no earlier: a
// delete between iterations would slow the next iteration's creates.
func benchBase(b *testing.B) string {
	b.Cleanup(func() { benchFreed = time.Now() }) // runs after TempDir's removal
	base := b.TempDir()
	benchSettle(b)
	return base
}

// freshRoot makes a new, empty root folder under base.
func freshRoot(b *testing.B, base string, k *int) string {
	b.Helper()
	root := filepath.Join(base, fmt.Sprint(*k))
	*k++
	if err := os.Mkdir(root, 0o755); err != nil {
		b.Fatal(err)
	}
	return root
}

// benchApplyTimed applies the plan of m with only reconcile.Apply timed
// (opening the root, the lock and planning are not), and checks that all
// n changes were made.
func benchApplyTimed(b *testing.B, m *manifest.Manifest, n int) {
	b.Helper()
	if res := applyPlanned(b, m, b); res.Done != n {
		b.Fatalf("%d changes made, want %d", res.Done, n)
	}
}

// BenchmarkApplyCreate is reconcile.Apply creating N links (and their 100
// folders) in a fresh root each iteration: the journal's intents, the
// symlinkat calls, the folder fsyncs and the state file. The targets are
// not created (allow_dangling), as apply does not look at them.
func BenchmarkApplyCreate(b *testing.B) {
	benchApplyFresh(b, func(b *testing.B, root string, n int) *manifest.Manifest {
		return benchManifest(root, n, false, true)
	})
}

// benchApplyFresh times, for each size n, reconcile.Apply of the manifest
// prepare makes (untimed) in a fresh root each iteration.
func benchApplyFresh(b *testing.B, prepare func(b *testing.B, root string, n int) *manifest.Manifest) {
	base := benchBase(b)
	k := 0
	for _, n := range applySizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				benchApplyTimed(b, prepare(b, freshRoot(b, base, &k), n), n)
				b.StartTimer()
			}
			perLink(b, n)
		})
	}
}

// BenchmarkApplyReplace is reconcile.Apply retargeting N existing links
// (a temporary link renamed over each) in a fresh root each iteration; the
// links to replace are made, untimed, by a first apply.
func BenchmarkApplyReplace(b *testing.B) {
	benchApplyFresh(b, func(b *testing.B, root string, n int) *manifest.Manifest {
		benchApply(b, benchManifest(root, n, false, true))
		return benchManifest(root, n, true, true)
	})
}
