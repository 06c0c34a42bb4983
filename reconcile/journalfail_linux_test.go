//go:build linux && !links_portable

package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linksdev/links/reconcile/journal"
	"golang.org/x/sys/unix"
)

// runWrapped runs the links binary under a wrapper command (strace) in dir.
func runWrapped(t *testing.T, dir string, wrapper []string, args ...string) run {
	t.Helper()
	argv := append(append(append([]string{}, wrapper[1:]...), linksBinary(t)), args...)
	return runCommand(t, dir, wrapper[0], argv...)
}

// journalFailTree is three files a manifest replaces by links (the
// issue's "Apply complete: 3 replaced").
func journalFailTree(t *testing.T, root string) {
	mkTree(t, root, map[string]string{
		"shared/x": "file:shared", "a": "file:user a", "b": "file:user b", "c": "file:user c",
		"links.yaml": "file:version: 1\nlinks:\n" +
			"  a: {dest: a, target: shared/x, replace: file}\n" +
			"  b: {dest: b, target: shared/x, replace: file}\n" +
			"  c: {dest: c, target: shared/x, replace: file}\n",
	})
}

// applyReport is what apply -o json says of each change.
type applyReport struct {
	Changes []struct {
		Dest  string `json:"dest"`
		Error string `json:"error"`
	} `json:"changes"`
}

