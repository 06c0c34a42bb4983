package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersionStamps builds the real binary from a scratch git repository
// holding this module's files, as a packager or go install would, and
// checks what links version reports: the checkout's revision and tag with
// -buildvcs=true, "modified" once a tracked file changes, and the
// -ldflags -X stamps over both. (This machine's GOFLAGS may say
// -buildvcs=false; the builds here set it explicitly.)
func TestVersionStamps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary three times")
	}
	for _, tool := range []string{"git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s on PATH", tool)
		}
	}
	top, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	files := run(t, top, nil, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, f := range strings.Split(strings.TrimRight(files, "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(top, f))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(repo, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitEnv := []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	run(t, repo, gitEnv, "git", "init", "-q")
	run(t, repo, gitEnv, "git", "add", "-A")
	run(t, repo, gitEnv, "git", "commit", "-q", "-m", "scratch")
	run(t, repo, gitEnv, "git", "tag", "v0.9.1")
	head := strings.TrimSpace(run(t, repo, gitEnv, "git", "rev-parse", "HEAD"))

	bin := filepath.Join(t.TempDir(), "links")
	build := func(extra ...string) buildVersion {
		t.Helper()
		args := append([]string{"build", "-o", bin}, extra...)
		run(t, repo, []string{"GOFLAGS=-buildvcs=true"}, "go", append(args, "./cmd/links")...)
		var v buildVersion
		out := run(t, repo, nil, bin, "version", "-o", "json")
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("links version -o json: %v\n%s", err, out)
		}
		text := run(t, repo, nil, bin, "--version")
		if text != v.text()+"\n" {
			t.Errorf("links --version = %q, want %q", text, v.text()+"\n")
		}
		return v
	}

	want := buildVersion{FormatVersion: 1, Version: "v0.9.1", Revision: head, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if got := build(); got != want {
		t.Errorf("clean tagged checkout: got %+v, want %+v", got, want)
	}

	readme := filepath.Join(repo, "README.md")
	f, err := os.OpenFile(readme, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nchanged\n")
	f.Close()
	got := build()
	if got.Revision != head || !got.Modified || got.Version != "v0.9.1+dirty" {
		t.Errorf("modified checkout: got %+v, want v0.9.1+dirty, revision %s, modified", got, head)
	}

	got = build("-ldflags", "-X main.version=v1.2.3 -X main.revision=0123abc")
	want = buildVersion{FormatVersion: 1, Version: "v1.2.3", Revision: "0123abc", Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if got != want {
		t.Errorf("-ldflags -X: got %+v, want %+v", got, want)
	}
}

// run runs name with args in dir, with env added, and returns its stdout.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
