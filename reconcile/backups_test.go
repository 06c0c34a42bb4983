package reconcile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linksdev/links/reconcile/journal"
)

func backupIDs(list []journal.Backup) []string {
	var out []string
	for _, b := range list {
		out = append(out, b.ApplyID)
	}
	return out
}

func readJournal(t *testing.T, r *Root) *journal.History {
	t.Helper()
	h, err := r.State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestBackups lists the backups real applies made, beside folders links
// did not make, and removes one.
func TestBackups(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	mkTree(t, outside, map[string]string{"precious": "file:not links' to delete"})
	mkTree(t, root, map[string]string{
		"t/a":          "file:a",
		"conf":         "file:hand-made",
		"assets/x/big": "file:0123456789",
		"assets/lnk":   "link:" + filepath.Join(outside, "precious"),
	})
	m := parse(t, root, "version: 1\nlinks:\n  conf: {dest: conf, target: t/a, replace: file}\n  assets: {dest: assets, target: t, replace: any}\n")
	r := open(t, m)

	// No backups folder yet.
	if list, err := r.State.Backups(readJournal(t, r)); err != nil || len(list) != 0 {
		t.Fatalf("before any apply: %v, %v", list, err)
	}

	p1, _, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := r.State.Backups(readJournal(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("backups %+v", list)
	}
	b := list[0]
	want := journal.Backup{ApplyID: p1.ID, Path: ".links/backups/" + p1.ID, Time: b.Time, Entries: 2, Files: 3, Size: int64(len("hand-made") + len("0123456789")), InUse: true, Known: true, Holds: []string{"assets", "conf"}}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("backup\n got %+v\nwant %+v", b, want)
	}
	if time.Since(b.Time) > time.Minute {
		t.Errorf("backup time %v, want the apply's start", b.Time)
	}

	// Folders links did not make, or that only look like backups, and an
	// older backup no journal line names.
	bdir := filepath.Join(root, ".links", "backups")
	mkTree(t, bdir, map[string]string{
		"notes/readme":                  "file:mine",
		"20200101T000000Z-0a0a0a/f":     "file:old",
		"20200101T000000Z-0b0b0b":       "link:" + outside,
		"stray-file":                    "file:x",
		".x.links-tmp.00000000/partial": "file:half removed",
	})
	notesTime := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(bdir, "notes"), notesTime, notesTime); err != nil {
		t.Fatal(err)
	}
	p2, _, err := planApply(t, parse(t, root, "version: 1\nlinks:\n  conf: {dest: conf, target: t, replace: file}\n  assets: {dest: assets, target: t, replace: any}\n"), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	list, err = r.State.Backups(readJournal(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := backupIDs(list), []string{p1.ID, "notes", "20200101T000000Z-0a0a0a"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("backups %q, want %q (notes by its mtime)", got, want)
	}
	if list[0].InUse {
		t.Errorf("%s in use after apply %s (which displaced nothing)", p1.ID, p2.ID)
	}
	old := list[2]
	if old.Known != true || old.Entries != -1 || old.Files != 1 || !old.Time.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("unjournaled backup: %+v", old)
	}
	if list[1].Known || list[1].Entries != -1 || !list[1].Time.Equal(notesTime) {
		t.Errorf("folder links did not make: %+v", list[1])
	}

	// Removing follows no symlink: the link in the backup goes, the file
	// outside root stays.
	if err := r.State.RemoveBackup(p1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(bdir, p1.ID)); !os.IsNotExist(err) {
		t.Errorf("backup still there: %v", err)
	}
	if got := snapshot(t, outside); got["precious"] != "file:not links' to delete" {
		t.Errorf("outside root: %v", got)
	}
	for _, bad := range []string{"", ".", "..", "../t", "notes/readme", "stray-file", "20200101T000000Z-0b0b0b", "missing", ".x.links-tmp.00000000"} {
		if err := r.State.RemoveBackup(bad); err == nil {
			t.Errorf("RemoveBackup(%q) removed it", bad)
		}
	}
	if got := snapshot(t, outside); len(got) != 1 {
		t.Errorf("outside root: %v", got)
	}
	if _, err := os.Stat(filepath.Join(root, "t", "a")); err != nil {
		t.Errorf("RemoveBackup touched the tree: %v", err)
	}

	left, err := r.State.RemoveBackupLeftovers()
	if err != nil || !reflect.DeepEqual(left, []string{".links/backups/.x.links-tmp.00000000"}) {
		t.Errorf("leftovers %q, %v", left, err)
	}
	got := snapshot(t, bdir)
	want2 := map[string]string{
		"notes": "dir", "notes/readme": "file:mine",
		"20200101T000000Z-0a0a0a": "dir", "20200101T000000Z-0a0a0a/f": "file:old",
		"20200101T000000Z-0b0b0b": "link:" + outside, "stray-file": "file:x",
	}
	if !reflect.DeepEqual(got, want2) {
		t.Errorf("backups folder after removals:\n got %v\nwant %v", got, want2)
	}
}

// TestBackupsDirSymlink: a backups folder replaced by a symlink is neither
// read nor pruned through.
func TestBackupsDirSymlink(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		"elsewhere/20200101T000000Z-0a0a0a/f": "file:user data",
		".links/backups":                      "link:../elsewhere",
	})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: t}\n")
	r := open(t, m)
	if _, err := r.State.Backups(&journal.History{}); err == nil || !strings.Contains(err.Error(), "is a symlink") {
		t.Errorf("Backups: %v", err)
	}
	if err := r.State.RemoveBackup("20200101T000000Z-0a0a0a"); err == nil || !strings.Contains(err.Error(), "is a symlink") {
		t.Errorf("RemoveBackup: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "elsewhere/20200101T000000Z-0a0a0a/f")); err != nil {
		t.Errorf("data behind the symlink: %v", err)
	}
}

