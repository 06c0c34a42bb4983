package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/linksdev/links/plan"
)

// JournalFile is the journal's name inside state_dir.
const JournalFile = "journal.jsonl"

// Actor is who made a change.
type Actor struct {
	User string `json:"user"`
	UID  string `json:"uid"`
	Host string `json:"host"`
	PID  int    `json:"pid"`
}

// CurrentActor describes this process.
func CurrentActor() Actor {
	a := Actor{PID: os.Getpid(), UID: strconv.Itoa(os.Getuid())}
	if u, err := user.Current(); err == nil {
		a.User = u.Username
		a.UID = u.Uid
	} else if s := os.Getenv("USER"); s != "" {
		a.User = s
	}
	a.Host, _ = os.Hostname()
	return a
}

// Status is what a journal record says of its apply or mutation.
type Status string

// The statuses a record has.
const (
	Begin  Status = "begin"  // an apply starts
	Intent Status = "intent" // a mutation is about to be made
	Done   Status = "done"   // the mutation was made
	Failed Status = "failed" // the mutation failed (Error says why)
	End    Status = "end"    // the apply ended
)

// The actions of a journal's records besides a plan's (create, update,
// replace, delete): cleaning what a killed apply left.
const (
	RemoveLeftover  = "remove-leftover"  // a temporary link or empty folder unlinked
	RecoverLeftover = "recover-leftover" // a displaced entry moved to its backup
)

// Record is one line of the journal. Status "begin" and "end" frame an
// apply; "intent" is written (and fsynced) before a mutation, "done" or
// "failed" after it.
type Record struct {
	ApplyID  string `json:"apply_id"`
	Time     string `json:"time"` // RFC 3339, UTC
	Status   Status `json:"status"`
	Actor    *Actor `json:"actor,omitempty"`
	Manifest string `json:"manifest,omitempty"`
	// ManifestKey, on a begin record, identifies the manifest (Root.Manifest)
	// so ownership can be rebuilt from the journal.
	ManifestKey string `json:"manifest_key,omitempty"`
	// RollbackOf, on a begin record, is the apply a rollback undoes.
	RollbackOf string      `json:"rollback_of,omitempty"`
	Name       string      `json:"name,omitempty"`
	Dest       string      `json:"dest,omitempty"`
	Action     string      `json:"action,omitempty"`
	Before     *plan.State `json:"before,omitempty"`
	After      *plan.State `json:"after,omitempty"`
	Backup     string      `json:"backup,omitempty"`
	Temp       string      `json:"temp,omitempty"` // temporary name used in dest's folder
	// Staged, on the intent of a folder link's delete, says Temp names a
	// folder built aside to take the link's place (an unfold, unfold.go).
	Staged  bool          `json:"staged,omitempty"`
	Error   string        `json:"error,omitempty"`
	Summary *plan.Summary `json:"summary,omitempty"`
}

// Writer appends one apply's records to state_dir/journal.jsonl. Records
// wait in a pending buffer (Add, Pend) until Flush writes them; Write
// writes a batch encoded apart (Encode) directly. Add, Pend and Pending
// may be called from any goroutine; Flush and Write from one at a time.
type Writer struct {
	f    *os.File
	id   string
	now  func() time.Time
	path string

	mu      sync.Mutex
	pending []byte
	spare   []byte // the buffer Flush wrote last, reused

	// start is the offset where this apply's records begin; written
	// counts the bytes written since.
	start, written int64
	// reserved is the offset up to which the file's blocks are allocated
	// (reserve); failing is set once a write failed: from then on only
	// the records that close the apply are written, into that tail.
	reserved int64
	failing  bool
}

// journalTail is how much of the journal is kept allocated past what is
// written: room for the outcome records and the end record of an apply
// whose next write met a full disk, so that the journal says the apply
// failed (and which changes were not made) instead of leaving it looking
// interrupted.
const journalTail = 1 << 20

// FlushSize is how many pending bytes make Pend report the buffer full.
// The pending buffer and its spare are each 2x that: small, as every byte
// of them is fresh memory the first time round (an apply of 10,000 links
// has ~1.5 MB of outcomes in all).
const FlushSize = 256 << 10

