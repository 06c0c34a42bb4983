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
	p, j, res := a.p, a.j, a.res
	// A slot for each batch journaled whose changes are not all made.
	slots := make(chan struct{}, aheadMax)
	ready := make([]chan struct{}, len(s.batches))
	for b := range ready {
		ready[b] = make(chan struct{})
	}
	temps := make([]string, len(p.Changes)) // each update's temporary name
	var (
		failed  atomic.Bool // the journal failed: no change starts any more
		jerr    error       // why: set by the writer, read once it ended
		kick    = make(chan struct{}, 1)
		stop    = make(chan struct{})
		written = make(chan struct{})
	)
	go func() {
		defer close(written)
		fail := func(err error) {
			if jerr == nil {
				jerr = err
			}
			failed.Store(true)
		}
		var intents []byte
		flush := func() {
			if jerr != nil {
				return
			}
			if err := j.Flush(false); err != nil {
				fail(err)
			}
		}
		for b, idx := range s.batches {
			if jerr == nil {
				slots <- struct{}{} // freed when the batch's changes are made
				intents = intents[:0]
				for _, i := range idx {
					c := &p.Changes[i]
					if c.Action == plan.Update || c.Action == plan.Replace || c.Action == plan.Delete {
						temps[i] = journal.TempName(path.Base(c.Dest))
					}
					backup := c.Backup
					if c.Restore != "" {
						backup = c.Restore
					}
					u := us.of[i]
					intents = j.Encode(intents, journal.Record{Status: journal.Intent, Actor: &actor, Name: c.Name, Dest: c.Dest, Action: c.Action.String(), Before: &c.Before, After: &c.After, Backup: backup, Temp: temps[i], Staged: u != nil && u.del == i})
				}
				trace("batch %d: %d intents encoded", b, len(idx))
				err := j.Write(intents, false)
				if err == nil {
					for _, i := range idx {
						a.journaled[i] = true
					}
					err = j.Write(nil, true)
				}
				if err != nil {
					fail(err)
				} else {
					trace("batch %d: intents durable", b)
				}
				flush()
			}
			close(ready[b])
		}
		for {
			select {
			case <-kick:
				flush()
			case <-stop:
				flush()
				return
			}
		}
	}()
	// outcome records change i's outcome (line is the caller's buffer).
	outcome := func(i int, err error, line []byte) []byte {
		c := &p.Changes[i]
		rec := journal.Record{Status: journal.Done, Name: c.Name, Dest: c.Dest, Action: c.Action.String()}
		if err != nil {
			err = fmt.Errorf("%s %s: %w", c.Action, c.Dest, err)
			rec.Status, rec.Error = journal.Failed, err.Error()
		}
		line = j.Encode(line[:0], rec)
		a.mu.Lock()
		if err != nil {
			res.Errors[i] = err
		} else {
			res.Done++
			a.changed[i] = true
		}
		full := j.Pend(line)
		if progress != nil {
			progress(c, err)
		}
		a.mu.Unlock()
		if full {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
		return line
	}
	left := s.segments()
	var leftMu sync.Mutex
	run := func(q []segment) {
		var line []byte
		for _, seg := range q {
			<-ready[seg.batch]
			for _, i := range seg.idx {
				if failed.Load() {
					return
				}
				c := &p.Changes[i]
				if u := us.of[i]; u != nil {
					// An unfold's change: its outcome may wait for the
					// switch (unfold.go).
					if wait, err := a.stage(u, i, c, temps[i]); !wait {
						line = outcome(i, err, line)
					}
					continue
				}
				line = outcome(i, a.change(c, temps[i]), line)
			}
			leftMu.Lock()
			left[seg.batch]--
			last := left[seg.batch] == 0
			leftMu.Unlock()
			if last {
				trace("batch %d: changes made", seg.batch)
				<-slots
			}
		}
	}
	for _, st := range s.steps {
		if failed.Load() {
			break
		}
		_ = par.Each(len(st), len(st), func(w int) error { run(st[w]); return nil })
	}
	if len(us.list) > 0 && !failed.Load() {
		var line []byte
		a.switchUnfolds(us, func(i int, err error) { line = outcome(i, err, line) })
	}
	close(stop)
	<-written
	return jerr
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
