package reconcile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile/journal"
)

// TestApplyPipelinesIntents: with batches of 2, the next batch's intents
// are journaled while a batch's changes are made, so they reach the
// journal before that batch's outcomes; every outcome still follows its
// own intent, every change is made, and the journal reads back as one
// complete apply with every step done.
func TestApplyPipelinesIntents(t *testing.T) {
	needSymlinks(t)
	root := t.TempDir()
	tree := map[string]string{"t": "file:x"}
	var y strings.Builder
	y.WriteString("version: 1\nlinks:\n")
	for i := range 9 {
		fmt.Fprintf(&y, "  l%d:\n    dest: d%d/l%d\n    target: t\n    replace: any\n", i, i%3, i)
		tree[fmt.Sprintf("d%d/.keep", i%3)] = "file:"
		if i%4 == 1 {
			tree[fmt.Sprintf("d%d/l%d", i%3, i)] = "file:displaced"
		}
	}
	_, r, p := buildPlanned(t, root, tree, y.String())
	// The first change waits until batch 2's intents are in the journal
	// (or 5 s): pipelined, the journal's writer writes them meanwhile;
	// without that wait, whether the worker's first outcome or the
	// writer's next intents came first was up to the scheduler (it failed
	// 5 times in 40 under load, before and after the outbox).
	waitFS := &waitJournalFS{journal: filepath.Join(root, ".links", journal.JournalFile), want: `"dest":"d0/l6"`}
	if _, err := r.Apply(p, ApplyOptions{BatchSize: 2, WrapFS: func(fs FS) FS { waitFS.FS = fs; return waitFS }}); err != nil {
		t.Fatal(err)
	}
	for i := range 9 {
		if got, err := os.Readlink(filepath.Join(root, fmt.Sprintf("d%d/l%d", i%3, i))); err != nil || filepath.ToSlash(got) != "../t" {
			t.Errorf("l%d: %q, %v", i, got, err)
		}
	}

	f, err := os.Open(filepath.Join(root, ".links", journal.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seq []string // "intent DEST" / "done DEST" in file order
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec journal.Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("journal line %q: %v", sc.Text(), err)
		}
		if rec.Status == "intent" || rec.Status == "done" || rec.Status == "failed" {
			seq = append(seq, string(rec.Status)+" "+rec.Dest)
		}
	}
	pos := map[string]int{}
	for i, s := range seq {
		pos[s] = i
	}
	for i := range 9 {
		d := fmt.Sprintf("d%d/l%d", i%3, i)
		in, ok1 := pos["intent "+d]
		out, ok2 := pos["done "+d]
		if !ok1 || !ok2 || in > out {
			t.Errorf("%s: intent at %d (%v), done at %d (%v): want both, intent first", d, in, ok1, out, ok2)
		}
	}
	// The plan's order is by dest: batch 1 is d0/l0, d0/l3; batch 2 d0/l6,
	// d1/l1. Batch 2's intents are written during batch 1's changes.
	if pos["intent d0/l6"] > pos["done d0/l0"] {
		t.Errorf("batch 2's intents after batch 1's outcomes: not pipelined\n%s", strings.Join(seq, "\n"))
	}
	assertStateAtJournalEnd(t, root)
	h, err := r.State.ReadJournal()
	if err != nil {
		t.Fatal(err)
	}
	a := h.LastChange()
	if a == nil || a.Status != journal.ApplyComplete || len(a.Steps) != 9 {
		t.Fatalf("journal: %+v, want one complete apply of 9 steps", a)
	}
	for _, s := range a.Steps {
		if s.Status != journal.StepDone {
			t.Errorf("step %s: %s, want done", s.Dest, s.Status)
		}
	}
}

// waitJournalFS holds the first Symlink until the journal holds want.
type waitJournalFS struct {
	FS
	journal, want string
	once          sync.Once
}

func (f *waitJournalFS) Symlink(text, dir, name string, kind manifest.Kind) error {
	f.once.Do(func() {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if b, _ := os.ReadFile(f.journal); bytes.Contains(b, []byte(f.want)) {
				return
			}
		}
	})
	return f.FS.Symlink(text, dir, name, kind)
}
