package journal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/linksdev/links/plan"
)

// checkRecordEncoding: appendRecord writes valid JSON that reads back,
// with encoding/json, to the same Record as json.Marshal's output does
// (both turn invalid UTF-8 into U+FFFD), and to the same document key by
// key, omitted keys included.
func checkRecordEncoding(t *testing.T, rec Record) {
	t.Helper()
	got := appendRecord(nil, &rec)
	want, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(got) {
		t.Fatalf("not valid JSON: %s", got)
	}
	var gotRec, wantRec Record
	var gotDoc, wantDoc any
	for _, u := range []struct {
		data []byte
		into any
	}{{got, &gotRec}, {want, &wantRec}, {got, &gotDoc}, {want, &wantDoc}} {
		if err := json.Unmarshal(u.data, u.into); err != nil {
			t.Fatalf("%s: %v", u.data, err)
		}
	}
	if !reflect.DeepEqual(gotRec, wantRec) {
		t.Fatalf("reads back as\n%+v\nencoding/json's as\n%+v\nfrom %s", gotRec, wantRec, got)
	}
	if !reflect.DeepEqual(gotDoc, wantDoc) {
		t.Fatalf("document\n%s\nencoding/json makes\n%s", got, want)
	}
}

func TestAppendRecordMatchesEncodingJSON(t *testing.T) {
	actor := &Actor{User: "ana", UID: "1000", Host: "build-1", PID: 4242}
	s := plan.Summary{Create: 1, Update: 2, Replace: 3, Delete: 4, Noop: 5, Conflict: 0}
	for _, rec := range []Record{
		{},
		{ApplyID: "20261123T1540Z-ab12", Time: recordTime(time.Date(2026, 11, 23, 15, 40, 1, 120000000, time.UTC)), Status: "begin", Actor: actor, Manifest: "links.yaml", ManifestKey: "/srv/app/links.yaml", Summary: &s},
		{ApplyID: "x", Status: "begin", RollbackOf: "y", Summary: &plan.Summary{}},
		{ApplyID: "x", Status: "intent", Actor: actor, Name: "current", Dest: "current", Action: "update",
			Before: &plan.State{Type: plan.TypeSymlink, Link: "releases/1"}, After: &plan.State{Type: plan.TypeSymlink, Link: "releases/2"}, Temp: ".current.links-tmp.4f2a09c1"},
		{ApplyID: "x", Status: "intent", Name: "cfg", Dest: "etc/app.conf", Action: "replace",
			Before: &plan.State{Type: plan.TypeFile, Identity: "2049:1234:10:1700000000"}, After: &plan.State{Type: plan.TypeSymlink, Link: "../shared/app.conf"}, Backup: ".links/backups/x/etc/app.conf"},
		{ApplyID: "x", Status: "intent", Before: &plan.State{}, After: &plan.State{}},
		{ApplyID: "x", Status: "done", Name: "cfg", Dest: "etc/app.conf", Action: "replace"},
		{ApplyID: "x", Status: "failed", Dest: "d", Action: "create", Error: "create d: symlink d: permission denied"},
		{ApplyID: "x", Status: "end", Summary: &s, Error: "1 of 15 changes failed"},
		// Strings JSON must escape, and ones only encoding/json escapes.
		{ApplyID: "q\"uote", Status: "back\\slash", Name: "new\nline\ttab\x00nul\x1f", Dest: "<a>&b", Action: "\u2028\u2029",
			Actor: &Actor{User: "é ü 日本", Host: "bad\xffutf8", PID: -1}, Error: "\x7f", Backup: "\xed\xa0\x80"},
	} {
		checkRecordEncoding(t, rec)
	}
}

