package reconcile

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/linksdev/links/internal/par"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile/journal"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Actor is recorded in the journal; zero means journal.CurrentActor().
	Actor journal.Actor
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
const TempMarker = journal.TempMarker

// Apply makes the changes of p, which must have been planned against r
// while holding the lock (the caller holds it). It refuses a plan with
// conflicts, changing nothing. Each change's Before is re-checked just
// before acting; a change whose dest moved on is stopped as stale and the
// others go on. The error is non-nil when anything failed; Result says what.
//
// It reads as its four steps: prepare (read ownership, find what earlier
// applies left, order the changes), begin (the journal's begin record,
// leftovers cleaned), make the changes (makechanges.go; each one in
// change.go), and finish (folders flushed, end record, state file).
func (r *Root) Apply(p *plan.Plan, opts ApplyOptions) (*Result, error) {
	if err := p.Conflicts(); err != nil {
		return nil, err
	}
	s := p.Summary()
	a := r.newApplier(p, opts)
	pre, err := a.prepare()
	if err != nil {
		return nil, err
	}
	if !s.Changed() && len(pre.leftovers) == 0 {
		return a.res, a.nothingToDo(pre.owned)
	}
	j, err := r.State.OpenWriter(p.ID, a.now)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	a.j = j
	if err := a.begin(s, pre.leftovers); err != nil {
		return a.res, a.abort(err, s)
	}
	sc := <-pre.scheduled
	// The new ownership record is encoded while the changes are made.
	ifAllMade := make(chan []byte, 1)
	go func() { ifAllMade <- pre.owned.EncodeIfAllMade(p, r.Manifest) }()
	a.unfolds = sc.unfolds
	fatal := a.makeChanges(sc.sched, sc.unfolds, a.actor, opts.Progress)
	if fatal != nil {
		a.notMade(sc.todo, fatal)
	}
	return a.res, a.finish(s, sc.todo, pre.owned, ifAllMade, fatal)
}

// newApplier sets up one apply of p with opts' defaults filled in.
func (r *Root) newApplier(p *plan.Plan, opts ApplyOptions) *applier {
	a := &applier{r: r, fs: r.fs, p: p, now: opts.Now, actor: opts.Actor, batch: opts.BatchSize, workers: opts.Workers,
		res:     &Result{ApplyID: p.ID, Errors: map[int]error{}},
		touched: map[string]bool{}, made: map[string]bool{},
		changed: make([]bool, len(p.Changes)), journaled: make([]bool, len(p.Changes))}
	if a.now == nil {
		a.now = time.Now
	}
	if a.actor == (journal.Actor{}) {
		a.actor = journal.CurrentActor()
	}
	if a.batch <= 0 {
		a.batch = 4096
	}
	if a.workers <= 0 {
		a.workers = Workers
	}
	if opts.WrapFS != nil {
		a.fs = opts.WrapFS(a.fs)
	}
	return a
}

// prepared is what an apply reads before it writes anything.
type prepared struct {
	owned     *journal.Ownership
	leftovers []leftover
	// scheduled delivers the changes to make, ordered and dealt to the
	// workers (computed meanwhile: CPU only).
	scheduled <-chan scheduled
}

type scheduled struct {
	todo    []int
	sched   *schedule
	unfolds *unfolds
}

// prepare reads ownership and, meanwhile, looks for what earlier applies
// left (it reads only) and orders and schedules the changes. Ownership is
// read before this apply journals anything: what the journal holds past
// the state file is replayed, and must not include this apply's own
// records yet.
func (a *applier) prepare() (*prepared, error) {
	p := a.p
	type leftovers struct {
		list  []leftover
		notes []string
	}
	found := make(chan leftovers, 1)
	go func() {
		l, notes := a.findLeftovers()
		found <- leftovers{l, notes}
	}()
	planned := make(chan scheduled, 1)
	go func() { planned <- scheduleAll(p, a.batch, a.workers) }()
	owned, err := a.r.State.ReadStateLazy()
	left := <-found
	if err != nil {
		return nil, err
	}
	a.res.Recovered = append(a.res.Recovered, left.notes...)
	trace("apply: state read, leftovers looked for")
	return &prepared{owned: owned, leftovers: left.list, scheduled: planned}, nil
}

// nothingToDo ends an apply with no change to make and nothing left to
// clean: nothing is journaled, but the ownership record moves on when
// links an interrupted apply made are now owned, or some are forgotten.
func (a *applier) nothingToDo(owned *journal.Ownership) error {
	if len(a.p.Forget) == 0 && !owned.Dirty() {
		return nil
	}
	owned.JournalOffset = a.r.State.JournalSize()
	owned.Record(a.p, a.r.Manifest, func(int) bool { return false }) // only forgets
	return a.r.State.WriteState(owned)
}

