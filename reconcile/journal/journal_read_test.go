package journal

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linksdev/links/plan"
)

// Journal lines as the writer makes them (Record marshals State and Summary
// with Go field names).
func jBegin(id string) string {
	return `{"apply_id":"` + id + `","time":"2026-02-07T12:00:00Z","status":"begin","actor":{"user":"ann","uid":"1000","host":"box","pid":42},"manifest":"links.yaml","summary":{"Create":1,"Update":1,"Replace":0,"Delete":0,"Noop":3,"Conflict":0}}`
}

func jIntent(id, dest, action string) string {
	before, after := `{"Type":"missing","Link":"","Identity":""}`, `{"Type":"symlink","Link":"t/`+dest+`","Identity":""}`
	if action == "update" {
		before = `{"Type":"symlink","Link":"old","Identity":""}`
	}
	return `{"apply_id":"` + id + `","time":"2026-02-07T12:00:01Z","status":"intent","name":"n_` + dest + `","dest":"` + dest + `","action":"` + action + `","before":` + before + `,"after":` + after + `}`
}

func jOutcome(id, dest, action, status, msg string) string {
	s := `{"apply_id":"` + id + `","time":"2026-02-07T12:00:02Z","status":"` + status + `","name":"n_` + dest + `","dest":"` + dest + `","action":"` + action + `"`
	if msg != "" {
		s += `,"error":"` + msg + `"`
	}
	return s + "}"
}

func jEnd(id, msg string) string {
	s := `{"apply_id":"` + id + `","time":"2026-02-07T12:00:03Z","status":"end","summary":{"Create":1,"Update":1,"Replace":0,"Delete":0,"Noop":3,"Conflict":0}`
	if msg != "" {
		s += `,"error":"` + msg + `"`
	}
	return s + "}"
}