// TestJournalEncodeLine: encode stamps the record with the apply's id and
// the clock, in UTC, and ends the line.
func TestJournalEncodeLine(t *testing.T) {
	at := time.Date(2026, 11, 23, 16, 0, 0, 5, time.FixedZone("CET", 3600))
	j := &Writer{id: "apply-1", now: func() time.Time { return at }}
	got := string(j.Encode([]byte("prev\n"), Record{Status: "done", Dest: "a"}))
	want := "prev\n" + `{"apply_id":"apply-1","time":"2026-11-23T15:00:00.000000005Z","status":"done","dest":"a"}` + "\n"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	// Formatted in place, the time is what the Time field would hold.
	for _, at := range []time.Time{at, at.Add(-5), time.Date(1999, 1, 2, 3, 4, 5, 600000000, time.Local), {}} {
		j.now = func() time.Time { return at }
		rec := Record{ApplyID: "apply-1", Time: recordTime(at), Status: "intent", Name: "n"}
		if got, want := string(j.Encode(nil, Record{Status: "intent", Name: "n"})), string(appendRecord(nil, &rec))+"\n"; got != want {
			t.Errorf("at %v: got %q\nwant %q", at, got, want)
		}
	}
}

// recordTime formats t as journal records do (RFC 3339, UTC, with as many
// fractional digits as needed).
func recordTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// FuzzAppendRecord holds appendRecord to encoding/json on arbitrary
// strings and numbers.
func FuzzAppendRecord(f *testing.F) {
	f.Add("id", "intent", "name", "a/b", "update", "t/x", "f", "e", 12, 3)
	f.Add("", "", "", "", "", "", "", "", 0, 0)
	f.Add("\"", "\\", "\n", "<>&", "\u2028", "\xff", "\x00", "é", -1, -7)
	f.Fuzz(func(t *testing.T, id, status, name, dest, action, link, ident, errText string, pid, n int) {
		rec := Record{ApplyID: id, Time: errText, Status: Status(status), Name: name, Dest: dest, Action: action, Error: errText, Backup: link, Temp: ident,
			Manifest: name, ManifestKey: dest, RollbackOf: action}
		checkRecordEncoding(t, rec)
		rec.Actor = &Actor{User: name, UID: id, Host: dest, PID: pid}
		rec.Before = &plan.State{Type: status, Link: link, Identity: ident}
		rec.After = &plan.State{Type: action, Link: ident}
		rec.Summary = &plan.Summary{Create: n, Update: pid, Replace: -n, Delete: n * 2, Noop: pid - n, Conflict: 1}
		rec.Staged = n%2 == 0
		checkRecordEncoding(t, rec)
	})
}

// TestTakeBack: the last record written can be taken back (an end record
// that could not be made durable), and a record written after it follows
// the records before; nothing before this apply's start can be taken.
func TestTakeBack(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := os.WriteFile(filepath.Join(dir, JournalFile), []byte(`{"earlier":"apply"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := New(root, Options{StateDir: "."})
	at := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	j, err := d.OpenWriter("id-1", func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Add(Record{Status: Begin})
	if err := j.Flush(true); err != nil {
		t.Fatal(err)
	}
	end := j.Encode(nil, Record{Status: End})
	j.Pend(end)
	if err := j.Flush(true); err != nil {
		t.Fatal(err)
	}
	if err := j.TakeBack(len(end)); err != nil {
		t.Fatal(err)
	}
	j.Add(Record{Status: End, Error: "fsync journal: no space left on device"})
	if err := j.Flush(true); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"earlier":"apply"}` + "\n" +
		`{"apply_id":"id-1","time":"2026-12-06T18:00:00Z","status":"begin"}` + "\n" +
		`{"apply_id":"id-1","time":"2026-12-06T18:00:00Z","status":"end","error":"fsync journal: no space left on device"}` + "\n"
	if string(got) != want {
		t.Errorf("journal:\n%s\nwant:\n%s", got, want)
	}
	if err := j.TakeBack(int(j.End()-j.Start()) + 1); err == nil {
		t.Error("took back more than this apply wrote")
	}
}
