//go:build unix

package scan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// chainTree makes, under dir: a file f; a chain l1 -> f, l2 -> l1, ...,
// lN; a folder real/ holding f with folder links d1 -> real ... d20 -> d19;
// and a chain c1 -> d20/f, c2 -> c1, ..., c25 -> c24, each of whose
// resolutions follows 20 folder links besides its own chain.
func chainTree(t *testing.T, dir string, n int) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "f"), nil, 0o644))
	must(os.Mkdir(filepath.Join(dir, "real"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "real", "f"), nil, 0o644))
	prev := "f"
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("l%d", i)
		must(os.Symlink(prev, filepath.Join(dir, name)))
		prev = name
	}
	prev = "real"
	for i := 1; i <= 20; i++ {
		name := fmt.Sprintf("d%d", i)
		must(os.Symlink(prev, filepath.Join(dir, name)))
		prev = name
	}
	prev = "d20/f"
	for i := 1; i <= 25; i++ {
		name := fmt.Sprintf("c%d", i)
		must(os.Symlink(prev, filepath.Join(dir, name)))
		prev = name
	}
}

// TestScanChainsAgreeWithKernel: scan calls a link a loop exactly when the
// kernel cannot resolve it (ELOOP: more than 40 symlinks followed, folder
// links on the way included), and ok otherwise (issue 14 item 9: chains of
// 46 and 599 hops were reported ok).
func TestScanChainsAgreeWithKernel(t *testing.T) {
	dir := t.TempDir()
	chainTree(t, dir, 120)
	res, err := Scan([]string{dir}, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Links) != 120+20+25 {
		t.Fatalf("scan found %d links, want %d", len(res.Links), 120+20+25)
	}
	loops := 0
	for _, l := range res.Links {
		_, err := os.Stat(l.Path)
		kernelLoop := errors.Is(err, syscall.ELOOP)
		if err != nil && !kernelLoop {
			t.Fatalf("stat %s: %v", l.Path, err)
		}
		if kernelLoop != (l.Status == StatusLoop) {
			t.Errorf("%s: scan says %s (hops %d, %s), the kernel says %v", filepath.Base(l.Path), l.Status, l.Hops, l.Error, err)
		}
		if kernelLoop {
			loops++
		}
	}
	// l41..l120 and c21..c25 (20 folder links + the chain itself).
	if loops != 80+5 {
		t.Errorf("%d loops, want %d", loops, 85)
	}
	// Scanned again in another order (one worker, the long end first),
	// what the resolver remembers must not change the answer.
	res2, err := Scan([]string{filepath.Join(dir, "l120"), filepath.Join(dir, "l40"), dir}, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res2.Links {
		_, err := os.Stat(l.Path)
		if errors.Is(err, syscall.ELOOP) != (l.Status == StatusLoop) {
			t.Errorf("second scan: %s: scan says %s, the kernel says %v", l.Path, l.Status, err)
		}
	}
}