// checkHonest checks a failed apply's report against the disk: a change
// reported without error is made (dest is the link), one with an error is
// not (dest is still the user's file), the journal has no damaged line and
// says the apply failed, and the next apply converges with every user file
// in a backup.
func checkHonest(t *testing.T, root string, r run) {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep applyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Changes) != 3 {
		t.Fatalf("apply -o json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	got := snapshot(t, root, ".links")
	for _, c := range rep.Changes {
		switch {
		case c.Error == "" && got[c.Dest] != "link:shared/x":
			t.Errorf("%s reported made, but it is %q", c.Dest, got[c.Dest])
		case c.Error != "" && got[c.Dest] != "file:user "+c.Dest:
			t.Errorf("%s reported not made (%s), but it is %q", c.Dest, c.Error, got[c.Dest])
		}
	}
	jr := readJournalFile(t, root)
	if len(jr.bad) > 0 || jr.tornTail {
		t.Errorf("journal has damaged lines %q (torn tail %v)", jr.bad, jr.tornTail)
	}
	log := runLinks(t, root, "log", "-o", "json")
	var out struct {
		Applies []struct {
			Status string `json:"status"`
		} `json:"applies"`
	}
	if err := json.Unmarshal([]byte(log.stdout), &out); err != nil || len(out.Applies) == 0 {
		t.Fatalf("links log -o json: %v\n%s%s", err, log.stdout, log.stderr)
	}
	if s := out.Applies[0].Status; s != "failed" {
		t.Errorf("links log says the apply %s, want failed\n%s", s, log.stdout)
	}
	next := runLinks(t, root, "apply", "--auto-approve")
	if next.code != 0 {
		t.Fatalf("next apply: exit %d\n%s%s", next.code, next.stdout, next.stderr)
	}
	for _, k := range []string{"a", "b", "c"} {
		if !inBackupsOrRecovered(t, root, "file:user "+k) {
			t.Errorf("the user's %s is in no backup after the next apply", k)
		}
	}
}

// TestJournalFsyncFailsHonestly is issue 14.8 at the binary: fsync of the
// journal fails with ENOSPC (injected by strace on the journal's file
// only). Nothing may be reported made that was not, every change not made
// carries its error, and links log says the apply failed.
func TestJournalFsyncFailsHonestly(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (apt-get install strace; .ci/run does)")
	}
	for _, tc := range []struct {
		name, when string
		made       int // -1: any
	}{
		// Every fsync of the journal fails: the begin record is not
		// durable, so no change starts.
		{"every fsync", "1+", 0},
		// From each thread's second fsync of the journal on: which of the
		// begin record and the batches of intents that hits depends on
		// Go's threads; whatever it hits, the report must match the disk.
		{"later fsyncs", "2+", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var root string
			var r run
			// strace counts fsyncs per thread: when every fsync of an
			// apply runs on a thread of its own, "2+" injects nothing.
			// Such a trial shows nothing; another is run (a fresh tree).
			for trial := 0; ; trial++ {
				root = t.TempDir()
				journalFailTree(t, root)
				inject := []string{strace, "-f", "-qq", "-o", "/dev/null", "-P", filepath.Join(root, ".links", journal.JournalFile),
					"-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC:when=" + tc.when}
				r = runWrapped(t, root, inject, "apply", "--auto-approve", "-o", "json")
				if r.code != 0 || trial == 19 {
					break
				}
				t.Logf("trial %d: no fsync failed (each on a thread of its own); again", trial)
			}
			if !strings.Contains(r.stderr, "no space left on device") {
				t.Errorf("stderr does not give the journal's error:\n%s", r.stderr)
			}
			if tc.made == 0 && strings.Contains(r.stdout, `"error": ""`) {
				t.Errorf("a change is reported made:\n%s", r.stdout)
			}
			checkHonest(t, root, r)
		})
	}
	// The text form says what was made, never "Apply complete".
	root := t.TempDir()
	journalFailTree(t, root)
	r := runWrapped(t, root, []string{strace, "-f", "-qq", "-o", "/dev/null", "-P", filepath.Join(root, ".links", journal.JournalFile),
		"-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC"}, "apply", "--auto-approve")
	if r.code != 1 || strings.Contains(r.stdout, "Apply complete") || strings.Contains(r.stdout, "3 replaced") {
		t.Errorf("text report of an apply whose journal failed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestFolderFsyncFailsHonestly: the fsync of one folder the apply wrote
// in fails (ENOSPC, injected by strace on that folder only). Its changes
// were made, so they are reported made, but the apply is not complete:
// exit 1, the text summary says "Apply incomplete", the error names the
// folder once, links log says the apply failed, and the next apply
// converges.
func TestFolderFsyncFailsHonestly(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (apt-get install strace; .ci/run does)")
	}
	for _, output := range []string{"text", "json"} {
		t.Run(output, func(t *testing.T) {
			root := t.TempDir()
			mkTree(t, root, map[string]string{
				"shared/x": "file:shared", "d/keep": "file:k",
				"links.yaml": "file:version: 1\nlinks:\n" +
					"  a: {dest: d/a, target: shared/x}\n" +
					"  b: {dest: d/b, target: shared/x}\n" +
					"  c: {dest: e/c, target: shared/x, parents: true}\n",
			})
			// Each folder its own fsync (where root is on ext4 without a
			// journal, apply would flush them with one syncfs:
			// TestFolderSyncFSFailsHonestly).
			inject := []string{"env", "LINKS_SYNCFS=off", strace, "-f", "-qq", "-o", "/dev/null", "-P", filepath.Join(root, "d"),
				"-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC"}
			r := runWrapped(t, root, inject, "apply", "--auto-approve", "-o", output)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			if n := strings.Count(r.stderr, "fsync d:"); n != 1 || !strings.Contains(r.stderr, "fsync d: no space left on device") {
				t.Errorf("stderr names the folder %d times, want once, with its error:\n%s", n, r.stderr)
			}
			if output == "text" && (strings.Contains(r.stdout, "Apply complete") || !strings.Contains(r.stdout, "Apply incomplete: 3 created")) {
				t.Errorf("text summary of an apply whose folder fsync failed:\n%s", r.stdout)
			}
			if output == "json" {
				var rep applyReport
				if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Changes) != 3 {
					t.Fatalf("apply -o json: %v\n%s", err, r.stdout)
				}
				for _, c := range rep.Changes {
					if c.Error != "" {
						t.Errorf("%s reported failed (%s), but it was made", c.Dest, c.Error)
					}
				}
			}
			got := snapshot(t, root, ".links")
			for _, d := range []string{"d/a", "d/b", "e/c"} {
				if got[d] == "" {
					t.Errorf("%s: not made (%v)", d, got)
				}
			}
			log := runLinks(t, root, "log", "-o", "json")
			if !strings.Contains(log.stdout, `"status": "failed"`) {
				t.Errorf("links log does not say the apply failed:\n%s", log.stdout)
			}
			if next := runLinks(t, root, "apply", "--auto-approve"); next.code != 0 {
				t.Errorf("next apply: exit %d\n%s%s", next.code, next.stdout, next.stderr)
			}
			if next := runLinks(t, root, "verify"); next.code != 0 {
				t.Errorf("verify after the next apply: exit %d\n%s%s", next.code, next.stdout, next.stderr)
			}
		})
	}
}