// OpenWriter opens the journal for the apply id, whose records are
// stamped with now's time.
func (d *Dir) OpenWriter(id string, now func() time.Time) (*Writer, error) {
	p := path.Join(d.rel, JournalFile)
	f, err := d.openStateFile(JournalFile, "journal", os.O_RDWR|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	j := &Writer{f: f, id: id, now: now, path: p}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	j.start, j.reserved = fi.Size(), fi.Size()
	if err := j.mendTail(fi.Size()); err != nil {
		f.Close()
		return nil, err
	}
	if err := j.reserveFor(0); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// tornMax is how far back from the journal's end mendTail looks for the
// start of a last line that has no line feed.
const tornMax = 1 << 20

// mendTail handles a journal of size bytes whose last line has no line
// feed. A killed apply leaves that when a write of its records is cut
// short (a write of many records is not atomic against SIGKILL): the
// torn record is taken back (truncated), so that no damaged line stays
// inside the journal once the next apply appends. Nothing is lost by it:
// a batch of intents is fsynced before any of its changes starts, so the
// changes of a torn intent never started, and a torn outcome reads as no
// outcome, as it did torn. A last line that is a whole record (only its
// line feed missing), or one longer than tornMax, is kept, and this
// apply starts on a fresh line.
func (j *Writer) mendTail(size int64) error {
	if size == 0 {
		return nil
	}
	n := min(size, tornMax)
	tail := make([]byte, n)
	if _, err := j.f.ReadAt(tail, size-n); err != nil {
		return fmt.Errorf("read journal %s: %w", j.path, bare(err))
	}
	if tail[n-1] == '\n' {
		return nil
	}
	nl := bytes.LastIndexByte(tail, '\n')
	if (nl >= 0 || n == size) && !json.Valid(tail[nl+1:]) {
		keep := size - n + int64(nl+1)
		if err := j.f.Truncate(keep); err != nil {
			return fmt.Errorf("take back the torn last line of journal %s: %w", j.path, bare(err))
		}
		j.start, j.reserved = keep, keep
		return nil
	}
	j.pending = append(j.pending, '\n')
	j.start-- // the line feed is counted in written
	return nil
}

// reserveFor makes sure the journal's blocks are allocated for n more
// bytes and journalTail beyond them. It fails (ENOSPC) while the tail is
// still there, so that what closes the apply can be written.
func (j *Writer) reserveFor(n int64) error {
	need := j.End() + n + journalTail
	if need <= j.reserved {
		return nil
	}
	to := need + journalTail // reserve ahead: one call for many writes
	if err := reserve(j.f, j.reserved, to-j.reserved); err != nil {
		return fmt.Errorf("reserve room in journal %s: %w", j.path, err)
	}
	j.reserved = to
	return nil
}

// JournalSize is the journal's current size (0 if there is none).
func (d *Dir) JournalSize() int64 {
	fi, err := d.root.Stat(path.Join(d.rel, JournalFile))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Start is the offset where this apply's records begin.
func (j *Writer) Start() int64 { return j.start }

// End is the offset just past this apply's records written so far.
func (j *Writer) End() int64 { return j.start + j.written }

// TakeBack removes the last n bytes written (a record that was written
// but could not be made durable, and says what is no longer true). The
// file is truncated; nothing before this apply's records can be.
func (j *Writer) TakeBack(n int) error {
	if n < 0 || int64(n) > j.written {
		return fmt.Errorf("journal %s: take back %d bytes of %d written (a bug)", j.path, n, j.written)
	}
	if err := j.f.Truncate(j.End() - int64(n)); err != nil {
		return fmt.Errorf("truncate journal %s: %w", j.path, bare(err))
	}
	j.written -= int64(n)
	return nil
}

// Add encodes rec into the pending records.
func (j *Writer) Add(rec Record) {
	j.mu.Lock()
	j.pending = j.Encode(j.pending, rec)
	j.mu.Unlock()
}

// Pend appends encoded records to the pending ones and reports whether
// FlushSize bytes or more are pending.
func (j *Writer) Pend(lines []byte) (full bool) {
	j.mu.Lock()
	if need := len(j.pending) + len(lines); need > cap(j.pending) && need <= 2*FlushSize {
		// Straight to the size a flush leaves it at, rather than
		// doubling up to it (each step a fresh buffer).
		grown := make([]byte, len(j.pending), 2*FlushSize)
		copy(grown, j.pending)
		j.pending = grown
	}
	j.pending = append(j.pending, lines...)
	full = len(j.pending) >= FlushSize
	j.mu.Unlock()
	return full
}

// Pending is how many bytes of records wait for Flush.
func (j *Writer) Pending() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.pending)
}

// Encode appends rec, stamped with this apply's id and the time, as a
// journal line to b. It touches nothing shared: workers encode their
// records apart and Pend the bytes.
func (j *Writer) Encode(b []byte, rec Record) []byte {
	rec.ApplyID = j.id
	b = appendRecordAt(b, &rec, j.now())
	return append(b, '\n')
}

// Flush writes the pending records and, when sync is set, fsyncs them.
func (j *Writer) Flush(sync bool) error {
	j.mu.Lock()
	out := j.pending
	j.pending = j.spare[:0]
	j.mu.Unlock()
	err := j.Write(out, sync)
	j.spare = out[:0]
	return err
}

// Write writes b, whole records, and fsyncs the journal when sync is set.
// Records encoded apart from the pending ones (the next batch's intents)
// are written with it directly; the caller makes sure no Flush or Write
// runs meanwhile.
//
// A write cut short (a full disk) is taken back: the file is truncated to
// where it was, so no record is ever appended after a damaged line. Once
// a write failed, the journal is failing: what follows (the outcome and end
// records that close the apply) goes into the reserved tail.
func (j *Writer) Write(b []byte, sync bool) error {
	if len(b) > 0 {
		if !j.failing {
			if err := j.reserveFor(int64(len(b))); err != nil {
				j.failing = true
				return err
			}
		}
		before := j.written
		n, err := j.f.Write(b)
		j.written += int64(n)
		if err != nil {
			j.failing = true
			if n > 0 {
				if terr := j.f.Truncate(j.start + before); terr == nil {
					j.written = before
				}
			}
			return fmt.Errorf("write journal %s: %w", j.path, bare(err))
		}
	}
	if sync {
		if err := j.f.Sync(); err != nil {
			j.failing = true
			return fmt.Errorf("fsync journal %s: %w", j.path, bare(err))
		}
	}
	return nil
}

// Close closes the journal file.
func (j *Writer) Close() error { return j.f.Close() }
