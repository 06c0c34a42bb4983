package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestHugePages runs links plan on 30,000 links as users run it, and
// counts its page faults: with the heap reserved in huge pages (heap.go)
// most of its memory comes without a fault of its own; with
// LINKS_HUGE_PAGES=off (the control) about one fault a 4 KiB page.
func TestHugePages(t *testing.T) {
	thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(thp, []byte("[madvise]")) {
		t.Skipf("transparent huge pages are not given on request here (%q, %v)", bytes.TrimSpace(thp), err)
	}
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("version: 1\nlinks:\n")
	for i := range 30000 {
		fmt.Fprintf(&b, "  l%06d: {dest: l/d%02d/f%06d, target: t/d%02d/f%06d, allow_dangling: true}\n", i, i%100, i, i%100, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "links.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(env ...string) (faults, rss int64) {
		cmd := exec.Command("links-process", "plan", "-C", dir)
		cmd.Env = append(os.Environ(), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("links plan: %v\n%s", err, stderr.Bytes())
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		return ru.Minflt, ru.Maxrss << 10
	}
	faults, rss := run()
	offFaults, offRSS := run("LINKS_HUGE_PAGES=off")
	t.Logf("huge pages: %d faults, %d MiB peak; off: %d faults, %d MiB peak", faults, rss>>20, offFaults, offRSS>>20)
	if offFaults*4096 < offRSS/2 {
		t.Fatalf("the control faulted only %d times for %d MiB: it cannot tell", offFaults, offRSS>>20)
	}
	if faults*4096 > rss/4 {
		t.Errorf("with huge pages, %d faults for %d MiB peak: the heap reservation did not take", faults, rss>>20)
	}
}
