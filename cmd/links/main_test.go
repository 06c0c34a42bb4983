package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/linksdev/links/internal/symlinktest"
)

var (
	update = flag.Bool("update", false, "rewrite testscript golden files (cmp) from actual output")
)

// TestMain lets testscript scripts run `links` in-process: the test binary
// re-executes itself as the command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"links": func() { startTrace(); os.Exit(Main(os.Args[1:])) },
		// links-process is the command as its main runs it (the
		// collector's settings and heap reservation included).
		"links-process": main,
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each is a
// txtar archive of files plus commands, run in a fresh temporary folder.
// To make a symlink, use testscript's builtin `symlink PATH -> TEXT`
// (builtins win over Cmds of the same name).
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script"))
}

func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir:           dir,
		UpdateScripts: *update,
		Cmds:          scriptCmds(),
		Condition:     scriptCondition,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "")
			e.Setenv("HOME", e.WorkDir+"/home")
			// REPO is the repository's top folder: scripts run files it
			// ships (docs/monitoring/links-textfile.sh).
			repo, err := filepath.Abs("../..")
			if err != nil {
				return err
			}
			e.Setenv("REPO", repo)
			return nil
		},
	}
}

// scriptCondition answers [shell:NAME]: whether the shell NAME (bash with
// Debian's bash-completion, zsh, fish) is installed for the completion
// scripts. With LINKS_REQUIRE_SHELLS=1 (as .ci/cli.sh sets, having
// installed them) a missing shell fails the script instead of skipping it.
func scriptCondition(cond string) (bool, error) {
	if cond == "symlinks" {
		// This system makes symlinks that read back as symlinks (not so
		// under Wine, or on Windows without Developer Mode or the
		// privilege); scripts that need them skip without.
		return symlinktest.Reason() == "", nil
	}
	name, ok := strings.CutPrefix(cond, "shell:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	_, err := exec.LookPath(name)
	have := err == nil
	if name == "bash" && have {
		_, err := os.Stat(bashCompletionPath)
		have = err == nil
	}
	if !have && os.Getenv("LINKS_REQUIRE_SHELLS") == "1" {
		return false, fmt.Errorf("%s (and for bash, %s) is not installed, and LINKS_REQUIRE_SHELLS=1", name, bashCompletionPath)
	}
	return have, nil
}

// bashCompletionPath is where Debian's bash-completion package puts its
// main script.
const bashCompletionPath = "/usr/share/bash-completion/bash_completion"

// locks are the flocks scripts hold with holdlock, by lock file path.
var locks = struct {
	sync.Mutex
	m map[string]*os.File
}{m: map[string]*os.File{}}

func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		// readlink PATH TEXT: PATH is a symlink whose text is TEXT. The
		// text compares with / as separator (links writes \ on Windows).
		"readlink": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 {
				ts.Fatalf("usage: readlink PATH TEXT")
			}
			got, err := os.Readlink(ts.MkAbs(args[0]))
			got = filepath.ToSlash(got)
			if neg {
				if err == nil && got == args[1] {
					ts.Fatalf("%s -> %s, want anything else", args[0], got)
				}
				return
			}
			ts.Check(err)
			if got != args[1] {
				ts.Fatalf("%s -> %s, want %s", args[0], got, args[1])
			}
		},
		// status CODE COMMAND [ARGS...]: run COMMAND like exec and check
		// that it exits with exactly CODE (exec and ! exec only tell zero
		// from non-zero); stdout and stderr are kept for stdout/stderr.
		"status": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) < 2 {
				ts.Fatalf("usage: status CODE COMMAND [ARGS...]")
			}
			want, err := strconv.Atoi(args[0])
			ts.Check(err)
			got := 0
			if err := ts.Exec(args[1], args[2:]...); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					ts.Fatalf("%s: %v", args[1], err)
				}
				got = ee.ExitCode()
			}
			if got != want {
				ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
			}
		},
		// holdlock DIR: take the apply lock of the root DIR (an flock on
		// DIR/.links/lock, as another links apply would) until unlock DIR
		// or the end of the script. The lock file says "held by testscript".
		"holdlock": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: holdlock DIR")
			}
			dir := filepath.Join(ts.MkAbs(args[0]), ".links")
			ts.Check(os.MkdirAll(dir, 0o755))
			p := filepath.Join(dir, "lock")
			f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
			ts.Check(err)
			if err := lockFile(f); err != nil {
				f.Close()
				ts.Fatalf("holdlock %s: %v", p, err)
			}
			ts.Check(f.Truncate(0))
			_, err = f.WriteString("held by testscript")
			ts.Check(err)
			locks.Lock()
			locks.m[p] = f
			locks.Unlock()
			ts.Defer(func() { release(p) })
		},
		// unlock DIR: release the lock holdlock DIR took.
		"unlock": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: unlock DIR")
			}
			p := filepath.Join(ts.MkAbs(args[0]), ".links", "lock")
			if !release(p) {
				ts.Fatalf("unlock %s: not held", p)
			}
		},
		// links-tty [NAME=VALUE...] ARGS...: run links in-process, in the
		// script's folder, as if its stdout and stderr were a terminal
		// (stdin is not one). The environment is the script's, where an empty variable
		// counts as unset, plus the leading NAME=VALUE settings, which are
		// set even when VALUE is empty. With !, the exit code must be
		// non-zero.
		"links-tty": func(ts *testscript.TestScript, neg bool, args []string) {
			set := map[string]string{}
			for len(args) > 0 && envSetting.MatchString(args[0]) {
				k, v, _ := strings.Cut(args[0], "=")
				set[k] = v
				args = args[1:]
			}
			var stdout, stderr strings.Builder
			s := &sys{
				stdin:  strings.NewReader(""),
				stdout: &stdout,
				stderr: &stderr,
				lookupEnv: func(k string) (string, bool) {
					if v, ok := set[k]; ok {
						return v, true
					}
					v := ts.Getenv(k)
					return v, v != ""
				},
				stdinTTY:  false,
				stdoutTTY: true,
				stderrTTY: true,
			}
			code := s.run(append([]string{"-C", ts.MkAbs(".")}, args...))
			ts.Stdout().Write([]byte(stdout.String()))
			ts.Stderr().Write([]byte(stderr.String()))
			if neg != (code != 0) {
				ts.Fatalf("links-tty %v: exit %d\n[stdout]\n%s[stderr]\n%s", args, code, &stdout, &stderr)
			}
		},
	}
}

// envSetting is a NAME=VALUE argument of links-tty.
var envSetting = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`)

// release drops the lock holdlock took on p; false if none was held.
func release(p string) bool {
	locks.Lock()
	f := locks.m[p]
	delete(locks.m, p)
	locks.Unlock()
	if f == nil {
		return false
	}
	f.Close()
	return true
}
