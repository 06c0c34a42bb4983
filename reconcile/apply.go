package reconcile

import (
	"fmt"
	"maps"
	"path"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linksdev/links/plan"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Actor is recorded in the journal; zero means CurrentActor().
	Actor Actor
	// Now is the clock; nil means time.Now. Workers call it at once.
	Now func() time.Time
	// WrapFS, when set, wraps the filesystem seam (fault-injection tests).
	WrapFS func(FS) FS
	// Progress, when set, is called after each change is made or fails,
	// one call at a time (never two at once, whatever the workers).
	Progress func(c *plan.Change, err error)
	// BatchSize is how many intents are fsynced together before their
	// mutations are made; 0 means 4096.
	BatchSize int
	// Workers is how many goroutines make changes at once; 0 means the
	// package's Workers. Plans of fewer than parallelMin changes are made
	// by one, in plan order.
	Workers int
}

// parallelMin is the fewest changes worth splitting between workers.
const parallelMin = 256

// Result is what Apply did.
type Result struct {
	// ApplyID is the id under which the apply is journaled (the plan's).
	ApplyID string
	// Errors maps the index of each change that failed to its error.
	Errors map[int]error
	// Done counts the changes made.
	Done int
	// Recovered lists leftovers of a killed run found and cleaned
	// (temporary links removed, displaced entries moved to backups), and
	// entries found under a killed run's temporary names that were not
	// what it left there, and so were left alone.
	Recovered []string
}

// TempMarker is in every temporary name apply makes.
const TempMarker = ".links-tmp."