// describe renders a history compactly: "ID status [step:status ...]".
func describeHistory(h *History) []string {
	var out []string
	for _, a := range h.Applies {
		var steps []string
		for _, s := range a.Steps {
			steps = append(steps, s.Dest+":"+string(s.Status))
		}
		out = append(out, fmt.Sprintf("%s %s [%s]", a.ID, a.Status, strings.Join(steps, " ")))
	}
	return out
}

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestParseJournal(t *testing.T) {
	complete := lines(jBegin("A"), jIntent("A", "x", "create"), jIntent("A", "y", "update"),
		jOutcome("A", "x", "create", "done", ""), jOutcome("A", "y", "update", "done", ""), jEnd("A", ""))
	tests := []struct {
		name    string
		journal string
		want    []string
		skipped int
		lines   []int
	}{
		{name: "empty", journal: ""},
		{name: "blank lines", journal: "\n  \n\r\n"},
		{name: "complete", journal: complete, want: []string{"A complete [x:done y:done]"}},
		{name: "no trailing newline", journal: strings.TrimSuffix(complete, "\n"), want: []string{"A complete [x:done y:done]"}},
		{name: "CRLF", journal: strings.ReplaceAll(complete, "\n", "\r\n"), want: []string{"A complete [x:done y:done]"}},
		{
			name: "failed mutation",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), jIntent("A", "y", "update"),
				jOutcome("A", "x", "create", "done", ""), jOutcome("A", "y", "update", "failed", "update y: permission denied"), jEnd("A", "1 of 2 changes failed")),
			want: []string{"A failed [x:done y:failed]"},
		},
		{
			name:    "end with error and no failed mutation",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), jOutcome("A", "x", "create", "done", ""), jEnd("A", "fsync app: input/output error")),
			want:    []string{"A failed [x:done]"},
		},
		{
			name:    "killed between intent and done",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), jIntent("A", "y", "update"), jOutcome("A", "x", "create", "done", "")),
			want:    []string{"A interrupted [x:done y:interrupted]"},
		},
		{
			name:    "killed after the mutations, before end",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), jOutcome("A", "x", "create", "done", "")),
			want:    []string{"A interrupted [x:done]"},
		},
		{
			name:    "begin only",
			journal: lines(jBegin("A")),
			want:    []string{"A interrupted []"},
		},
		{
			name:    "intent without outcome despite an end",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), jEnd("A", "")),
			want:    []string{"A interrupted [x:interrupted]"},
		},
		{
			name:    "interrupted, then the next apply",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), jBegin("B"), jIntent("B", "x", "create"), jOutcome("B", "x", "create", "done", ""), jEnd("B", "")),
			want:    []string{"A interrupted [x:interrupted]", "B complete [x:done]"},
		},
		{
			name: "corrupt lines are skipped and counted",
			journal: lines(jBegin("A"), "garbage", `null`, `[1,2]`, `"str"`, `{}`, `{"apply_id":"A","status":"weird"}`,
				`{"status":"begin"}`, jIntent("A", "x", "create"), `{"apply_id":"A","sta`, jOutcome("A", "x", "create", "done", ""), jEnd("A", "")),
			want:    []string{"A complete [x:done]"},
			skipped: 8,
			lines:   []int{2, 3, 4, 5, 6, 7, 8, 10},
		},
		{
			name:    "torn last line",
			journal: lines(jBegin("A"), jIntent("A", "x", "create")) + `{"apply_id":"A","time":"2026-02-07T12:00:02Z","status":"do`,
			want:    []string{"A interrupted [x:interrupted]"},
			skipped: 1,
			lines:   []int{3},
		},
		{
			// The killed apply's torn line has no newline, so the next
			// apply's begin record lands on the same line.
			name: "record appended to a torn line is salvaged",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), `{"apply_id":"A","time":"2026-02-07T12:00:02Z","status":"do`+jBegin("B"),
				jIntent("B", "x", "create"), jOutcome("B", "x", "create", "done", ""), jEnd("B", "")),
			want:    []string{"A interrupted [x:interrupted]", "B complete [x:done]"},
			skipped: 1,
			lines:   []int{3},
		},
		{
			name:    "zeroed blocks after a crash",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), "\x00\x00\x00\x00\x00\x00"+jOutcome("A", "x", "create", "done", ""), jEnd("A", "")),
			want:    []string{"A complete [x:done]"},
			skipped: 1,
			lines:   []int{3},
		},
		{
			name:    "a line too long to be a record",
			journal: lines(jBegin("A"), `{"apply_id":"A","name":"`+strings.Repeat("x", maxLine+10)+`"}`, jIntent("A", "x", "create"), jOutcome("A", "x", "create", "done", ""), jEnd("A", "")),
			want:    []string{"A complete [x:done]"},
			skipped: 1,
			lines:   []int{2},
		},
		{
			// Salvaging tries one parse per line, not one per record start.
			name:    "a damaged line full of record starts",
			journal: lines(jBegin("A"), strings.Repeat(`{"apply_id":`, maxLine/13), jEnd("A", "")),
			want:    []string{"A complete []"},
			skipped: 1,
			lines:   []int{2},
		},
		{
			name:    "outcome whose intent is unreadable",
			journal: lines(jBegin("A"), `{"apply_id":"A","status":"intent","dest":"x"`, jOutcome("A", "x", "create", "done", ""), jEnd("A", "")),
			want:    []string{"A complete [x:done]"},
			skipped: 1,
			lines:   []int{2},
		},
		{
			name:    "records without a begin",
			journal: lines(jIntent("A", "x", "create"), jOutcome("A", "x", "create", "done", ""), jEnd("A", "")),
			want:    []string{"A complete [x:done]"},
		},
		{
			name: "two applies of one saved plan",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"), jOutcome("A", "x", "create", "failed", "boom"), jEnd("A", "1 of 1 changes failed"),
				jBegin("B"), jEnd("B", ""),
				jBegin("A"), jIntent("A", "x", "create"), jOutcome("A", "x", "create", "done", ""), jEnd("A", "")),
			want: []string{"B complete []", "A complete [x:failed x:done]"},
		},
		{
			name: "a saved plan applied again after a kill",
			journal: lines(jBegin("A"), jIntent("A", "x", "create"),
				jBegin("A"), jIntent("A", "x", "create"), jOutcome("A", "x", "create", "failed", "stale"), jEnd("A", "1 of 1 changes failed")),
			want: []string{"A failed [x:interrupted x:failed]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseJournal(strings.NewReader(tt.journal))
			if err != nil {
				t.Fatal(err)
			}
			if got := describeHistory(h); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("applies:\n got %q\nwant %q", got, tt.want)
			}
			if h.Skipped != tt.skipped || !reflect.DeepEqual(h.SkippedLines, tt.lines) {
				t.Errorf("skipped %d %v, want %d %v", h.Skipped, h.SkippedLines, tt.skipped, tt.lines)
			}
		})
	}
}