// TestBackupsInUseByRollback: the newest apply's backups are in use, and
// so are the folders it restored from.
func TestBackupsInUseByRollback(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		".links/backups/20260101T000000Z-000001/a": "file:a",
		".links/backups/20260102T000000Z-000002/b": "file:b",
		".links/backups/20260103T000000Z-000003/c": "file:c",
	})
	j := lines(
		`{"apply_id":"20260101T000000Z-000001","time":"2026-01-01T00:00:00Z","status":"begin"}`,
		`{"apply_id":"20260101T000000Z-000001","status":"intent","dest":"a","action":"replace","before":{"Type":"file"},"after":{"Type":"symlink","Link":"t"},"backup":".links/backups/20260101T000000Z-000001/a"}`,
		`{"apply_id":"20260101T000000Z-000001","status":"done","dest":"a","action":"replace"}`,
		`{"apply_id":"20260101T000000Z-000001","status":"end"}`,
		`{"apply_id":"20260104T000000Z-000004","time":"2026-01-04T00:00:00Z","status":"begin","rollback_of":"20260102T000000Z-000002"}`,
		`{"apply_id":"20260104T000000Z-000004","status":"intent","dest":"b","action":"replace","before":{"Type":"symlink","Link":"t"},"after":{"Type":"file"},"backup":".links/backups/20260102T000000Z-000002/b"}`,
		`{"apply_id":"20260104T000000Z-000004","status":"failed","dest":"b","action":"replace","error":"boom"}`,
		`{"apply_id":"20260104T000000Z-000004","status":"end","error":"1 of 1 changes failed"}`,
	)
	mkTree(t, root, map[string]string{".links/journal.jsonl": "file:" + j})
	r := open(t, parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: t}\n"))
	list, err := r.State.Backups(readJournal(t, r))
	if err != nil {
		t.Fatal(err)
	}
	var inUse []string
	for _, b := range list {
		if b.InUse {
			inUse = append(inUse, b.ApplyID)
		}
	}
	if !reflect.DeepEqual(inUse, []string{"20260102T000000Z-000002"}) {
		t.Errorf("in use %q, want the folder the last apply restores from", inUse)
	}
	if got := backupIDs(list); !reflect.DeepEqual(got, []string{"20260103T000000Z-000003", "20260102T000000Z-000002", "20260101T000000Z-000001"}) {
		t.Errorf("order %q", got)
	}
	if list[2].Entries != 1 || list[1].Entries != -1 {
		t.Errorf("entries: %d, %d", list[2].Entries, list[1].Entries)
	}

	// A newer apply that only cleaned leftovers: the one before it, which
	// rollback undoes by default, keeps its backups in use, and so does
	// the cleaning apply's own folder.
	j += lines(
		`{"apply_id":"20260105T000000Z-000005","time":"2026-01-05T00:00:00Z","status":"begin"}`,
		`{"apply_id":"20260105T000000Z-000005","status":"intent","dest":"d/.x.links-tmp.01020304","action":"recover-leftover","before":{"Type":"file"},"backup":".links/backups/20260105T000000Z-000005/recovered/d/.x.links-tmp.01020304"}`,
		`{"apply_id":"20260105T000000Z-000005","status":"done","dest":"d/.x.links-tmp.01020304","action":"recover-leftover","backup":".links/backups/20260105T000000Z-000005/recovered/d/.x.links-tmp.01020304"}`,
		`{"apply_id":"20260105T000000Z-000005","status":"end"}`,
	)
	mkTree(t, root, map[string]string{".links/backups/20260105T000000Z-000005/recovered/d/.x.links-tmp.01020304": "file:x"})
	if err := os.WriteFile(filepath.Join(root, ".links", journal.JournalFile), []byte(j), 0o644); err != nil {
		t.Fatal(err)
	}
	if list, err = r.State.Backups(readJournal(t, r)); err != nil {
		t.Fatal(err)
	}
	inUse = nil
	for _, b := range list {
		if b.InUse {
			inUse = append(inUse, b.ApplyID)
		}
	}
	if !reflect.DeepEqual(inUse, []string{"20260105T000000Z-000005", "20260102T000000Z-000002"}) {
		t.Errorf("in use after a cleaning apply %q", inUse)
	}
}