// TestFolderSyncFSFailsHonestly: where apply flushes the folders with one
// syncfs (root on ext4 without a journal), a syncfs that fails (strace
// injects EIO) fails the apply as a folder's fsync does: exit 1, the
// error names syncfs and root, each folder is still fsynced on its own,
// links log says failed, and the next apply and verify succeed.
func TestFolderSyncFSFailsHonestly(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (apt-get install strace; .ci/run does)")
	}
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		"shared/x": "file:shared", "d/keep": "file:k",
		"links.yaml": "file:version: 1\nlinks:\n" +
			"  a: {dest: d/a, target: shared/x}\n" +
			"  c: {dest: e/c, target: shared/x, parents: true}\n",
	})
	trace := filepath.Join(t.TempDir(), "strace")
	inject := []string{strace, "-f", "-qq", "-y", "-o", trace, "-e", "trace=syncfs,fsync", "-e", "inject=syncfs:error=EIO"}
	r := runWrapped(t, root, inject, "apply", "--auto-approve")
	calls, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(calls), "syncfs(") {
		t.Skipf("apply made no syncfs here (root is not on ext4 without a journal): exit %d", r.code)
	}
	if r.code != 1 || !strings.Contains(r.stderr, "syncfs "+root+": input/output error") {
		t.Fatalf("exit %d, want 1 with the syncfs error\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "Apply complete") || !strings.Contains(r.stdout, "Apply incomplete: 2 created") {
		t.Errorf("summary of an apply whose syncfs failed:\n%s", r.stdout)
	}
	for _, d := range []string{"/d", "/e"} {
		if !strings.Contains(string(calls), "<"+root+d+">") { // only fsync and syncfs traced; syncfs is given root
			t.Errorf("folder %s not fsynced on its own after the syncfs failed:\n%s", d, calls)
		}
	}
	got := snapshot(t, root, ".links")
	for _, d := range []string{"d/a", "e/c"} {
		if got[d] == "" {
			t.Errorf("%s: not made (%v)", d, got)
		}
	}
	if log := runLinks(t, root, "log", "-o", "json"); !strings.Contains(log.stdout, `"status": "failed"`) {
		t.Errorf("links log does not say the apply failed:\n%s", log.stdout)
	}
	if next := runLinks(t, root, "apply", "--auto-approve"); next.code != 0 {
		t.Errorf("next apply: exit %d\n%s%s", next.code, next.stdout, next.stderr)
	}
	if next := runLinks(t, root, "verify"); next.code != 0 {
		t.Errorf("verify after the next apply: exit %d\n%s%s", next.code, next.stdout, next.stderr)
	}
}