func TestParseJournalFields(t *testing.T) {
	j := lines(
		jBegin("20260207T120000Z-aaaaaa"),
		`{"apply_id":"20260207T120000Z-aaaaaa","time":"2026-02-07T12:00:01Z","status":"intent","name":"conf","dest":"app/conf","action":"replace","before":{"Type":"file","Link":"","Identity":"1:2:3:4"},"after":{"Type":"symlink","Link":"../shared/conf","Identity":""},"backup":".links/backups/20260207T120000Z-aaaaaa/app/conf","temp":".conf.links-tmp.01020304"}`,
		`{"apply_id":"20260207T120000Z-aaaaaa","time":"2026-02-07T12:00:02Z","status":"done","name":"conf","dest":"app/conf","action":"replace"}`,
		`{"apply_id":"20260207T120000Z-aaaaaa","time":"2026-02-07T12:00:03.5Z","status":"end","summary":{"Create":0,"Update":0,"Replace":1,"Delete":0,"Noop":0,"Conflict":0}}`,
		// A rollback, written with lower-case state and summary keys (as a
		// later writer may), and a field this reader does not know.
		`{"apply_id":"20260208T090000Z-bbbbbb","time":"2026-02-08T09:00:00Z","status":"begin","rollback_of":"20260207T120000Z-aaaaaa","summary":{"replace":1},"future":true}`,
		`{"apply_id":"20260208T090000Z-bbbbbb","time":"2026-02-08T09:00:01Z","status":"intent","name":"conf","dest":"app/conf","action":"replace","before":{"type":"symlink","link":"../shared/conf"},"after":{"type":"file"},"backup":".links/backups/20260207T120000Z-aaaaaa/app/conf"}`,
		`{"apply_id":"20260208T090000Z-bbbbbb","time":"2026-02-08T09:00:02Z","status":"done","dest":"app/conf","action":"replace"}`,
		`{"apply_id":"20260208T090000Z-bbbbbb","time":"2026-02-08T09:00:03Z","status":"end"}`,
		// A leftover cleaned by the next apply; a field of the wrong type
		// spoils only itself.
		`{"apply_id":"20260209T090000Z-cccccc","time":"2026-02-09T09:00:00Z","status":"begin","actor":{"user":"bob","pid":"not a number"}}`,
		`{"apply_id":"20260209T090000Z-cccccc","status":"intent","dest":"app/.conf.links-tmp.01020304","action":"recover-leftover","before":{"Type":"file"},"backup":".links/backups/20260209T090000Z-cccccc/recovered/app/.conf.links-tmp.01020304"}`,
		`{"apply_id":"20260209T090000Z-cccccc","status":"done","dest":"app/.conf.links-tmp.01020304","action":"recover-leftover","backup":".links/backups/20260209T090000Z-cccccc/recovered/app/.conf.links-tmp.01020304"}`,
		`{"apply_id":"20260209T090000Z-cccccc","status":"end"}`,
	)
	h, err := ParseJournal(strings.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	if h.Skipped != 0 || len(h.Applies) != 3 {
		t.Fatalf("%d applies, %d skipped: %q", len(h.Applies), h.Skipped, describeHistory(h))
	}
	a := h.Applies[0]
	wantStart := time.Date(2026, 2, 7, 12, 0, 0, 0, time.UTC)
	if !a.Start.Equal(wantStart) || !a.End.Equal(wantStart.Add(3500*time.Millisecond)) {
		t.Errorf("start %v end %v", a.Start, a.End)
	}
	if a.Actor != (Actor{User: "ann", UID: "1000", Host: "box", PID: 42}) || a.Manifest != "links.yaml" || a.Status != ApplyComplete {
		t.Errorf("apply: %+v", a)
	}
	if a.Summary != (plan.Summary{Create: 1, Update: 1, Noop: 3}) {
		t.Errorf("summary %+v, want the begin record's", a.Summary)
	}
	wantStep := Step{
		Name: "conf", Dest: "app/conf", Action: "replace",
		Before: plan.State{Type: "file", Identity: "1:2:3:4"}, After: plan.State{Type: "symlink", Link: "../shared/conf"},
		Backup: ".links/backups/20260207T120000Z-aaaaaa/app/conf", Temp: ".conf.links-tmp.01020304", Status: StepDone,
	}
	if !reflect.DeepEqual(a.Steps, []Step{wantStep}) {
		t.Errorf("steps:\n got %+v\nwant %+v", a.Steps, wantStep)
	}

	rb := h.Applies[1]
	if rb.RollbackOf != a.ID || rb.Summary != (plan.Summary{Replace: 1}) || rb.Status != ApplyComplete {
		t.Errorf("rollback: %+v", rb)
	}
	if got := rb.Mutations(); len(got) != 1 || got[0].Before != (plan.State{Type: "symlink", Link: "../shared/conf"}) || got[0].After.Type != "file" || got[0].Name != "conf" {
		t.Errorf("rollback mutations: %+v", got)
	}

	rec := h.Applies[2]
	if rec.Actor.User != "bob" || rec.Status != ApplyComplete || len(rec.Steps) != 1 {
		t.Errorf("recovery apply: %+v", rec)
	}
	if m := rec.Mutations(); len(m) != 0 {
		t.Errorf("leftover cleaning is not a mutation to roll back: %+v", m)
	}
	if rec.Summary != (plan.Summary{}) {
		t.Errorf("summary without records: %+v", rec.Summary)
	}
	if h.LastChange() != rb {
		t.Errorf("LastChange = %v, want the rollback (the recovery apply after it changed no links)", h.LastChange())
	}
}

func TestHistoryInterrupted(t *testing.T) {
	tests := []struct {
		name    string
		journal string
		want    []string
	}{
		{"none", lines(jBegin("A"), jEnd("A", "")), nil},
		{"the last", lines(jBegin("A"), jEnd("A", ""), jBegin("B")), []string{"B"}},
		{"converged since", lines(jBegin("A"), jBegin("B"), jEnd("B", "")), nil},
		{"a failed apply also ran to its end", lines(jBegin("A"), jBegin("B"), jEnd("B", "1 of 1 changes failed")), nil},
		{"several in a row", lines(jBegin("A"), jEnd("A", ""), jBegin("B"), jBegin("C")), []string{"B", "C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseJournal(strings.NewReader(tt.journal))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range h.Interrupted() {
				got = append(got, a.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Interrupted = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHistoryFind(t *testing.T) {
	h, err := ParseJournal(strings.NewReader(lines(jBegin("20260207T120000Z-aaaaaa"), jBegin("20260207T130000Z-bbbbbb"), jBegin("20260207T13"))))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ id, want, err string }{
		{id: "20260207T120000Z-aaaaaa", want: "20260207T120000Z-aaaaaa"},
		{id: "20260207T12", want: "20260207T120000Z-aaaaaa"},
		{id: "20260207T13", want: "20260207T13"}, // an exact id wins over a prefix
		{id: "20260207T130", want: "20260207T130000Z-bbbbbb"},
		{id: "2026", err: `apply id "2026" is ambiguous: it begins 20260207T120000Z-aaaaaa, 20260207T130000Z-bbbbbb, 20260207T13; give more of it`},
		{id: "nope", err: `no apply "nope" in the journal; links log lists them`},
		{id: "", err: `no apply "" in the journal; links log lists them`},
	} {
		a, err := h.Find(tt.id)
		if tt.err != "" {
			var ue *UnknownApplyError
			if !errors.As(err, &ue) || err.Error() != tt.err {
				t.Errorf("Find(%q) error %v, want %s", tt.id, err, tt.err)
			}
			continue
		}
		if err != nil || a.ID != tt.want {
			t.Errorf("Find(%q) = %v, %v; want %s", tt.id, a, err, tt.want)
		}
	}
	if (&History{}).LastChange() != nil {
		t.Error("LastChange of an empty history is not nil")
	}
}

// TestReadJournal reads what real applies wrote, through the root.
// FuzzReadJournal: no input makes the reader panic or break its promises.
func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(lines(jBegin("A"), jIntent("A", "x", "create"), jOutcome("A", "x", "create", "done", ""), jEnd("A", ""))))
	f.Add([]byte(lines(jBegin("A"), jIntent("A", "x", "create")) + `{"apply_id":"A","st` + jBegin("B") + "\n"))
	f.Add([]byte("\x00\x00\n{}\nnull\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseJournal(strings.NewReader(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		nlines := strings.Count(string(data), "\n") + 1
		if h.Skipped > nlines || len(h.SkippedLines) > min(h.Skipped, maxSkippedLines) {
			t.Fatalf("skipped %d %v of %d lines", h.Skipped, h.SkippedLines, nlines)
		}
		for _, a := range h.Applies {
			if a.ID == "" {
				t.Fatal("apply without an id")
			}
			switch a.Status {
			case ApplyComplete, ApplyFailed, ApplyInterrupted:
			default:
				t.Fatalf("status %q", a.Status)
			}
			for _, s := range a.Steps {
				switch s.Status {
				case StepDone, StepFailed, StepInterrupted:
				default:
					t.Fatalf("step status %q", s.Status)
				}
			}
			if got, err := h.Find(a.ID); err != nil || got != a {
				t.Fatalf("Find(%q) = %v, %v", a.ID, got, err)
			}
			_ = a.Mutations()
		}
		for _, a := range h.Interrupted() {
			if a.Status != ApplyInterrupted {
				t.Fatalf("Interrupted lists a %s apply", a.Status)
			}
		}
	})
}
