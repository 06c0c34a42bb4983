package reconcile

import (
	"fmt"
	"os"
	"os/user"
	"path"
	"strconv"
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

// Record is one line of the journal. Status "begin" and "end" frame an
// apply; "intent" is written (and fsynced) before a mutation, "done" or
// "failed" after it.
type Record struct {
	ApplyID  string `json:"apply_id"`
	Time     string `json:"time"` // RFC 3339, UTC
	Status   string `json:"status"`
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

// journal appends records to state_dir/journal.jsonl.
type journal struct {
	f    *os.File
	id   string
	now  func() time.Time
	buf  []byte
	path string
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

func (r *Root) openJournal(id string, now func() time.Time) (*journal, error) {
	p := path.Join(r.StateDir, JournalFile)
	f, err := r.openStateFile(JournalFile, "journal", os.O_RDWR|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	j := &journal{f: f, id: id, now: now, path: p}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	j.start, j.reserved = fi.Size(), fi.Size()
	if fi.Size() > 0 {
		// A killed apply can leave a torn last line; start on a fresh line
		// so this apply's first record is not glued to it.
		var last [1]byte
		if _, err := f.ReadAt(last[:], fi.Size()-1); err == nil && last[0] != '\n' {
			j.buf = append(j.buf, '\n')
			j.start-- // the newline is counted in written
		}
	}
	if err := j.reserveFor(0); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// reserveFor makes sure the journal's blocks are allocated for n more
// bytes and journalTail beyond them. It fails (ENOSPC) while the tail is
// still there, so that what closes the apply can be written.
func (j *journal) reserveFor(n int64) error {
	need := j.end() + n + journalTail
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

// journalSize is the journal's current size (0 if there is none).
func (r *Root) journalSize() int64 {
	fi, err := r.root.Stat(path.Join(r.StateDir, JournalFile))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// end is the offset just past this apply's records written so far.
func (j *journal) end() int64 { return j.start + j.written }

// add buffers a record; flush writes buffered records.
func (j *journal) add(rec Record) {
	j.buf = j.encode(j.buf, rec)
}

// encode appends rec, stamped with this apply's id and the time, as a
// journal line to b. It touches nothing shared: workers encode their
// records outside the applier's lock and only append the bytes under it.
func (j *journal) encode(b []byte, rec Record) []byte {
	rec.ApplyID = j.id
	rec.Time = recordTime(j.now())
	b = appendRecord(b, &rec)
	return append(b, '\n')
}

// flush writes the buffered records and, when sync is set, fsyncs them.
func (j *journal) flush(sync bool) error {
	if err := j.write(j.buf, sync); err != nil {
		return err
	}
	j.buf = j.buf[:0]
	return nil
}

// write writes b, whole records, and fsyncs the journal when sync is set.
// Records encoded apart from the buffer (the next batch's intents) are
// written with it directly; the caller makes sure nothing else writes to
// the journal meanwhile.
//
// A write cut short (a full disk) is taken back: the file is truncated to
// where it was, so no record is ever appended after a damaged line. Once
// a write failed, the journal is failing: what follows (the outcome and end
// records that close the apply) goes into the reserved tail.
func (j *journal) write(b []byte, sync bool) error {
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
			return fmt.Errorf("write journal %s: %w", j.path, unwrapPathError(err))
		}
	}
	if sync {
		if err := j.f.Sync(); err != nil {
			j.failing = true
			return fmt.Errorf("fsync journal %s: %w", j.path, unwrapPathError(err))
		}
	}
	return nil
}

func (j *journal) close() error { return j.f.Close() }
