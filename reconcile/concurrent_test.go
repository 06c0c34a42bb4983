//go:build unix

package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// concurrentTree makes the shared targets and a manifest per apply
// (manifests[k] is written to root/<names[k]>); it returns the manifest
// file names.
func concurrentTree(t *testing.T, root string, manifests []string) []string {
	t.Helper()
	mkTree(t, root, map[string]string{"releases/a/v": "file:a", "releases/b/v": "file:b"})
	names := make([]string, len(manifests))
	for k, m := range manifests {
		names[k] = fmt.Sprintf("links-%d.yaml", k)
		if err := os.WriteFile(filepath.Join(root, names[k]), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// applyAll starts one `links apply --auto-approve` per args at once and
// returns their runs.
func applyAll(t *testing.T, root string, args [][]string) []run {
	t.Helper()
	runs := make([]run, len(args))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for k := range args {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			runs[k] = runLinks(t, root, append([]string{"apply", "--auto-approve"}, args[k]...)...)
		}()
	}
	close(start)
	wg.Wait()
	return runs
}

// checkSerialized asserts the journal parses line by line, every apply in
// it has a begin and an end and an outcome for every intent, and no two
// applies' records interleave (the lock serialized them).
func checkSerialized(t *testing.T, root string) journalReport {
	t.Helper()
	jr := readJournalFile(t, root)
	if len(jr.bad) > 0 || jr.tornTail {
		t.Errorf("journal: %d lines do not parse (torn tail %v): %q", len(jr.bad), jr.tornTail, jr.bad)
	}
	jr.checkComplete(t)
	for i, a := range jr.applies {
		if a.last-a.first+1 != a.records {
			// Lines of another apply sit between this one's first and last.
			t.Errorf("journal: apply %s spans lines %d-%d but has %d records: applies interleaved", a.id, a.first, a.last, a.records)
		}
		if i > 0 && jr.applies[i-1].last > a.first {
			t.Errorf("journal: apply %s starts at line %d, before apply %s ends at line %d", a.id, a.first, jr.applies[i-1].id, jr.applies[i-1].last)
		}
	}
	return jr
}

func manyLinks(n int, folder, target string) string {
	var b strings.Builder
	b.WriteString("version: 1\nlinks:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  %s_%d: {dest: %s/l%d, target: \"%s\"}\n", folder, i, folder, i, target)
	}
	return b.String()
}

// checkLinks asserts folder/l0..l(n-1) all have text.
func checkLinks(t *testing.T, root, folder string, n int, text string) {
	t.Helper()
	bad := 0
	for i := 0; i < n; i++ {
		got, err := os.Readlink(filepath.Join(root, folder, fmt.Sprintf("l%d", i)))
		if err != nil || got != text {
			if bad == 0 {
				t.Errorf("%s/l%d: %q %v, want %q", folder, i, got, err, text)
			}
			bad++
		}
	}
	if bad > 1 {
		t.Errorf("%s: %d of %d links wrong", folder, bad, n)
	}
}

const concurrentApplies = 8

// TestConcurrentApplies runs 8 applies at once on one root and state_dir,
// with the real binary: of the same manifest, and of one manifest with
// different variables, waiting for the lock (--lock-timeout 30s: all
// succeed) and not waiting (each succeeds or is refused with a message
// naming the lock). The final state is right and the journal intact:
// every line parses, every begin has an end, no two applies interleave.
//
// Short: 1 round of each case, 150 links. LINKS_LONG=1: 25 rounds, 2000
// links (LINKS_CONCURRENT_ROUNDS, LINKS_CONCURRENT_LINKS).
func TestConcurrentApplies(t *testing.T) {
	rounds := sizeOf(t, "LINKS_CONCURRENT_ROUNDS", 1, 25)
	n := sizeOf(t, "LINKS_CONCURRENT_LINKS", 150, 2000)
	linksBinary(t)
	var applies, refused, succeeded, journaled int

	t.Run("same manifest, waiting", func(t *testing.T) {
		for round := 0; round < rounds; round++ {
			root := t.TempDir()
			concurrentTree(t, root, []string{manyLinks(n, "app", "releases/b")})
			args := make([][]string, concurrentApplies)
			for k := range args {
				args[k] = []string{"-f", "links-0.yaml", "--lock-timeout", "30s"}
			}
			changed := 0
			for k, r := range applyAll(t, root, args) {
				applies++
				if r.code != 0 {
					t.Fatalf("apply %d: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
				}
				succeeded++
				if strings.Contains(r.stdout, fmt.Sprintf("%d created", n)) {
					changed++
				} else if !strings.Contains(r.stdout, "No changes.") {
					t.Errorf("apply %d neither made the changes nor found none:\n%s", k, r.stdout)
				}
			}
			if changed != 1 {
				t.Errorf("%d applies made the changes, want exactly 1", changed)
			}
			checkLinks(t, root, "app", n, "../releases/b")
			jr := checkSerialized(t, root)
			journaled += len(jr.applies)
			if len(jr.applies) != 1 {
				t.Errorf("journal holds %d applies, want 1 (the others had nothing to do)", len(jr.applies))
			}
		}
	})

	t.Run("different variables, waiting", func(t *testing.T) {
		// Each apply switches the same links to its own release: they
		// must run one after another, and the last in the journal wins.
		for round := 0; round < rounds; round++ {
			root := t.TempDir()
			releases := map[string]string{}
			for k := 0; k < concurrentApplies; k++ {
				releases[fmt.Sprintf("releases/r%d/v", k)] = fmt.Sprintf("file:r%d", k)
			}
			mkTree(t, root, releases)
			concurrentTree(t, root, []string{"version: 1\nvars: {release: r0}\n" + strings.TrimPrefix(manyLinks(n, "app", "releases/${release}"), "version: 1\n")})
			args := make([][]string, concurrentApplies)
			for k := range args {
				args[k] = []string{"-f", "links-0.yaml", "--lock-timeout", "30s", "--var", fmt.Sprintf("release=r%d", k)}
			}
			for k, r := range applyAll(t, root, args) {
				applies++
				if r.code != 0 {
					t.Fatalf("apply %d: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
				}
				succeeded++
			}
			jr := checkSerialized(t, root)
			journaled += len(jr.applies)
			last := jr.applies[len(jr.applies)-1]
			text := last.lastLink["app/l0"]
			if text == "" {
				t.Fatalf("the last apply in the journal, %s, did not switch app/l0", last.id)
			}
			checkLinks(t, root, "app", n, text)
		}
	})

	t.Run("same manifest, not waiting", func(t *testing.T) {
		for round := 0; round < rounds; round++ {
			root := t.TempDir()
			concurrentTree(t, root, []string{manyLinks(n, "app", "releases/b")})
			args := make([][]string, concurrentApplies)
			for k := range args {
				args[k] = []string{"-f", "links-0.yaml"}
			}
			for k, r := range applyAll(t, root, args) {
				applies++
				switch {
				case r.code == 0:
					succeeded++
				case r.code == 1 && strings.Contains(r.stderr, "holds the lock") && strings.Contains(r.stderr, "--lock-timeout"):
					refused++
					if strings.TrimSpace(r.stdout) != "" {
						t.Errorf("apply %d was refused the lock but printed a plan or progress:\n%s", k, r.stdout)
					}
				default:
					t.Errorf("apply %d: exit %d, want 0 or a lock refusal\n%s", k, r.code, r.stderr)
				}
			}
			checkLinks(t, root, "app", n, "../releases/b")
			jr := checkSerialized(t, root)
			journaled += len(jr.applies)
		}
	})

	t.Run("different manifests, waiting", func(t *testing.T) {
		for round := 0; round < rounds; round++ {
			root := t.TempDir()
			ms := make([]string, concurrentApplies)
			for k := range ms {
				ms[k] = manyLinks(n/concurrentApplies+1, fmt.Sprintf("g%d", k), "releases/b")
			}
			names := concurrentTree(t, root, ms)
			args := make([][]string, concurrentApplies)
			for k := range args {
				args[k] = []string{"-f", names[k], "--lock-timeout", "30s"}
			}
			for k, r := range applyAll(t, root, args) {
				applies++
				if r.code != 0 {
					t.Fatalf("apply %d: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
				}
				succeeded++
			}
			for k := range ms {
				checkLinks(t, root, fmt.Sprintf("g%d", k), n/concurrentApplies+1, "../releases/b")
			}
			jr := checkSerialized(t, root)
			journaled += len(jr.applies)
		}
	})
	t.Logf("concurrent: %d rounds of %d applies at once (%d links): %d applies, %d succeeded, %d refused the lock with a message, %d applies journaled",
		rounds, concurrentApplies, n, applies, succeeded, refused, journaled)
}
