//go:build unix

package asnobody

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Rerun runs the current test again in a copy of the test binary as user
// nobody (uid 65534), for checks that root's privileges would defeat, such
// as a chmod 000 folder. It reports whether it ran it: false in that child
// itself, and when not root. The rerun failing fails t; when it cannot be
// run at all, t is skipped.
func Rerun(t testing.TB) bool {
	t.Helper()
	if os.Getuid() != 0 || os.Getenv("LINKS_TEST_UNPRIVILEGED") == "1" {
		return false
	}
	dir, err := os.MkdirTemp("", "links-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, filepath.Base(os.Args[0]))
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	// The child's own temporary folder: os.TempDir() may not be writable
	// by nobody (a test elsewhere on the machine may have changed it).
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "LINKS_TEST_UNPRIVILEGED=1", "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if _, failed := err.(*exec.ExitError); failed {
		t.Fatalf("rerun as nobody: %v\n%s", err, out)
	}
	if err != nil {
		t.Skipf("running as root, and cannot rerun the test as nobody: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Skipf("running as root, and the rerun as nobody did not run the test:\n%s", out)
	}
	t.Logf("ran as nobody (uid 65534): passed")
	return true
}
