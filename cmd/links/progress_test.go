package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linksdev/links/internal/symlinktest"
)

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	bar := newProgressBar(&b, 4000)
	for i := 0; i < 2000; i++ {
		bar.step()
	}
	bar.interrupt()
	b.WriteString("a failure line\n")
	for i := 0; i < 2000; i++ {
		bar.step()
	}
	bar.finish()
	out := b.String()
	if !strings.HasSuffix(out, "\r  [##############################] 100%  4,000/4,000 changes\n") {
		t.Errorf("bar does not end complete:\n%q", out[max(0, len(out)-120):])
	}
	if !strings.Contains(out, "\r\x1b[Ka failure line\n") {
		t.Errorf("a line printed during the bar does not start on a cleared line")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestApplyProgress runs an apply of progressMin links through Main's
// sys with each combination of terminals: the bar goes to stderr, only
// when stderr is a terminal whose TERM is not dumb; stdout gets every
// change's line unless it is that terminal too.
func TestApplyProgress(t *testing.T) {
	symlinktest.Need(t)
	defer func(n int) { progressMin = n }(progressMin)
	progressMin = 300 // not parallel: nothing else runs meanwhile
	for _, tc := range []struct {
		name                 string
		stdoutTTY, stderrTTY bool
		term                 string
		bar, lines           bool
	}{
		{"no terminal", false, false, "xterm", false, true},
		{"both terminals", true, true, "xterm", true, false},
		{"stdout redirected", false, true, "xterm", true, true},
		{"stderr redirected", true, false, "xterm", false, true},
		{"dumb terminal", true, true, "dumb", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var m strings.Builder
			m.WriteString("version: 1\nlinks:\n")
			for i := range progressMin {
				fmt.Fprintf(&m, "  l%d: {dest: d/l%d, target: t, allow_dangling: true}\n", i, i)
			}
			if err := os.WriteFile(filepath.Join(dir, "links.yaml"), []byte(m.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			s := &sys{
				stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
				lookupEnv: func(k string) (string, bool) {
					if k == "TERM" {
						return tc.term, true
					}
					return "", false
				},
				stdoutTTY: tc.stdoutTTY, stderrTTY: tc.stderrTTY,
			}
			if code := s.run([]string{"-C", dir, "apply", "--auto-approve", "--no-color"}); code != 0 {
				t.Fatalf("apply: exit %d\n%s", code, stderr.String())
			}
			bar := strings.Contains(stderr.String(), "300/300 changes")
			if bar != tc.bar {
				t.Errorf("bar on stderr: %v, want %v\nstderr: %q", bar, tc.bar, stderr.String()[:min(200, stderr.Len())])
			}
			if strings.Contains(stdout.String(), "changes\r") || strings.Contains(stdout.String(), "\r  [") {
				t.Errorf("a bar on stdout")
			}
			lines := strings.Count(stdout.String(), "created ")
			if want := map[bool]int{true: progressMin, false: 0}[tc.lines]; lines != want {
				t.Errorf("%d created lines on stdout, want %d", lines, want)
			}
			if !strings.Contains(stdout.String(), "Apply complete: 300 created") {
				t.Errorf("no summary on stdout:\n%s", stdout.String()[max(0, stdout.Len()-300):])
			}
		})
	}
}