func TestPruneCandidates(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	list := []journal.Backup{ // newest first, as Backups returns them
		{ApplyID: "in-use", Time: now.Add(-1 * day), Known: true, InUse: true},
		{ApplyID: "d2", Time: now.Add(-2 * day), Known: true},
		{ApplyID: "mine", Time: now.Add(-3 * day)},
		{ApplyID: "d10", Time: now.Add(-10 * day), Known: true},
		{ApplyID: "d40", Time: now.Add(-40 * day), Known: true},
	}
	tests := []struct {
		name string
		opts journal.PruneOptions
		want []string
	}{
		{"no rule", journal.PruneOptions{Keep: -1}, nil},
		{"older than 5 days", journal.PruneOptions{Keep: -1, OlderThan: 5 * day}, []string{"d10", "d40"}},
		{"older than a day: never the one in use", journal.PruneOptions{Keep: -1, OlderThan: day / 2}, []string{"d2", "d10", "d40"}},
		{"keep 2 (the one in use counts)", journal.PruneOptions{Keep: 2}, []string{"d10", "d40"}},
		{"keep 0", journal.PruneOptions{Keep: 0}, []string{"d2", "d10", "d40"}},
		{"keep 1, older than 20 days: both must pick", journal.PruneOptions{Keep: 1, OlderThan: 20 * day}, []string{"d40"}},
		{"keep 4, older than a day", journal.PruneOptions{Keep: 4, OlderThan: day}, nil},
		{"exactly the age is not older", journal.PruneOptions{Keep: -1, OlderThan: 10 * day}, []string{"d40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = now
			if got := backupIDs(journal.PruneCandidates(list, tt.opts)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
