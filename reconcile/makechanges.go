package reconcile

import (
	"fmt"
	"path"
	"sync"
	"sync/atomic"

	"github.com/linksdev/links/internal/par"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// aheadMax is how many batches' intents may be durable with their
// changes not all made: enough that a worker never waits for the journal
// or for the other workers (a worker may run that many batches ahead of
// the slowest), few enough that a killed apply leaves at most that many
// batches of intents whose changes were never started (which the journal
// then shows as interrupted).
const aheadMax = 4

// makeChanges journals and makes the changes s schedules. One goroutine,
// the journal's only writer meanwhile, encodes, writes and fsyncs each
// batch's intents in turn (up to aheadMax batches ahead of the changes),
// and writes out the outcome records the workers gather; a change starts
// only once its batch's intents are durable, so every outcome follows its
// intent in the journal. It returns the journal's failure, after which no
// change starts.
func (a *applier) makeChanges(s *schedule, us *unfolds, actor journal.Actor, progress func(*plan.Change, error)) error {
	r := &changeRun{a: a, s: s, us: us, actor: actor, progress: progress,
		slots: make(chan struct{}, aheadMax), ready: make([]chan struct{}, len(s.batches)),
		temps: make([]string, len(a.p.Changes)), left: s.segments(),
		kick: make(chan struct{}, 1), stop: make(chan struct{}), written: make(chan struct{})}
	for b := range r.ready {
		r.ready[b] = make(chan struct{})
	}
	go r.journal()
	for _, st := range s.steps {
		if r.failed.Load() {
			break
		}
		_ = par.Each(len(st), len(st), func(w int) error { r.work(st[w]); return nil })
	}
	if len(us.list) > 0 && !r.failed.Load() {
		a.switchUnfolds(us, r.outcome)
	}
	close(r.stop)
	<-r.written
	return r.jerr
}

// changeRun is one makeChanges: what its journal writer and its workers
// share.
type changeRun struct {
	a        *applier
	s        *schedule
	us       *unfolds
	actor    journal.Actor
	progress func(*plan.Change, error)

	slots chan struct{}   // a slot for each batch journaled whose changes are not all made
	ready []chan struct{} // closed once a batch's intents are durable (or the journal failed)
	temps []string        // by change index: the temporary name its intent gives
	ibuf  []byte          // the writer's buffer for a batch's intents

	failed atomic.Bool // the journal failed: no change starts any more
	jerr   error       // why: set by the writer, read once it ended

	kick, stop, written chan struct{} // to the writer: flush now, stop; from it: done

	leftMu sync.Mutex
	left   []int // by batch: segments not yet made
}

// journal is the journal's writer: each batch's intents, durable, then
// the outcomes the workers gather, whenever they fill the buffer and at
// the end.
func (r *changeRun) journal() {
	defer close(r.written)
	for b, idx := range r.s.batches {
		if r.jerr == nil {
			r.slots <- struct{}{} // freed when the batch's changes are made
			if err := r.intents(b, idx); err != nil {
				r.fail(err)
			}
			r.flush()
		}
		close(r.ready[b])
	}
	for {
		select {
		case <-r.kick:
			r.flush()
		case <-r.stop:
			r.flush()
			return
		}
	}
}

func (r *changeRun) fail(err error) {
	if r.jerr == nil {
		r.jerr = err
	}
	r.failed.Store(true)
}

func (r *changeRun) flush() {
	if r.jerr == nil {
		if err := r.a.j.Flush(false); err != nil {
			r.fail(err)
		}
	}
}

// intents journals batch b's intents, durably, giving each change that
// moves an entry aside its temporary name.
func (r *changeRun) intents(b int, idx []int) error {
	a, j := r.a, r.a.j
	need := 0
	for _, i := range idx {
		c := &a.p.Changes[i]
		if c.Action == plan.Update || c.Action == plan.Replace || c.Action == plan.Delete {
			r.temps[i] = journal.TempName(path.Base(c.Dest))
		}
		need += j.EncodedSize(r.intent(i))
	}
	buf := r.ibuf[:0] // reused from batch to batch
	if cap(buf) < need {
		// Sized once rather than doubled up to it: every buffer grown
		// through is fresh memory, which costs more than its encoding
		// (docs/performance.md).
		buf = make([]byte, 0, need)
	}
	defer func() { r.ibuf = buf[:0] }()
	for _, i := range idx {
		buf = j.Encode(buf, r.intent(i))
	}
	trace("batch %d: %d intents encoded (%d bytes)", b, len(idx), len(buf))
	// What is pending goes first: the begin record (before the first
	// batch; see begin) and the outcomes of the batches before.
	if err := j.Flush(false); err != nil {
		return err
	}
	if err := j.Write(buf, false); err != nil {
		return err
	}
	for _, i := range idx {
		a.journaled[i] = true
	}
	if err := j.Write(nil, true); err != nil {
		return err
	}
	trace("batch %d: intents durable", b)
	return nil
}

// intent is change i's intent record (its temporary name given).
func (r *changeRun) intent(i int) journal.Record {
	c := &r.a.p.Changes[i]
	backup := c.Backup
	if c.Restore != "" {
		backup = c.Restore
	}
	u := r.us.of[i]
	return journal.Record{Status: journal.Intent, Actor: &r.actor, Name: c.Name, Dest: c.Dest, Action: c.Action.String(),
		Before: &c.Before, After: &c.After, Backup: backup, Temp: r.temps[i], Staged: u != nil && u.del == i}
}

// work makes the changes of a worker's queue, batch by batch, each once
// its intents are durable.
func (r *changeRun) work(q []segment) {
	box := &outbox{}
	defer r.deliver(box)
	for _, seg := range q {
		<-r.ready[seg.batch]
		for _, i := range seg.idx {
			if r.failed.Load() {
				return
			}
			c := &r.a.p.Changes[i]
			if u := r.us.of[i]; u != nil {
				// An unfold's change: its outcome may wait for the
				// switch (unfold.go).
				if wait, err := r.a.stage(u, i, c, r.temps[i]); !wait {
					r.record(box, i, err)
				}
				continue
			}
			r.record(box, i, r.a.change(c, r.temps[i]))
		}
		r.deliver(box)
		r.leftMu.Lock()
		r.left[seg.batch]--
		last := r.left[seg.batch] == 0
		r.leftMu.Unlock()
		if last {
			trace("batch %d: changes made", seg.batch)
			<-r.slots
		}
	}
}

// An outbox holds a worker's outcomes until it delivers them: the
// result, the journal's pending records and Progress take the applier's
// lock once for up to outboxMax changes rather than once each (two
// workers contended for it 100,000 times an apply).
type outbox struct {
	lines []byte // the outcome records, encoded
	done  []outcome
}

type outcome struct {
	i   int
	err error
}

// outboxMax is how many outcomes a worker holds before delivering them;
// a worker also delivers at the end of each of its segments, and when it
// stops. Nothing waits for an outcome in between: a change's intent is
// durable before it starts, and its outcome only has to follow it.
const outboxMax = 32

// record encodes change i's outcome into box, delivered when box is full.
func (r *changeRun) record(box *outbox, i int, err error) {
	c := &r.a.p.Changes[i]
	rec := journal.Record{Status: journal.Done, Name: c.Name, Dest: c.Dest, Action: c.Action.String()}
	if err != nil {
		err = fmt.Errorf("%s %s: %w", c.Action, c.Dest, err)
		rec.Status, rec.Error = journal.Failed, err.Error()
	}
	box.lines = r.a.j.Encode(box.lines, rec)
	box.done = append(box.done, outcome{i, err})
	if len(box.done) >= outboxMax {
		r.deliver(box)
	}
}

// deliver gives box's outcomes to the result, the journal and Progress,
// in the order they were recorded, and empties it.
func (r *changeRun) deliver(box *outbox) {
	if len(box.done) == 0 {
		return
	}
	a := r.a
	a.mu.Lock()
	for _, o := range box.done {
		if o.err != nil {
			a.res.Errors[o.i] = o.err
		} else {
			a.res.Done++
			a.changed[o.i] = true
		}
		if r.progress != nil {
			r.progress(&a.p.Changes[o.i], o.err)
		}
	}
	full := a.j.Pend(box.lines)
	a.mu.Unlock()
	box.lines, box.done = box.lines[:0], box.done[:0]
	if full {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// outcome records and delivers change i's outcome at once.
func (r *changeRun) outcome(i int, err error) {
	box := &outbox{}
	r.record(box, i, err)
	r.deliver(box)
}

// abort ends an apply whose journal failed before any change started:
// every change gets its error (nothing is reported made), and the end
// record says why, written into the journal's reserved tail (best effort:
// the journal is what failed), so the journal shows a failed apply.
func (a *applier) abort(why error, s plan.Summary) error {
	var todo []int
	for i, c := range a.p.Changes {
		if c.Action != plan.Noop {
			todo = append(todo, i)
		}
	}
	a.notMade(todo, why)
	a.j.Add(journal.Record{Status: journal.End, Summary: &s, Error: why.Error()})
	_ = a.j.Flush(true)
	return why
}

// notMade gives every change the journal's failure stopped before it
// started its error (so nothing reports it made), and journals a failed
// outcome for each whose intent is in the journal (so the journal shows
// the apply failed, not interrupted).
func (a *applier) notMade(todo []int, why error) {
	for _, i := range todo {
		if a.changed[i] || a.res.Errors[i] != nil {
			continue
		}
		c := &a.p.Changes[i]
		err := fmt.Errorf("%s %s: not made: %w", c.Action, c.Dest, why)
		a.res.Errors[i] = err
		if a.journaled[i] {
			a.j.Add(journal.Record{Status: journal.Failed, Name: c.Name, Dest: c.Dest, Action: c.Action.String(), Error: err.Error()})
		}
	}
}