// TestJournalDiskFull: a real full disk (a small tmpfs, mounted by the
// test, so root only) stops the journal in the middle of an apply of many
// links. The write cut short leaves no damaged line, nothing is reported
// made that was not, and links log says the apply failed.
func TestJournalDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root (CI runs as root)")
	}
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=12m"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(mnt, unix.MNT_DETACH) })
	root := filepath.Join(mnt, "r")
	const n = 6000 // ~2 MB of intents, more than the disk has left
	var b strings.Builder
	b.WriteString("version: 1\nlinks:\n")
	for i := range n {
		fmt.Fprintf(&b, "  l%05d: {dest: d/l%05d, target: shared/x}\n", i, i)
	}
	mkTree(t, root, map[string]string{"shared/x": "file:x", "d/keep": "file:keep", "links.yaml": "file:" + b.String()})
	// Fill the disk, leaving room for the journal's reservations at open
	// (2 MiB) and a little more, but not for the intents.
	var st unix.Statfs_t
	if err := unix.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, free-(2<<20)-(256<<10)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runLinks(t, root, "apply", "--auto-approve")
	if r.code != 1 || strings.Contains(r.stdout, "Apply complete") {
		t.Fatalf("apply on a full disk: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "no space left on device") {
		t.Errorf("stderr does not say the disk is full:\n%s", r.stderr)
	}
	jr := readJournalFile(t, root)
	if len(jr.bad) > 0 || jr.tornTail {
		t.Errorf("journal has damaged lines %q (torn tail %v)", jr.bad, jr.tornTail)
	}
	log := runLinks(t, root, "log")
	if !strings.Contains(log.stdout, "failed") || strings.Contains(log.stdout, "interrupted") {
		t.Errorf("links log after a full disk:\n%s%s", log.stdout, log.stderr)
	}
	// What is reported made is exactly what is on disk (the first batches
	// of intents may have fit: which ones depends on how full the disk is).
	made := 0
	for k, v := range snapshot(t, filepath.Join(root, "d")) {
		if strings.HasPrefix(v, "link:") {
			made++
		}
		if strings.Contains(k, TempMarker) {
			t.Errorf("temporary entry left: %s", k)
		}
	}
	if want := fmt.Sprintf("Apply incomplete: %d created, 0 updated, 0 replaced, 0 deleted, %d failed.", made, n-made); !strings.Contains(r.stdout, want) {
		t.Errorf("%d links on disk, but apply says:\n%s", made, lastLines(r.stdout, 3))
	}
	if made == n {
		t.Errorf("every link was made: the disk was not full enough to test anything")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if next := runLinks(t, root, "apply", "--auto-approve"); next.code != 0 {
		t.Fatalf("apply with room again: exit %d\n%s", next.code, next.stderr)
	}
	if p := runLinks(t, root, "plan", "--detailed-exitcode"); p.code != 0 {
		t.Errorf("plan after recovery: exit %d\n%s", p.code, p.stdout)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestIntruderBinaryDelay is issue 14.1's reproduction at the binary:
// strace delays every rename and unlink of links apply by a second and a
// half, and
// while the first is held, a user's file is moved onto the dest (mv -Tf).
// The file must survive: in place, the change reported stale.
func TestIntruderBinaryDelay(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (apt-get install strace; .ci/run does)")
	}
	for _, tc := range []struct{ name, first, manifest string }{
		{"update", "", "version: 1\nlinks:\n  a: {dest: cur, target: rel/a}\n"},
		{"delete", "version: 1\nlinks:\n  a: {dest: cur, target: rel/b}\n  k: {dest: keep, target: rel/b}\n",
			"version: 1\nlinks:\n  k: {dest: keep, target: rel/b}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			mkTree(t, root, map[string]string{"rel/a/f": "file:a", "rel/b/f": "file:b"})
			if tc.first != "" {
				mkTree(t, root, map[string]string{"links.yaml": "file:" + tc.first})
				if r := runLinks(t, root, "apply", "--auto-approve"); r.code != 0 {
					t.Fatalf("first apply: %s", r.stderr)
				}
				if err := os.Remove(filepath.Join(root, "links.yaml")); err != nil {
					t.Fatal(err)
				}
			} else {
				mkTree(t, root, map[string]string{"cur": "link:rel/b"})
			}
			mkTree(t, root, map[string]string{"links.yaml": "file:" + tc.manifest})
			cmd := exec.Command(strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=renameat,renameat2,unlinkat", "-e", "inject=renameat,renameat2,unlinkat:delay_enter=1500000",
				linksBinary(t), "apply", "--auto-approve")
			cmd.Dir = root
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the change's intent to be journaled: its rename
			// comes next, and is held for a second and a half.
			jpath := filepath.Join(root, ".links", journal.JournalFile)
			deadline := time.Now().Add(30 * time.Second)
			for {
				b, _ := os.ReadFile(jpath)
				if bytes.Contains(b, []byte(`"status":"intent","actor"`)) && bytes.Contains(b, []byte(`"dest":"cur","action":"`+tc.name+`"`)) {
					break
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatalf("no intent for cur in the jpath:\n%s", b)
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			tmp := filepath.Join(root, ".n")
			if err := os.WriteFile(tmp, []byte("IMPORTANT"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(root, "cur")); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			got := snapshot(t, root)
			if got["cur"] != "file:IMPORTANT" {
				t.Errorf("cur = %q, want the user's file left in place (apply: %v)\n%s", got["cur"], err, out.String())
			}
			if err == nil || !strings.Contains(out.String(), "put there during the apply") {
				t.Errorf("apply did not report the change stale (err %v):\n%s", err, out.String())
			}
		})
	}
}
