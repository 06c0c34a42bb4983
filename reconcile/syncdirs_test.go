package reconcile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// syncFailFS fails SyncDir of one folder and records every folder synced;
// safe for the goroutines apply fsyncs folders on.
type syncFailFS struct {
	FS
	fail   string
	mu     sync.Mutex
	synced map[string]int
}

func (f *syncFailFS) SyncDir(dir string) error {
	f.mu.Lock()
	f.synced[dir]++
	f.mu.Unlock()
	if dir == f.fail {
		return &os.PathError{Op: "fsync", Path: dir, Err: syscall.EIO}
	}
	return f.FS.SyncDir(dir)
}

// SyncFS covers no folder: each gets its SyncDir, whatever the
// filesystem under the test would do.
func (f *syncFailFS) SyncFS(dirs []string) ([]string, error) { return dirs, nil }

// syncFSFailFS fails SyncFS and records every folder given to it and to
// SyncDir.
type syncFSFailFS struct {
	syncFailFS
	given []string
}

func (f *syncFSFailFS) SyncFS(dirs []string) ([]string, error) {
	f.given = append([]string(nil), dirs...)
	return nil, &os.PathError{Op: "syncfs", Path: ".", Err: syscall.EIO}
}

// TestApplyFsyncsEveryFolderOnce: an apply into more folders than it
// fsyncs one at a time (syncParallelMin) fsyncs each touched folder once;
// when one fsync fails, the others are still made, apply fails naming
// that folder, every link is in place, and the state file is written.
func TestApplyFsyncsEveryFolderOnce(t *testing.T) {
	needSymlinks(t)
	root := t.TempDir()
	const folders = 2 * syncParallelMin
	r, p := planFolders(t, root, folders, 3)
	f := &syncFailFS{fail: "d07", synced: map[string]int{}}
	_, err := r.Apply(p, ApplyOptions{WrapFS: func(fs FS) FS { f.FS = fs; return f }})
	if err == nil || !strings.Contains(err.Error(), "fsync d07") || !errors.Is(err, syscall.EIO) {
		t.Fatalf("apply: %v, want the fsync of d07 failing with EIO", err)
	}
	for i := range folders {
		d := fmt.Sprintf("d%02d", i)
		if f.synced[d] != 1 {
			t.Errorf("%s fsynced %d times, want once", d, f.synced[d])
		}
		for j := range 3 {
			if got, err := os.Readlink(filepath.Join(root, d, fmt.Sprintf("l%d", j))); err != nil || filepath.ToSlash(got) != "../t" {
				t.Errorf("%s/l%d: %q, %v", d, j, got, err)
			}
		}
	}
	if f.synced["."] != 1 {
		t.Errorf("root fsynced %d times, want once (its new folders)", f.synced["."])
	}
	owned, err := r.State.ReadState()
	if err != nil {
		t.Fatal(err)
	}
	if len(owned.Links) != 3*folders {
		t.Errorf("state records %d links, want %d", len(owned.Links), 3*folders)
	}
	// The state file written early (before the failed fsync changed the
	// end record) was replaced by one whose offset is where the failed
	// apply began (the journal was empty), so the next apply reads it.
	assertStateOffset(t, root, 0)
}

// assertStateAtJournalEnd checks that the state file's journal offset is
// the journal's size (as after every apply that made all its changes)
// and that no temporary state file is left in state_dir.
func assertStateAtJournalEnd(t *testing.T, root string) {
	t.Helper()
	assertStateOffset(t, root, -1)
}

// assertStateOffset checks that the state file's journal offset is want
// (-1: the journal's size) and that no temporary state file is left in
// state_dir. After an apply where a change failed, the offset is where that
// apply's records begin, so that the next apply reads them and cleans what
// the failed change left.
func assertStateOffset(t *testing.T, root string, want int64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, ".links", journal.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		JournalOffset *int64 `json:"journal_offset"`
	}
	ok := json.Unmarshal(data, &head) == nil && head.JournalOffset != nil
	var offset int64
	if ok {
		offset = *head.JournalOffset
	}
	fi, err := os.Stat(filepath.Join(root, ".links", journal.JournalFile))
	if want < 0 && (err != nil || !ok || offset != fi.Size()) {
		t.Errorf("state file's journal offset %d (%v), journal size %d (%v); want them equal", offset, ok, fi.Size(), err)
	}
	if want >= 0 && (!ok || offset != want) {
		t.Errorf("state file's journal offset %d (%v); want %d, where the failed apply began", offset, ok, want)
	}
	entries, err := os.ReadDir(filepath.Join(root, ".links"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), TempMarker) {
			t.Errorf("temporary file left in state_dir: %s", e.Name())
		}
	}
}

// TestApplySyncFSFails: when the flush of the whole filesystem fails,
// apply fails naming it (and root), every touched folder is still
// fsynced once on its own, every link is in place, and the state file's
// offset is where the apply began, as when one folder's fsync fails.
func TestApplySyncFSFails(t *testing.T) {
	needSymlinks(t)
	root := t.TempDir()
	r, p := planFolders(t, root, 4, 1)
	f := &syncFSFailFS{syncFailFS: syncFailFS{synced: map[string]int{}}}
	_, err := r.Apply(p, ApplyOptions{WrapFS: func(fs FS) FS { f.FS = fs; return f }})
	want := "syncfs " + root + ": input/output error"
	if err == nil || err.Error() != want || !errors.Is(err, syscall.EIO) {
		t.Fatalf("apply: %v, want %q", err, want)
	}
	if got := strings.Join(f.given, " "); got != ". d00 d01 d02 d03" {
		t.Errorf("SyncFS was given %q, want every touched folder", got)
	}
	for _, d := range []string{".", "d00", "d01", "d02", "d03"} {
		if f.synced[d] != 1 {
			t.Errorf("%s fsynced %d times, want once", d, f.synced[d])
		}
	}
	for i := range 4 {
		if got, err := os.Readlink(filepath.Join(root, fmt.Sprintf("d%02d/l0", i))); err != nil || filepath.ToSlash(got) != "../t" {
			t.Errorf("d%02d/l0: %q, %v", i, got, err)
		}
	}
	assertStateOffset(t, root, 0)
}

// planFolders declares per links in each of folders new folders under
// root (dNN/lK, made with their parents, all to the file t) and plans
// them.
func planFolders(t *testing.T, root string, folders, per int) (*Root, *plan.Plan) {
	t.Helper()
	var y strings.Builder
	y.WriteString("version: 1\nlinks:\n")
	for i := range folders {
		for j := range per {
			fmt.Fprintf(&y, "  l%02d_%d:\n    dest: d%02d/l%d\n    target: t\n    parents: true\n", i, j, i, j)
		}
	}
	mkTree(t, root, map[string]string{"t": "file:x"})
	m := parse(t, root, y.String())
	r := open(t, m)
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	return r, p
}
