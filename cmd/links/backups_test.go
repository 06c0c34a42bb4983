package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "30d", want: 30 * 24 * time.Hour},
		{in: "1.5d", want: 36 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "36h", want: 36 * time.Hour},
		{in: "90m", want: 90 * time.Minute},
		{in: "1ns", want: 1},
		{in: "0d", err: "more than zero"},
		{in: "0s", err: "more than zero"},
		{in: "-3h", err: "more than zero"},
		{in: "d", err: "write an age like"},
		{in: "3x", err: "write an age like"},
		{in: "2d-3d", err: "write an age like"},
		{in: "1000000d", err: "too many days"},
		{in: "", err: "write an age like"},
	} {
		got, err := parseAge(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseAge(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestPruneAsks: on a terminal, prune removes only after "yes".
func TestPruneAsks(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".links", "backups", "20200101T000000Z-0a0a0a")
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "f"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "links.yaml"), []byte("version: 1\nlinks:\n  l: {dest: l, target: t}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(answer string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		s := &sys{
			stdin: strings.NewReader(answer), stdout: &stdout, stderr: &stderr,
			lookupEnv: func(string) (string, bool) { return "", false },
			stdinTTY:  true, stdoutTTY: true,
		}
		code := s.run([]string{"-C", dir, "backups", "prune", "--older-than", "30d"})
		return code, stdout.String(), stderr.String()
	}

	code, stdout, stderr := run("no\n")
	if code != 1 || !strings.Contains(stderr, "Do you want to remove these backups?") || !strings.Contains(stderr, "prune cancelled; nothing was removed") {
		t.Errorf("answer no: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(old); err != nil {
		t.Fatalf("removed without a yes: %v", err)
	}

	code, stdout, stderr = run("yes\n")
	if code != 0 || !strings.Contains(stdout, "Prune complete: 1 backup removed, 3 B freed.") {
		t.Errorf("answer yes: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("not removed after yes: %v", err)
	}
}