// Apply makes the changes of p, which must have been planned against r
// while holding the lock (the caller holds it). It refuses a plan with
// conflicts, changing nothing. Each change's Before is re-checked just
// before acting; a change whose dest moved on is stopped as stale and the
// others go on. The error is non-nil when anything failed; Result says what.
func (r *Root) Apply(p *plan.Plan, opts ApplyOptions) (*Result, error) {
	s := p.Summary()
	if s.Conflict > 0 {
		return nil, &ConflictError{Count: s.Conflict}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	actor := opts.Actor
	if actor == (Actor{}) {
		actor = CurrentActor()
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 4096
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = Workers
	}
	var fsys FS = r.fs
	if opts.WrapFS != nil {
		fsys = opts.WrapFS(fsys)
	}
	res := &Result{ApplyID: p.ID, Errors: map[int]error{}}
	a := &applier{r: r, fs: fsys, p: p, res: res, touched: map[string]bool{}, made: map[string]bool{}, changed: make([]bool, len(p.Changes)), journaled: make([]bool, len(p.Changes))}
	// Leftovers are looked for (a readdir of every folder of the plan)
	// while ownership is read; both only read.
	type leftovers struct {
		list  []leftover
		notes []string
	}
	found := make(chan leftovers, 1)
	go func() {
		l, notes := a.findLeftovers()
		found <- leftovers{l, notes}
	}()
	// The changes are ordered and scheduled meanwhile too (CPU only).
	type scheduled struct {
		todo  []int
		sched *schedule
	}
	planned := make(chan scheduled, 1)
	go func() {
		order := p.Order()
		todo := order[:0:0]
		for _, i := range order {
			if p.Changes[i].Action != plan.Noop {
				todo = append(todo, i)
			}
		}
		planned <- scheduled{todo, newSchedule(p, todo, batch, workers)}
	}()
	// Ownership is read before this apply journals anything: what the
	// journal holds past the state file is replayed, and must not include
	// this apply's own records yet.
	owned, err := r.ReadState()
	left := <-found
	if err != nil {
		return nil, err
	}
	res.Recovered = append(res.Recovered, left.notes...)
	trace("apply: state read, leftovers looked for")
	if !s.Changed() && len(left.list) == 0 {
		if len(p.Forget) > 0 || owned.dirty {
			// Nothing to journal, but the record moves on: links an
			// interrupted apply made are now owned, or some are forgotten.
			owned.JournalOffset = r.journalSize()
			return res, r.updateState(p, owned)
		}
		return res, nil
	}

	j, err := r.openJournal(p.ID, now)
	if err != nil {
		return nil, err
	}
	defer j.close()
	a.j = j
	j.add(Record{Status: "begin", Actor: &actor, Manifest: p.Manifest, ManifestKey: r.Manifest, Summary: &s, RollbackOf: p.RollbackOf})
	if err := j.flush(true); err != nil {
		return res, a.abort(err, s)
	}
	trace("begin record durable")
	if err := a.cleanLeftovers(left.list); err != nil {
		return res, a.abort(err, s)
	}

	sc := <-planned
	todo := sc.todo
	// The new ownership record, as it will be if every change is made, is
	// made and encoded while the changes are (they leave part of a core
	// idle, waiting on the kernel); if any change was not made (it failed,
	// or the journal failed first), it is made again from what was done.
	type ownership struct {
		links   map[string]Owned
		encoded []byte
	}
	ifAllMade := make(chan ownership, 1)
	go func() {
		o := &Ownership{Links: maps.Clone(owned.Links)}
		r.recordOwnership(p, func(int) bool { return true }, o)
		ifAllMade <- ownership{o.Links, encodeStateLinks(o.Links)}
	}()
	fatal := a.makeChanges(sc.sched, actor, opts.Progress)
	if fatal != nil {
		a.notMade(todo, fatal)
	}
	// The end record is encoded now, as it reads if the folders sync (its
	// time is when the changes were over), so that the journal's end is
	// known: the new ownership record is made, encoded, written and
	// fsynced under a temporary name while the folders are fsynced (one
	// needs the CPU, both wait on the disk), and renamed into place once
	// the end record is durable. The state file is a snapshot as of the
	// end of this apply's records: readers replay whatever the journal
	// holds after that offset. If the folders fail to sync, the end record
	// says so, and the state file is written again with its offset.
	endRecord := func(fatal error) Record {
		end := Record{Status: "end", Summary: &s}
		if fatal != nil {
			end.Error = fatal.Error()
		} else if len(res.Errors) > 0 {
			end.Error = fmt.Sprintf("%d of %d changes failed", len(res.Errors), len(todo))
		}
		return end
	}
	early := fatal == nil
	endLine := j.encode(nil, endRecord(nil))
	predicted := j.end() + int64(len(j.buf)) + int64(len(endLine))
	type newState struct {
		links []byte
		tmp   string // written and fsynced, with offset predicted
	}
	state := make(chan newState, 1)
	go func() {
		var st newState
		if all := <-ifAllMade; res.Done == len(todo) {
			owned.Links, st.links = all.links, all.encoded
		} else {
			r.recordOwnership(p, func(i int) bool { return a.changed[i] }, owned)
			st.links = encodeStateLinks(owned.Links)
		}
		if early {
			st.tmp, _ = r.prepareState(predicted, st.links) // else written again below
		}
		state <- st
	}()
	// Every touched folder is flushed before success is reported.
	dirs := make([]string, 0, len(a.touched))
	for d := range a.touched {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	if err := a.syncDirs(dirs, workers); err != nil && fatal == nil {
		fatal = err
	}
	trace("%d folders fsynced", len(dirs))
	if fatal == nil {
		j.buf = append(j.buf, endLine...)
	} else {
		j.add(endRecord(fatal))
	}
	ferr := j.flush(true)
	if ferr != nil && fatal == nil {
		fatal = ferr
	}
	trace("end record durable")
	st := <-state
	owned.JournalOffset = j.end()
	if fatal != nil || len(res.Errors) > 0 {
		// A change that failed may have left an entry under its temporary
		// name (its error says where): the state file's offset stays at
		// this apply's start, so the next apply reads its records and
		// cleans what they name (findLeftovers). Replaying its completed
		// changes again is harmless: ownership is set, not counted.
		owned.JournalOffset = j.start
	}
	var err2 error
	if st.tmp != "" && ferr == nil && owned.JournalOffset == predicted {
		err2 = r.commitState(st.tmp)
	} else {
		if st.tmp != "" {
			r.discardState(st.tmp)
		}
		err2 = r.writeStateLinks(owned.JournalOffset, st.links)
	}
	if err2 != nil && fatal == nil {
		fatal = err2
	}
	trace("state written")
	if fatal != nil {
		return res, fatal
	}
	if len(res.Errors) > 0 {
		return res, fmt.Errorf("%d of %d changes failed", len(res.Errors), len(todo))
	}
	return res, nil
}

// outcomeFlush is how many bytes of outcome records the workers gather
// before the journal's writer writes them out.
const outcomeFlush = 1 << 20

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
func (a *applier) makeChanges(s *schedule, actor Actor, progress func(*plan.Change, error)) error {
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
		var intents, outcomes []byte
		flush := func() {
			if jerr != nil {
				return
			}
			a.mu.Lock()
			outcomes, j.buf = j.buf, outcomes[:0]
			a.mu.Unlock()
			if err := j.write(outcomes, false); err != nil {
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
						temps[i] = tempName(path.Base(c.Dest))
					}
					backup := c.Backup
					if c.Restore != "" {
						backup = c.Restore
					}
					intents = j.encode(intents, Record{Status: "intent", Actor: &actor, Name: c.Name, Dest: c.Dest, Action: c.Action.String(), Before: &c.Before, After: &c.After, Backup: backup, Temp: temps[i]})
				}
				trace("batch %d: %d intents encoded", b, len(idx))
				err := j.write(intents, false)
				if err == nil {
					for _, i := range idx {
						a.journaled[i] = true
					}
					err = j.write(nil, true)
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
				err := a.change(c, temps[i])
				rec := Record{Status: "done", Name: c.Name, Dest: c.Dest, Action: c.Action.String()}
				if err != nil {
					err = fmt.Errorf("%s %s: %w", c.Action, c.Dest, err)
					rec.Status, rec.Error = "failed", err.Error()
				}
				line = j.encode(line[:0], rec)
				a.mu.Lock()
				if err != nil {
					res.Errors[i] = err
				} else {
					res.Done++
					a.changed[i] = true
				}
				j.buf = append(j.buf, line...)
				full := len(j.buf) >= outcomeFlush
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
		if len(st) == 1 {
			run(st[0])
			continue
		}
		var wg sync.WaitGroup
		for _, q := range st {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(q)
			}()
		}
		wg.Wait()
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
	a.j.add(Record{Status: "end", Summary: &s, Error: why.Error()})
	_ = a.j.flush(true)
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
			a.j.add(Record{Status: "failed", Name: c.Name, Dest: c.Dest, Action: c.Action.String(), Error: err.Error()})
		}
	}
}

