package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// schedulePlan is a plan of n creates spread over folders of per links
// each, plus the extra changes given.
func schedulePlan(n, per int, extra ...plan.Change) *plan.Plan {
	p := &plan.Plan{}
	for i := range n {
		p.Changes = append(p.Changes, plan.Change{Dest: fmt.Sprintf("d%03d/l%05d", i/per, i), Action: plan.Create})
	}
	p.Changes = append(p.Changes, extra...)
	return p
}

func nonNoop(p *plan.Plan) []int {
	var todo []int
	for _, i := range p.Order() {
		if p.Changes[i].Action != plan.Noop {
			todo = append(todo, i)
		}
	}
	return todo
}

// TestSchedule: every change is journaled once and made once, in a batch
// no larger than asked, by the step its kind belongs to; each folder's
// changes stay on one worker in plan order; and in a parallel step every
// batch has a part for each worker.
func TestSchedule(t *testing.T) {
	tests := []struct {
		name     string
		p        *plan.Plan
		batch    int
		workers  int
		steps    []int          // queues per step
		wantStep map[string]int // the step some dests are made in
	}{
		{name: "small plan: one queue", p: schedulePlan(10, 3), batch: 4, workers: 2, steps: []int{1}},
		{name: "one worker", p: schedulePlan(1000, 100), batch: 64, workers: 1, steps: []int{1}},
		{name: "two workers", p: schedulePlan(1000, 100), batch: 64, workers: 2, steps: []int{2}},
		{name: "four workers, uneven folders", p: schedulePlan(1000, 170), batch: 100, workers: 4, steps: []int{4}},
		{name: "more workers than folders", p: schedulePlan(600, 300), batch: 100, workers: 4, steps: []int{2}},
		{name: "one folder", p: schedulePlan(600, 600), batch: 100, workers: 2, steps: []int{1}},
		{
			name: "no-ops, and a folder in two runs",
			p: schedulePlan(1000, 100,
				plan.Change{Dest: "d001/zz", Action: plan.Create},
				plan.Change{Dest: "d000/n", Action: plan.Noop},
				plan.Change{Dest: "d002/zz", Action: plan.Update}),
			batch: 64, workers: 2, steps: []int{2},
		},
		{
			name: "deletes first, then creates, then what needs them",
			p: schedulePlan(600, 100,
				plan.Change{Dest: "x/b", Action: plan.Create, Needs: "x/a"},
				plan.Change{Dest: "gone", Action: plan.Delete},
				plan.Change{Dest: "x/a", Action: plan.Update},
				plan.Change{Dest: "x/c", Action: plan.Create, Needs: "x/b"},
				plan.Change{Dest: "x/n", Action: plan.Noop},
				plan.Change{Dest: "y/d", Action: plan.Create, Needs: "x/n"},
			),
			batch: 100, workers: 2,
			steps:    []int{1, 2, 1, 1},
			wantStep: map[string]int{"gone": 0, "x/a": 1, "y/d": 1, "d000/l00000": 1, "x/b": 2, "x/c": 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			todo := nonNoop(p)
			s := newSchedule(p, todo, tt.batch, tt.workers)
			// The one pass apply makes gives the same (by the general
			// way or its own).
			if all := scheduleAll(p, tt.batch, tt.workers); !slices.Equal(all.todo, todo) || !reflect.DeepEqual(all.sched, s) {
				t.Errorf("scheduleAll differs from Order, the filter and newSchedule:\n%+v %+v\n%+v %+v", all.todo, all.sched, todo, s)
			}
			// Journaled once each, in batches no larger than asked.
			var journaled []int
			for b, idx := range s.batches {
				if len(idx) == 0 || len(idx) > tt.batch {
					t.Errorf("batch %d: %d intents, want 1-%d", b, len(idx), tt.batch)
				}
				journaled = append(journaled, idx...)
			}
			if got, want := slices.Sorted(slices.Values(journaled)), slices.Sorted(slices.Values(todo)); !slices.Equal(got, want) {
				t.Fatalf("journaled %v, want each of %v once", got, want)
			}
			// Made once each, in its own batch; batches in journal order
			// within each queue.
			var made []int
			var queues []int
			stepOf := map[string]int{}
			inBatch := map[int]int{}
			for b, idx := range s.batches {
				for _, i := range idx {
					inBatch[i] = b
				}
			}
			for si, st := range s.steps {
				queues = append(queues, len(st))
				folderOf := map[string]int{}
				for w, q := range st {
					prevBatch, prevIdx := -1, map[string]int{}
					for _, seg := range q {
						if seg.batch <= prevBatch {
							t.Errorf("step %d worker %d: batch %d after batch %d", si, w, seg.batch, prevBatch)
						}
						prevBatch = seg.batch
						for _, i := range seg.idx {
							if inBatch[i] != seg.batch {
								t.Errorf("change %d made in batch %d, journaled in %d", i, seg.batch, inBatch[i])
							}
							d := p.Changes[i].Dir()
							if other, ok := folderOf[d]; ok && other != w {
								t.Errorf("folder %s on workers %d and %d", d, other, w)
							}
							folderOf[d] = w
							if last, ok := prevIdx[d]; ok && last > i {
								t.Errorf("folder %s: change %d after %d, not in plan order", d, i, last)
							}
							prevIdx[d] = i
							made = append(made, i)
							stepOf[p.Changes[i].Dest] = si
						}
					}
				}
				if len(st) > 1 {
					for _, seg := range st[0] {
						for w := 1; w < len(st); w++ {
							if !slices.ContainsFunc(st[w], func(o segment) bool { return o.batch == seg.batch }) {
								t.Errorf("step %d: batch %d has no part for worker %d", si, seg.batch, w)
							}
						}
					}
				}
			}
			if got, want := slices.Sorted(slices.Values(made)), slices.Sorted(slices.Values(todo)); !slices.Equal(got, want) {
				t.Fatalf("made %v, want each of %v once", got, want)
			}
			if !slices.Equal(queues, tt.steps) {
				t.Errorf("queues per step %v, want %v", queues, tt.steps)
			}
			for dest, want := range tt.wantStep {
				if got, ok := stepOf[dest]; !ok || got != want {
					t.Errorf("%s made in step %d (%v), want %d", dest, got, ok, want)
				}
			}
			for b, n := range s.segments() {
				if n == 0 {
					t.Errorf("batch %d has no segment", b)
				}
			}
		})
	}
}