// begin journals the begin record and cleans what earlier applies left.
// With nothing left to clean, the record is written with the first
// batch's intents (one write, one fsync, before any change starts:
// makechanges.go); else it is made durable first. An error is the
// journal's: no change has started.
func (a *applier) begin(s plan.Summary, left []leftover) error {
	p := a.p
	a.j.Add(journal.Record{Status: journal.Begin, Actor: &a.actor, Manifest: p.Manifest, ManifestKey: a.r.Manifest, Summary: &s, RollbackOf: p.RollbackOf})
	if len(left) == 0 {
		trace("begin record pending")
		return nil
	}
	if err := a.j.Flush(true); err != nil {
		return err
	}
	trace("begin record durable")
	return a.cleanLeftovers(left)
}

// finish flushes every touched folder, journals the end record and writes
// the state file, and returns the apply's error: fatal (the journal's), or
// a folder's fsync, the end record's or the state file's failure, or how
// many changes failed.
//
// The end record is encoded first, as it reads if the folders sync (its
// time is when the changes were over), so that the journal's end is
// known: the new ownership record is made, encoded, written and fsynced
// under a temporary name while the folders are fsynced (one needs the CPU,
// both wait on the disk), and renamed into place once the end record is
// durable. The state file is a snapshot as of the end of this apply's
// records: readers replay whatever the journal holds after that offset. If
// the folders fail to sync, the end record says so, and the state file is
// written again with its offset.
func (a *applier) finish(s plan.Summary, todo []int, owned *journal.Ownership, ifAllMade <-chan []byte, fatal error) error {
	j, res := a.j, a.res
	endRecord := func(fatal error) journal.Record {
		end := journal.Record{Status: journal.End, Summary: &s}
		if fatal != nil {
			end.Error = fatal.Error()
		} else if len(res.Errors) > 0 {
			end.Error = fmt.Sprintf("%d of %d changes failed", len(res.Errors), len(todo))
		}
		return end
	}
	endLine := j.Encode(nil, endRecord(nil))
	predicted := j.End() + int64(j.Pending()) + int64(len(endLine))
	state := a.prepareState(len(todo), owned, ifAllMade, fatal == nil, predicted)
	// The outcome records written since the last batch of intents are
	// made durable while the folders are fsynced (both wait on the disk),
	// so that the end record's fsync has only its own line to write. An
	// outcome durable before its folder claims no more than one the kernel
	// wrote back on its own, or the next batch's fsync took along: only
	// the end record says the apply's changes are durable, and it is
	// written after both.
	outcomes := make(chan error, 1)
	if fatal == nil {
		go func() { outcomes <- j.Flush(true) }()
	} else {
		outcomes <- nil
	}
	// Every touched folder is flushed before success is reported.
	dirs := make([]string, 0, len(a.touched))
	for d := range a.touched {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	whole, err := a.flushDirs(dirs)
	if err != nil && fatal == nil {
		fatal = err
	}
	if err := <-outcomes; err != nil && fatal == nil {
		fatal = err
	}
	trace("%d folders flushed (%d by one syncfs), outcomes durable", len(dirs), whole)
	if fatal == nil {
		j.Pend(endLine)
	} else {
		j.Add(endRecord(fatal))
	}
	ferr := j.Flush(true)
	if ferr != nil && fatal == nil {
		fatal = ferr
		// The end record that says the apply succeeded may be in the
		// file, not durable: it is taken back and replaced by one that
		// says why the apply failed (visible even if it cannot be made
		// durable either), so that links log does not say complete.
		if j.End() == predicted && j.TakeBack(len(endLine)) == nil {
			j.Add(endRecord(fatal))
			_ = j.Flush(true)
		}
	}
	trace("end record durable")
	if err := a.writeState(<-state, owned, ferr == nil, fatal != nil, predicted); err != nil && fatal == nil {
		fatal = err
	}
	trace("state written")
	if fatal != nil {
		return fatal
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("%d of %d changes failed", len(res.Errors), len(todo))
	}
	return nil
}

// newState is the state file an apply writes: its links encoded and, when
// prepared early, the temporary file holding it with the predicted offset.
type newState struct {
	links []byte
	tmp   string
}

// prepareState makes the new ownership record on its own goroutine (the
// one made while the changes were, if all n were made) and, when early,
// writes and fsyncs it under a temporary name with the offset predicted.
func (a *applier) prepareState(n int, owned *journal.Ownership, ifAllMade <-chan []byte, early bool, predicted int64) <-chan newState {
	state := make(chan newState, 1)
	go func() {
		var st newState
		if all := <-ifAllMade; a.res.Done == n {
			st.links = all
		} else {
			owned.Record(a.p, a.r.Manifest, func(i int) bool { return a.changed[i] })
			st.links = journal.EncodeLinks(owned.Links)
		}
		if early {
			st.tmp, _ = a.r.State.PrepareState(predicted, st.links) // else written again by writeState
		}
		state <- st
	}()
	return state
}

// writeState puts the state file in place: the prepared one when the end
// record is durable and the journal ends where it was predicted to, else
// written again with the offset it must have.
func (a *applier) writeState(st newState, owned *journal.Ownership, endDurable, fatal bool, predicted int64) error {
	owned.JournalOffset = a.j.End()
	if fatal || len(a.res.Errors) > 0 {
		// A change that failed may have left an entry under its temporary
		// name (its error says where): the state file's offset stays at
		// this apply's start, so the next apply reads its records and
		// cleans what they name (findLeftovers). Replaying its completed
		// changes again is harmless: ownership is set, not counted.
		owned.JournalOffset = a.j.Start()
	}
	if st.tmp != "" && endDurable && owned.JournalOffset == predicted {
		return a.r.State.CommitState(st.tmp)
	}
	if st.tmp != "" {
		a.r.State.DiscardState(st.tmp)
	}
	return a.r.State.WriteLinks(owned.JournalOffset, st.links)
}

// applier carries one apply's state.
type applier struct {
	r       *Root
	fs      FS
	p       *plan.Plan
	j       *journal.Writer
	res     *Result
	now     func() time.Time
	actor   journal.Actor
	batch   int // intents fsynced together
	workers int
	unfolds *unfolds        // the plan's unfolds (unfold.go); set before any change
	mu      sync.Mutex      // guards touched, made, res, the journal, Progress
	touched map[string]bool // folders to fsync, root-relative
	made    map[string]bool // folders this apply made (MkdirAll done)
	changed []bool          // by change index: made (not failed, not skipped)
	// journaled, by change index: its intent is in the journal (written,
	// if perhaps not durable). Set by the journal's writer only.
	journaled []bool
}

// UseSyncFS, when false, makes apply fsync every folder on its own even
// where one syncfs would flush them all (cmd/links: LINKS_SYNCFS=off).
var UseSyncFS = true

// flushDirs makes the entries of the folders dirs durable: those the
// filesystem flushes better all at once (FS.SyncFS) together, the others
// with a fsync each (syncDirs). If the flush of them all fails, each is
// still fsynced on its own (as every folder is, whatever failed before
// it), and the apply fails with the flush's error. It returns how many
// folders the flush of them all covered.
func (a *applier) flushDirs(dirs []string) (int, error) {
	rest, err := dirs, error(nil)
	if UseSyncFS {
		rest, err = a.fs.SyncFS(dirs)
	}
	if err != nil {
		err = fmt.Errorf("syncfs %s: %w", a.r.Path, unwrapPathError(err))
		rest = dirs
	}
	if err2 := a.syncDirs(rest, syncWorkers); err == nil {
		err = err2
	}
	return len(dirs) - len(rest), err
}

// syncDirs fsyncs the folders dirs, on up to workers goroutines when
// there are many (each fsync mostly waits for the disk), and returns the
// first failure in dirs' order.
func (a *applier) syncDirs(dirs []string, workers int) error {
	if len(dirs) < syncParallelMin {
		workers = 1
	}
	// Every folder is fsynced, whatever failed before it.
	errs := make([]error, len(dirs))
	_ = par.Each(len(dirs), workers, func(i int) error {
		if err := a.fs.SyncDir(dirs[i]); err != nil {
			// The folder named once ("fsync d: input/output error"),
			// whether or not the error already named it.
			errs[i] = fmt.Errorf("fsync %s: %w", dirs[i], unwrapPathError(err))
		}
		return nil
	})
	return firstError(errs)
}

// syncParallelMin is the fewest folders worth fsyncing on several
// goroutines.
const syncParallelMin = 32

// syncWorkers is how many folders are fsynced at once: each fsync mostly
// waits for the disk, so more at once than the CPUs that make the changes.
const syncWorkers = 8

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// touchMade touches dir (one lock for both) and reports whether this
// apply already made the folder dir: every link planned into a missing
// folder carries its Parents, and without this each of them (a thousand
// per new folder) would walk dir again with mkdirat. If the folder
// vanished since, symlinkat fails with ENOENT and the change is reported
// failed, as for any dest removed under an apply.
func (a *applier) touchMade(dir string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.touched[dir] = true
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
