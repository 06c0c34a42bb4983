package reconcile

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// symlinkFailFS fails Symlink for the names in fail.
type symlinkFailFS struct {
	FS
	fail map[string]bool
}

func (f *symlinkFailFS) Symlink(text, dir, name string, kind manifest.Kind) error {
	if f.fail[name] {
		return &os.PathError{Op: "symlinkat", Path: dir + "/" + name, Err: syscall.EIO}
	}
	return f.FS.Symlink(text, dir, name, kind)
}

// TestOutcomesDelivered: the workers hold their outcomes and deliver them
// in groups (outbox); every change still gets exactly one Progress call,
// one outcome in the journal and its place in the result, failures
// included, whatever group it fell in (the failures are at the first and
// last change of a folder, and in the middle of a group).
func TestOutcomesDelivered(t *testing.T) {
	needSymlinks(t)
	root := t.TempDir()
	const folders, per = 4, 3*outboxMax + 5
	var y strings.Builder
	y.WriteString("version: 1\nlinks:\n")
	fail := map[string]bool{}
	for d := range folders {
		for k := range per {
			fmt.Fprintf(&y, "  l%d_%03d: {dest: d%d/l%03d, target: t}\n", d, k, d, k)
		}
	}
	for _, k := range []int{0, outboxMax / 2, per - 1} {
		fail[fmt.Sprintf("l%03d", k)] = true
	}
	mkTree(t, root, map[string]string{"t": "file:x", "d0": "dir", "d1": "dir", "d2": "dir", "d3": "dir"})
	m := parse(t, root, y.String())
	r := open(t, m)
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	calls := map[string]int{}
	failedCalls := 0
	opts := ApplyOptions{
		WrapFS: func(fs FS) FS { return &symlinkFailFS{FS: fs, fail: fail} },
		Progress: func(c *plan.Change, err error) {
			mu.Lock()
			calls[c.Dest]++
			if err != nil {
				failedCalls++
			}
			mu.Unlock()
		},
	}
	res, err := r.Apply(p, opts)
	wantFailed := folders * len(fail)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d of %d changes failed", wantFailed, folders*per)) {
		t.Fatalf("apply: %v, want %d of %d changes failed", err, wantFailed, folders*per)
	}
	if res.Done != folders*per-wantFailed || len(res.Errors) != wantFailed || failedCalls != wantFailed {
		t.Errorf("done %d, errors %d, failed Progress calls %d; want %d, %d, %d", res.Done, len(res.Errors), failedCalls, folders*per-wantFailed, wantFailed, wantFailed)
	}
	for i, e := range res.Errors {
		if !errors.Is(e, syscall.EIO) || !fail[p.Changes[i].Dest[3:]] {
			t.Errorf("error for %s: %v", p.Changes[i].Dest, e)
		}
	}
	if len(calls) != folders*per {
		t.Errorf("Progress called for %d changes, want %d", len(calls), folders*per)
	}
	for d, n := range calls {
		if n != 1 {
			t.Errorf("Progress called %d times for %s", n, d)
		}
	}
	h := readJournal(t, r)
	if len(h.Applies) != 1 || h.Skipped > 0 {
		t.Fatalf("journal: %d applies, %d unreadable lines", len(h.Applies), h.Skipped)
	}
	a := h.Applies[0]
	steps := map[journal.StepStatus]int{}
	for _, st := range a.Steps {
		steps[st.Status]++
	}
	if len(a.Steps) != folders*per || steps[journal.StepDone] != folders*per-wantFailed || steps[journal.StepFailed] != wantFailed || a.Status != journal.ApplyFailed {
		t.Errorf("journal: %d steps (%v), apply %s; want %d done, %d failed, none interrupted, the apply failed", len(a.Steps), steps, a.Status, folders*per-wantFailed, wantFailed)
	}
}
