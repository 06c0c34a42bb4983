package journal

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linksdev/links/plan"
)

// lazyDir is a state_dir in a temporary folder holding a state file of
// links, and the path of that file.
func lazyDir(t *testing.T, links map[string]Owned) (*Dir, string) {
	t.Helper()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	d := New(root, Options{StateDir: ".", Manifest: "links.yaml", SyncDir: func(string) error { return nil }})
	file := filepath.Join(dir, StateFile)
	if err := os.WriteFile(file, encodeState(&stateWire{FormatVersion: stateFormat, Links: links}), 0o644); err != nil {
		t.Fatal(err)
	}
	return d, file
}

var lazyLinks = map[string]Owned{
	"a":    {Manifest: "links.yaml", Name: "a", Link: "t/a", ApplyID: "id1"},
	"b/c":  {Manifest: "links.yaml", Name: "bc", Link: "t/c", ApplyID: "id1", Backup: ".links/backups/id1/b/c", BackupType: plan.TypeFile, BackupIdentity: "1:2:3:4"},
	"d\"q": {Manifest: "other.yaml", Name: "x\ny", Link: "t/d", ApplyID: "id0"},
}

// TestReadStateLazy: an apply's lazily read record holds what ReadState
// reads; under the lock it is read from the bytes the plan read under
// the same hold (changing the file between them does not change what the
// apply sees); outside the lock, and once the hold ends or the file is
// replaced, the file is read again.
func TestReadStateLazy(t *testing.T) {
	d, file := lazyDir(t, lazyLinks)
	lock, err := d.Lock(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadOwnership(func(string) bool { return false }); err != nil { // the plan's read
		t.Fatal(err)
	}
	// Not links: kept bytes are used for the rest of the hold.
	other := map[string]Owned{"z": {Manifest: "links.yaml", Name: "z", Link: "t/z", ApplyID: "id9"}}
	if err := os.WriteFile(file, encodeState(&stateWire{FormatVersion: stateFormat, Links: other}), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := d.ReadStateLazy()
	if err != nil {
		t.Fatal(err)
	}
	if o.raw == nil || o.Links != nil {
		t.Fatalf("record read eagerly (raw %d bytes, %d links)", len(o.raw), len(o.Links))
	}
	o.materialize()
	if !reflect.DeepEqual(o.Links, lazyLinks) {
		t.Errorf("lazy record = %v, want %v", o.Links, lazyLinks)
	}
	// Replacing the state file drops the kept bytes.
	if err := d.WriteLinks(7, EncodeLinks(other)); err != nil {
		t.Fatal(err)
	}
	if o, err := d.ReadState(); err != nil || !reflect.DeepEqual(o.Links, other) || o.JournalOffset != 7 {
		t.Fatalf("after WriteLinks: %v, %v", o, err)
	}
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}
	// Outside the lock nothing is kept: each read reads the file.
	if err := os.WriteFile(file, encodeState(&stateWire{FormatVersion: stateFormat, Links: lazyLinks}), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err = d.ReadStateLazy()
	if err != nil || o.raw == nil {
		t.Fatalf("outside the lock: not read lazily: %v, %v", o, err)
	}
	if o.materialize(); !reflect.DeepEqual(o.Links, lazyLinks) {
		t.Fatalf("outside the lock: %v, want %v", o.Links, lazyLinks)
	}
	if err := os.WriteFile(file, encodeState(&stateWire{FormatVersion: stateFormat, Links: other}), 0o644); err != nil {
		t.Fatal(err)
	}
	if o, err := d.ReadState(); err != nil || !reflect.DeepEqual(o.Links, other) {
		t.Fatalf("outside the lock, after a change: %v, %v", o, err)
	}
}

// TestReadStateLazyRefusesCorrupt: a state file the fast decoder would
// skip through but that is not valid JSON (an escape JSON does not have,
// in an entry the plan does not keep) is an error for the apply, as it is
// for ReadState, never copied into the next state file.
func TestReadStateLazyRefusesCorrupt(t *testing.T) {
	for _, bad := range []string{`x\q`, `x\u12`, `x\u12g4`, "x\\"} {
		d, file := lazyDir(t, lazyLinks)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.Replace(string(b), `"link":"t/a"`, `"link":"`+bad+`"`, 1))
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		lock, err := d.Lock(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ReadOwnership(func(string) bool { return false }); err == nil {
			t.Errorf("%q: the plan's filtered read took a corrupt state file", bad)
		}
		var se *StateError
		if _, err := d.ReadStateLazy(); !errors.As(err, &se) {
			t.Errorf("%q: ReadStateLazy = %v, want a StateError", bad, err)
		}
		if _, err := d.ReadState(); !errors.As(err, &se) {
			t.Errorf("%q: ReadState = %v, want a StateError", bad, err)
		}
		lock.Unlock()
	}
}

// TestReadStateLazyReplays: when the journal holds an apply past the state
// file's offset, the record is decoded and the journal replayed on it, as
// ReadState does.
func TestReadStateLazyReplays(t *testing.T) {
	d, _ := lazyDir(t, lazyLinks)
	at := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	j, err := d.OpenWriter("id2", func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	j.Add(Record{Status: Begin, ManifestKey: "links.yaml"})
	j.Add(Record{Status: Intent, Name: "e", Dest: "e", Action: "create", Before: &plan.State{Type: plan.TypeMissing}, After: &plan.State{Type: plan.TypeSymlink, Link: "t/e"}})
	j.Add(Record{Status: Done, Name: "e", Dest: "e", Action: "create"})
	j.Add(Record{Status: Intent, Name: "a", Dest: "a", Action: "delete", Before: &plan.State{Type: plan.TypeSymlink, Link: "t/a"}, After: &plan.State{Type: plan.TypeMissing}})
	j.Add(Record{Status: Done, Name: "a", Dest: "a", Action: "delete"})
	j.Add(Record{Status: End})
	if err := j.Flush(true); err != nil {
		t.Fatal(err)
	}
	j.Close()
	lock, err := d.Lock(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	o, err := d.ReadStateLazy()
	if err != nil {
		t.Fatal(err)
	}
	if o.raw != nil {
		t.Fatal("record read lazily though the journal holds an apply past it")
	}
	want, err := d.ReadState()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Links, want.Links) || o.Links["e"].Link != "t/e" || len(o.Links) != len(lazyLinks) {
		t.Errorf("lazy read = %v, ReadState = %v", o.Links, want.Links)
	}
}
