package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

func TestReadJournal(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"t/a": "file:a", "t/b": "file:b", "conf": "file:hand-made"})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: t/a}\n  conf: {dest: conf, target: t/b, replace: file}\n")

	// No state_dir yet: an empty history.
	h, err := open(t, m).State.ReadJournal()
	if err != nil || len(h.Applies) != 0 || h.Skipped != 0 {
		t.Fatalf("missing journal: %+v, %v", h, err)
	}

	p1 := mustApply(t, m)
	m2 := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: t/b}\n  conf: {dest: conf, target: t/b, replace: file}\n")
	p2 := mustApply(t, m2)
	h = readHistory(t, m)
	want := []string{p1.ID + " complete [conf:done cur:done]", p2.ID + " complete [cur:done]"}
	if got := historyLines(h); !reflect.DeepEqual(got, want) || h.Skipped != 0 {
		t.Fatalf("history %q (%d skipped), want %q", got, h.Skipped, want)
	}
	first := h.Applies[0]
	if first.Summary != (plan.Summary{Create: 1, Replace: 1}) || first.Actor != journal.CurrentActor() || first.Manifest != p1.Manifest {
		t.Errorf("first apply: %+v", first)
	}
	if b := first.Steps[0].Backup; b != ".links/backups/"+p1.ID+"/conf" {
		t.Errorf("backup %q", b)
	}
	muts := h.LastChange().Mutations()
	if len(muts) != 1 || muts[0].Before != (plan.State{Type: plan.TypeSymlink, Link: "t/a"}) || muts[0].After != (plan.State{Type: plan.TypeSymlink, Link: "t/b"}) {
		t.Errorf("last apply's mutations: %+v", muts)
	}

	// A killed apply: its intent is on disk, its outcome and end are not.
	f, err := os.OpenFile(filepath.Join(root, ".links", journal.JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "%s\n%s\n", killedBegin, killedIntent)
	f.WriteString(`{"apply_id":"20990101T000000Z-dead00","time":"2099-01`) // torn
	f.Close()
	h = readHistory(t, m)
	if got := h.Interrupted(); len(got) != 1 || got[0].ID != "20990101T000000Z-dead00" || h.Skipped != 1 {
		t.Errorf("after a killed apply: interrupted %v, skipped %d", got, h.Skipped)
	}

	// The next apply is journaled after the torn line, and read back.
	m3 := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: t/a}\n  conf: {dest: conf, target: t/b, replace: file}\n")
	p3 := mustApply(t, m3)
	h = readHistory(t, m)
	if last := h.LastChange(); last.ID != p3.ID || last.Status != journal.ApplyComplete || len(h.Interrupted()) != 0 {
		t.Errorf("after the next apply: %q, interrupted %v", historyLines(h), h.Interrupted())
	}
}

func TestReadJournalNotAFile(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{".links/journal.jsonl/x": "file:x"})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: cur, target: t}\n")
	if _, err := open(t, m).State.ReadJournal(); err == nil || !strings.Contains(err.Error(), "read journal .links/journal.jsonl") {
		t.Errorf("journal that is a folder: %v", err)
	}
}

// historyLines is each apply of h as "id status [dest:status ...]".
func historyLines(h *journal.History) []string {
	var out []string
	for _, a := range h.Applies {
		var steps []string
		for _, s := range a.Steps {
			steps = append(steps, s.Dest+":"+string(s.Status))
		}
		out = append(out, a.ID+" "+string(a.Status)+" ["+strings.Join(steps, " ")+"]")
	}
	return out
}

// A begin and an intent record of a killed apply, as the writer makes them.
const (
	killedBegin  = `{"apply_id":"20990101T000000Z-dead00","time":"2026-02-07T12:00:00Z","status":"begin","actor":{"user":"ann","uid":"1000","host":"box","pid":42},"manifest":"links.yaml","summary":{"Create":1,"Update":1,"Replace":0,"Delete":0,"Noop":3,"Conflict":0}}`
	killedIntent = `{"apply_id":"20990101T000000Z-dead00","time":"2026-02-07T12:00:01Z","status":"intent","dest":"cur","action":"update","before":{"type":"symlink","link":"old"},"after":{"type":"symlink","link":"t/cur"}}`
)

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// mustApply plans and applies m, failing the test on an error.
func mustApply(t *testing.T, m *manifest.Manifest) *plan.Plan {
	t.Helper()
	p, _, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// readHistory reads the journal of m's root.
func readHistory(t *testing.T, m *manifest.Manifest) *journal.History {
	t.Helper()
	h, err := open(t, m).State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