// updateState records in state.json the links this apply made (they are
// links' to delete later) and drops the ones it deleted or was told to
// forget.
func (r *Root) updateState(p *plan.Plan, owned *Ownership) error {
	r.recordOwnership(p, func(int) bool { return false }, owned) // only forgets
	return r.writeState(owned)
}

// recordOwnership updates owned with what the apply did: the changes
// made reports made (a change that failed, or was never started because
// the journal failed, changes nothing).
func (r *Root) recordOwnership(p *plan.Plan, made func(i int) bool, owned *Ownership) {
	for i, c := range p.Changes {
		if !made(i) {
			continue
		}
		switch c.Action {
		case plan.Create, plan.Update, plan.Replace:
			if c.After.Type == plan.TypeSymlink {
				rec := Owned{Manifest: r.Manifest, Name: c.Name, Link: c.After.Link, ApplyID: p.ID}
				switch c.Action {
				case plan.Replace:
					if c.Backup != "" {
						rec.Backup, rec.BackupType, rec.BackupIdentity = c.Backup, c.Before.Type, c.Before.Identity
					}
				case plan.Update:
					prev, ok := owned.Links[c.Dest]
					rec = rec.displaced(prev, ok)
				}
				owned.Links[c.Dest] = rec
			} else {
				delete(owned.Links, c.Dest) // a rollback restored a file or folder
			}
		case plan.Delete:
			delete(owned.Links, c.Dest)
		}
	}
	for _, d := range p.Forget {
		delete(owned.Links, d)
	}
}

// applier carries one apply's state.
type applier struct {
	r       *Root
	fs      FS
	p       *plan.Plan
	j       *journal
	res     *Result
	mu      sync.Mutex      // guards touched, made, res, the journal, Progress
	touched map[string]bool // folders to fsync, root-relative
	made    map[string]bool // folders this apply made (MkdirAll done)
	changed []bool          // by change index: made (not failed, not skipped)
	// journaled, by change index: its intent is in the journal (written,
	// if perhaps not durable). Set by the journal's writer only.
	journaled []bool
}

// syncDirs fsyncs the folders dirs, on up to workers goroutines when
// there are many (each fsync mostly waits for the disk), and returns the
// first failure in dirs' order.
func (a *applier) syncDirs(dirs []string, workers int) error {
	errs := make([]error, len(dirs))
	if len(dirs) < syncParallelMin || workers <= 1 {
		for i, d := range dirs {
			if err := a.fs.SyncDir(d); err != nil {
				errs[i] = fmt.Errorf("fsync %s: %w", d, err)
			}
		}
		return firstError(errs)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(dirs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(dirs) {
					return
				}
				if err := a.fs.SyncDir(dirs[i]); err != nil {
					errs[i] = fmt.Errorf("fsync %s: %w", dirs[i], err)
				}
			}
		}()
	}
	wg.Wait()
	return firstError(errs)
}

// syncParallelMin is the fewest folders worth fsyncing on several
// goroutines.
const syncParallelMin = 32

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// madeDir reports whether this apply already made the folder dir: every
// link planned into a missing folder carries its Parents, and without this
// each of them (a thousand per new folder) would walk dir again with
// mkdirat. If the folder vanished since, symlinkat fails with ENOENT and
// the change is reported failed, as for any dest removed under an apply.
func (a *applier) madeDir(dir string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.made[dir]
}

// touch marks folders to fsync before success is reported.
func (a *applier) touch(dirs ...string) {
	a.mu.Lock()
	for _, d := range dirs {
		a.touched[d] = true
	}
	a.mu.Unlock()
}