// TestMakeChangesJournalFails: when the journal cannot be written, no
// change starts, every worker stops (no one waits forever on a batch),
// and the failure is returned.
func TestMakeChangesJournalFails(t *testing.T) {
	root := t.TempDir()
	var y strings.Builder
	y.WriteString("version: 1\nlinks:\n")
	for i := range 600 {
		fmt.Fprintf(&y, "  l%d: {dest: d%d/l%d, target: t, allow_dangling: true, parents: true}\n", i, i%7, i)
	}
	m := parse(t, root, y.String())
	r := open(t, m)
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.State.OpenWriter(p.ID, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	// A journal whose file is closed: every write fails.
	j.Close()
	res := &Result{Errors: map[int]error{}}
	a := &applier{r: r, fs: r.fs, p: p, res: res, j: j, touched: map[string]bool{}, made: map[string]bool{}, changed: make([]bool, len(p.Changes))}
	s := newSchedule(p, nonNoop(p), 64, 2)
	if len(s.batches) < 5 || len(s.steps[0]) != 2 {
		t.Fatalf("schedule: %d batches, %d queues; want several batches on 2 workers", len(s.batches), len(s.steps[0]))
	}
	done := make(chan error, 1)
	go func() { done <- a.makeChanges(s, &unfolds{}, journal.Actor{}, nil) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("makeChanges did not return after the journal failed")
	}
	if err == nil || !strings.Contains(err.Error(), "write journal") {
		t.Errorf("makeChanges = %v, want the journal's write error", err)
	}
	if res.Done != 0 || len(res.Errors) != 0 {
		t.Errorf("%d changes made, %d failed; want none started", res.Done, len(res.Errors))
	}
	if _, err := os.Lstat(filepath.Join(root, "d0")); !os.IsNotExist(err) {
		t.Errorf("d0: %v, want it never made", err)
	}
}

// TestApplyStateOwnsWhatWasMade: the state file an apply writes owns the
// links it made and none it failed to make, whether every change was made
// (the ownership record made during the changes is used) or one failed
// (it is made again from what was done); its offset is the journal's end.
func TestApplyStateOwnsWhatWasMade(t *testing.T) {
	for _, failAt := range []int{0, 137} {
		t.Run(fmt.Sprintf("failAt=%d", failAt), func(t *testing.T) {
			root := t.TempDir()
			var y strings.Builder
			y.WriteString("version: 1\nlinks:\n")
			for i := range 300 {
				fmt.Fprintf(&y, "  l%d: {dest: d%d/l%d, target: t, allow_dangling: true}\n", i, i%3, i)
			}
			mkTree(t, root, map[string]string{"d0": "dir", "d1": "dir", "d2": "dir"})
			m := parse(t, root, y.String())
			ff := &faultFS{failAt: failAt, err: syscall.EACCES}
			p, res, err := planApply(t, m, ApplyOptions{Workers: 1, WrapFS: func(f FS) FS { ff.FS = f; return ff }})
			want := 300
			if failAt > 0 {
				want--
				if err == nil || len(res.Errors) != 1 {
					t.Fatalf("apply: %v, %d errors; want 1 change failed", err, len(res.Errors))
				}
			} else if err != nil {
				t.Fatal(err)
			}
			owned, err := open(t, m).State.ReadState()
			if err != nil {
				t.Fatal(err)
			}
			if len(owned.Links) != want {
				t.Errorf("state owns %d links, want %d", len(owned.Links), want)
			}
			for i := range res.Errors {
				if _, ok := owned.Links[p.Changes[i].Dest]; ok {
					t.Errorf("state owns %s, which failed", p.Changes[i].Dest)
				}
			}
			if failAt > 0 {
				assertStateOffset(t, root, 0) // the failed apply's start: the journal was empty
			} else {
				assertStateAtJournalEnd(t, root)
			}
		})
	}
}

// TestIntentsSize: a batch's intents buffer is allocated once, at the
// size the intents take (journal.EncodedSize), for creates, updates,
// replaces with backups and names with spaces and non-ASCII letters: after
// the batch its capacity is what was written, give or take the time's
// trailing zeros (a buffer that grew would have doubled).
func TestIntentsSize(t *testing.T) {
	needSymlinks(t)
	root := t.TempDir()
	tree := map[string]string{"t1": "file:1", "t2": "file:2"}
	var y strings.Builder
	y.WriteString("version: 1\nlinks:\n")
	for i := range 300 {
		switch i % 4 {
		case 0: // create
			fmt.Fprintf(&y, "  c%d: {dest: d%d/c%d, target: t1, parents: true}\n", i, i%5, i)
		case 1: // update
			tree[fmt.Sprintf("e/u%d", i)] = "link:../t1"
			fmt.Fprintf(&y, "  u%d: {dest: e/u%d, target: t2}\n", i, i)
		case 2: // replace, with a backup
			tree[fmt.Sprintf("e/f%d", i)] = "file:x"
			fmt.Fprintf(&y, "  f%d: {dest: e/f%d, target: t2, replace: file}\n", i, i)
		case 3: // a name with a space and a non-ASCII letter (no escaping)
			fmt.Fprintf(&y, "  q%d: {dest: \"e/q %d \\u00e9\", target: t2}\n", i, i)
		}
	}
	_, r, p := buildPlanned(t, root, tree, y.String())
	todo := nonNoop(p)
	kinds := map[plan.Action]int{}
	for _, i := range todo {
		kinds[p.Changes[i].Action]++
	}
	if kinds[plan.Create] == 0 || kinds[plan.Update] == 0 || kinds[plan.Replace] == 0 {
		t.Fatalf("plan: %v; want creates, updates and replaces", kinds)
	}
	j, err := r.State.OpenWriter(p.ID, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	a := &applier{r: r, fs: r.fs, p: p, res: &Result{Errors: map[int]error{}}, j: j, touched: map[string]bool{}, made: map[string]bool{}, changed: make([]bool, len(p.Changes)), journaled: make([]bool, len(p.Changes))}
	cr := &changeRun{a: a, us: &unfolds{}, actor: journal.Actor{User: "someone", UID: "1000", Host: "host.example", PID: 12345}, temps: make([]string, len(p.Changes))}
	before := j.End()
	if err := cr.intents(0, todo); err != nil {
		t.Fatal(err)
	}
	got, size := int(j.End()-before), cap(cr.ibuf)
	t.Logf("%d intents encode to %d bytes, buffer %d", len(todo), got, size)
	if size < got || size > got+9*len(todo) {
		t.Errorf("%d intents (%v) encode to %d bytes in a buffer of %d; want it allocated once at their size", len(todo), kinds, got, size)
	}
}
