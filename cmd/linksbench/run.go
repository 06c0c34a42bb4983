package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// sample is one timed run.
type sample struct {
	Wall   time.Duration
	CPU    time.Duration // user + system, of the child (or of this process, for in-process floors)
	MaxRSS int64         // peak resident set size in bytes; 0 when unknown
}

// measure times f in this process, after a garbage collection so that the
// collector owes nothing when the clock starts.
func measure(f func() error) (sample, error) {
	runtime.GC()
	c0, t0 := selfCPU(), time.Now()
	err := f()
	return sample{Wall: time.Since(t0), CPU: selfCPU() - c0}, err
}

// exitError is a child that exited with a code the caller did not expect.
type exitError struct {
	cmd    string
	code   int
	stderr string
}

func (e *exitError) Error() string {
	msg := fmt.Sprintf("%s: exit %d", e.cmd, e.code)
	if s := strings.TrimSpace(e.stderr); s != "" {
		msg += ":\n" + indent(s)
	}
	return msg
}

func indent(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("… (%d more lines)", len(lines)-20))
	}
	return "    " + strings.Join(lines, "\n    ")
}

// command runs name with args in dir, its output discarded (stderr is kept
// for errors), and times it from start to exit. ok lists the accepted exit
// codes (none means 0).
func command(dir string, ok []int, name string, args ...string) (sample, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// Stdout to the null device: what the tool prints is formatted and
	// written, as on a terminal, but costs no pipe reader here.
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer null.Close()
	cmd.Stdout = null
	resetPeakRSS()
	t0 := time.Now()
	err = cmd.Run()
	wall := time.Since(t0)
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return sample{}, fmt.Errorf("%s: %w", shown(name, args), err)
		}
		code = ee.ExitCode()
	}
	if len(ok) == 0 {
		ok = []int{0}
	}
	if !slices.Contains(ok, code) {
		return sample{}, &exitError{cmd: shown(name, args), code: code, stderr: stderr.String()}
	}
	cpu, rss := usage(cmd.ProcessState)
	return sample{Wall: wall, CPU: cpu, MaxRSS: rss}, nil
}

func shown(name string, args []string) string {
	return strings.Join(append([]string{name}, args...), " ")
}

// childEnv is the environment for the tools: no colour, no manifest
// chosen by the environment, a C locale.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LINKS_FILE", "NO_COLOR", "LC_ALL":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "NO_COLOR=1", "LC_ALL=C")
}
