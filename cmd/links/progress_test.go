package main

import (
	"bytes"
	"strings"
	"testing"
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
