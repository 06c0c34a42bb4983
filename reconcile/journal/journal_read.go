package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/linksdev/links/plan"
)

// ApplyStatus is how an apply ended, as its journal records tell it.
type ApplyStatus string

const (
	// ApplyComplete: the apply wrote its end record without an error and
	// every mutation it announced is marked done.
	ApplyComplete ApplyStatus = "complete"
	// ApplyFailed: the apply ended, but with an error or a failed mutation.
	ApplyFailed ApplyStatus = "failed"
	// ApplyInterrupted: the apply never wrote its end record, or announced
	// a mutation (intent) whose outcome was never recorded: the process was
	// killed, or the machine stopped, while it ran.
	ApplyInterrupted ApplyStatus = "interrupted"
)

// StepStatus is the outcome of one journaled mutation.
type StepStatus string

const (
	StepDone   StepStatus = "done"
	StepFailed StepStatus = "failed"
	// StepInterrupted: the intent was journaled but no outcome was; the
	// mutation may or may not have been made.
	StepInterrupted StepStatus = "interrupted"
)

// History is what the journal says about past applies.
type History struct {
	// Applies are in journal (file) order, oldest first: by their begin
	// record (the latest, for an id begun twice), else their first record.
	Applies []*ApplyLog
	// Skipped counts the lines that could not be read (torn by a killed
	// process, or damaged); they are left out, never fatal.
	Skipped int
	// SkippedLines are the 1-based numbers of the first skipped lines (at
	// most maxSkippedLines of them), for the warning.
	SkippedLines []int
}

// maxSkippedLines bounds History.SkippedLines.
const maxSkippedLines = 10

// ApplyLog is one apply as the journal tells it.
type ApplyLog struct {
	// ID is the apply id (the plan's id; backups go under
	// state_dir/backups/<ID>/).
	ID string
	// Start is when the apply began (its begin record; the first record
	// found for it if the begin line is unreadable). End is when it wrote
	// its end record, zero if it never did.
	Start, End time.Time
	// Actor is who ran it; zero if the begin line is unreadable.
	Actor Actor
	// Manifest is the manifest's path as the user named it.
	Manifest string
	// ManifestKey identifies the manifest (Root.Manifest); empty in
	// journals written before it was recorded.
	ManifestKey string
	// RollbackOf, for a rollback, is the id of the apply it undid.
	RollbackOf string
	// Summary is what the apply set out to do (its plan's counts).
	Summary plan.Summary
	// Status is how it ended; Error is the error its end record gives.
	Status ApplyStatus
	Error  string
	// Steps are its mutations in the order their intents were journaled,
	// each with its outcome. Besides the plan's actions (create, update,
	// replace, delete) an apply may journal "remove-leftover" and
	// "recover-leftover": cleaning what a killed apply left.
	Steps []Step

	hasBegin, hasSummary, ended bool
	run                         int // index in Steps of the latest run's first step
}

// Step is one journaled mutation and its outcome.
type Step struct {
	Name   string
	Dest   string // relative to root
	Action string
	// Before and After are what dest was and was to become. Their Type is
	// empty when the intent line was unreadable (only the outcome is known).
	Before, After plan.State
	// Backup is where a displaced entry went (for a rollback's restore,
	// where it came from), relative to root; empty if none.
	Backup string
	// Temp is the temporary name apply used in dest's folder, if any.
	Temp string
	// Staged says Temp names a folder built aside to replace a folder
	// link (an unfold).
	Staged bool
	Status StepStatus
	// Error is why the mutation failed.
	Error string
}

// rawRecord is a journal line as read back. It is separate from Record so
// the reader accepts any line a past or future writer may have produced:
// unknown fields are ignored, and encoding/json matches names without
// regard to case ("Type" or "type").
type rawRecord struct {
	ApplyID     string        `json:"apply_id"`
	Time        string        `json:"time"`
	Status      string        `json:"status"`
	Actor       *Actor        `json:"actor"`
	Manifest    string        `json:"manifest"`
	RollbackOf  string        `json:"rollback_of"`
	ManifestKey string        `json:"manifest_key"`
	Name        string        `json:"name"`
	Dest        string        `json:"dest"`
	Action      string        `json:"action"`
	Before      *rawState     `json:"before"`
	After       *rawState     `json:"after"`
	Backup      string        `json:"backup"`
	Temp        string        `json:"temp"`
	Staged      bool          `json:"staged"`
	Error       string        `json:"error"`
	Summary     *plan.Summary `json:"summary"`
}

type rawState struct {
	Type     string `json:"type"`
	Link     string `json:"link"`
	Identity string `json:"identity"`
}

func (s *rawState) state() plan.State {
	if s == nil {
		return plan.State{}
	}
	return plan.State{Type: s.Type, Link: s.Link, Identity: s.Identity}
}

// ReadJournal reads state_dir/journal.jsonl through the root, read-only.
// A missing journal (or state_dir) is an empty history. Unreadable lines
// are skipped and counted in History.Skipped; only failing to read the
// file is an error.
func (d *Dir) ReadJournal() (*History, error) { return d.journalFrom(0) }

// maxLine bounds a journal line; a longer one is skipped as unreadable
// without being held in memory.
const maxLine = 1 << 20

// recordStart begins every record the journal writer produces (Record's
// first field); it is how a record appended after a torn line is found.
var recordStart = []byte(`{"apply_id":`)

// ParseJournal reads a journal from rd. It never fails on content: a line
// that is not a journal record (torn by a killed process, damaged, too
// long) is skipped and counted, and a record that a later write appended
// to a torn line is recovered. The error is rd's, if reading fails.
func ParseJournal(rd io.Reader) (*History, error) {
	b := &historyBuilder{byID: map[string]*ApplyLog{}, pending: map[*ApplyLog]map[string][]int{}}
	br := bufio.NewReaderSize(rd, 64<<10)
	var line []byte
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		tooLong := false
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(line)+len(chunk) <= maxLine {
				line = append(line, chunk...)
				continue
			}
			// Too long: drop the rest of the line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		if len(line) > 0 || tooLong {
			n++
			if tooLong {
				b.skip(n)
			} else {
				b.line(n, line)
			}
		}
		line = line[:0]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return b.finish(), nil
}

// historyBuilder groups records into applies.
type historyBuilder struct {
	h       History
	byID    map[string]*ApplyLog
	pending map[*ApplyLog]map[string][]int // dest+action -> steps awaiting an outcome
}

func (b *historyBuilder) skip(n int) {
	b.h.Skipped++
	if len(b.h.SkippedLines) < maxSkippedLines {
		b.h.SkippedLines = append(b.h.SkippedLines, n)
	}
}

func (b *historyBuilder) line(n int, line []byte) {
	t := bytes.TrimSpace(line)
	if len(t) == 0 {
		return
	}
	if rec, ok := parseRecord(t); ok {
		b.add(rec)
		return
	}
	b.skip(n)
	// A process killed mid-write leaves a line without its newline, and
	// the next apply's first record is appended to it: salvage that record.
	// It starts at the last recordStart (inside a record the text cannot
	// occur: a string's quotes are escaped), so one more parse suffices.
	if i := bytes.LastIndex(t, recordStart); i > 0 {
		if rec, ok := parseRecord(t[i:]); ok {
			b.add(rec)
		}
	}
}

// parseRecord decodes one line; ok is false if it is not a journal record.
func parseRecord(t []byte) (rawRecord, bool) {
	var rec rawRecord
	if err := json.Unmarshal(t, &rec); err != nil {
		// A field of an unexpected type (a future format, a flipped bit
		// inside a value) spoils that field only.
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return rawRecord{}, false
		}
	}
	if rec.ApplyID == "" {
		return rawRecord{}, false
	}
	switch rec.Status {
	case "begin", "intent", "done", "failed", "end":
		return rec, true
	}
	return rawRecord{}, false
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (b *historyBuilder) add(rec rawRecord) {
	a := b.byID[rec.ApplyID]
	if a == nil {
		a = &ApplyLog{ID: rec.ApplyID, Start: parseTime(rec.Time)}
		b.byID[rec.ApplyID] = a
		b.pending[a] = map[string][]int{}
		b.h.Applies = append(b.h.Applies, a)
	}
	switch rec.Status {
	case "begin":
		if a.hasBegin {
			// The same id begun again (a saved plan applied a second
			// time): its status is that of the latest run, and it is as
			// new as that run.
			a.ended, a.Error, a.End = false, "", time.Time{}
			a.run = len(a.Steps)
			b.pending[a] = map[string][]int{}
			for i, x := range b.h.Applies {
				if x == a {
					b.h.Applies = append(append(b.h.Applies[:i:i], b.h.Applies[i+1:]...), a)
					break
				}
			}
			break
		}
		a.hasBegin = true
		if t := parseTime(rec.Time); !t.IsZero() {
			a.Start = t
		}
		if rec.Actor != nil {
			a.Actor = *rec.Actor
		}
		a.Manifest, a.ManifestKey, a.RollbackOf = rec.Manifest, rec.ManifestKey, rec.RollbackOf
		if rec.Summary != nil {
			a.Summary, a.hasSummary = *rec.Summary, true
		}
	case "intent":
		key := rec.Dest + "\x00" + rec.Action
		a.Steps = append(a.Steps, Step{
			Name: rec.Name, Dest: rec.Dest, Action: rec.Action,
			Before: rec.Before.state(), After: rec.After.state(),
			Backup: rec.Backup, Temp: rec.Temp, Staged: rec.Staged, Status: StepInterrupted,
		})
		b.pending[a][key] = append(b.pending[a][key], len(a.Steps)-1)
	case "done", "failed":
		key := rec.Dest + "\x00" + rec.Action
		var s *Step
		if q := b.pending[a][key]; len(q) > 0 {
			s = &a.Steps[q[0]]
			if len(q) == 1 {
				delete(b.pending[a], key)
			} else {
				b.pending[a][key] = q[1:]
			}
		} else {
			// Its intent line is unreadable: keep what the outcome says.
			a.Steps = append(a.Steps, Step{Name: rec.Name, Dest: rec.Dest, Action: rec.Action})
			s = &a.Steps[len(a.Steps)-1]
		}
		s.Status, s.Error = StepStatus(rec.Status), rec.Error
		if rec.Backup != "" {
			s.Backup = rec.Backup
		}
		if s.Name == "" {
			s.Name = rec.Name
		}
	case "end":
		a.ended = true
		a.End = parseTime(rec.Time)
		a.Error = rec.Error
		if rec.Summary != nil && !a.hasSummary {
			a.Summary, a.hasSummary = *rec.Summary, true
		}
	}
}

func (b *historyBuilder) finish() *History {
	for _, a := range b.h.Applies {
		a.Status = ApplyComplete
		if a.Error != "" {
			a.Status = ApplyFailed
		}
		for _, s := range a.Steps[a.run:] {
			switch s.Status {
			case StepInterrupted:
				a.Status = ApplyInterrupted
			case StepFailed:
				if a.Status == ApplyComplete {
					a.Status = ApplyFailed
				}
			}
		}
		if !a.ended {
			a.Status = ApplyInterrupted
		}
		if !a.hasSummary {
			for _, s := range a.Steps {
				switch s.Action {
				case "create":
					a.Summary.Create++
				case "update":
					a.Summary.Update++
				case "replace":
					a.Summary.Replace++
				case "delete":
					a.Summary.Delete++
				}
			}
		}
	}
	return &b.h
}

// LastChange is the newest apply that changed links (what links rollback
// undoes by default), or nil: newer applies may only have cleaned a
// killed run's leftovers.
func (h *History) LastChange() *ApplyLog {
	for i := len(h.Applies) - 1; i >= 0; i-- {
		if len(h.Applies[i].Mutations()) > 0 {
			return h.Applies[i]
		}
	}
	return nil
}

// Interrupted lists the applies left interrupted since the last apply
// that ran to its end (complete or failed), oldest first: what the next
// apply should warn about. Earlier interrupted applies were followed by
// one that converged the tree and cleaned their leftovers.
func (h *History) Interrupted() []*ApplyLog {
	var out []*ApplyLog
	for _, a := range h.Applies {
		if a.Status == ApplyInterrupted {
			out = append(out, a)
		} else {
			out = out[:0]
		}
	}
	return out
}

// Find returns the apply whose id is id, or the only one whose id begins
// with it (like a git commit prefix). It returns an *UnknownApplyError if
// none does, or several do.
func (h *History) Find(id string) (*ApplyLog, error) {
	if id == "" {
		return nil, &UnknownApplyError{ID: id}
	}
	var found []*ApplyLog
	for _, a := range h.Applies {
		if a.ID == id {
			return a, nil
		}
		if strings.HasPrefix(a.ID, id) {
			found = append(found, a)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	e := &UnknownApplyError{ID: id}
	for _, a := range found {
		e.Matches = append(e.Matches, a.ID)
	}
	return nil, e
}

// Mutations returns the link changes of a (create, update, replace,
// delete; not leftover cleaning), in journal order and whatever their
// outcome, in the form RollbackPlan takes. A change whose intent line was
// unreadable has Before and After with an empty Type.
func (a *ApplyLog) Mutations() []Mutation {
	var out []Mutation
	for _, s := range a.Steps {
		switch s.Action {
		case "create", "update", "replace", "delete":
			out = append(out, Mutation{Name: s.Name, Dest: s.Dest, Action: s.Action, Before: s.Before, After: s.After, Backup: s.Backup, Temp: s.Temp, Staged: s.Staged})
		}
	}
	return out
}

// Mutation is one change an earlier apply made (or meant to make), as its
// journal recorded it.
type Mutation struct {
	Name   string
	Dest   string
	Action string
	Before plan.State
	After  plan.State
	// Backup is where a displaced entry went (or, for a restore, where it
	// came from).
	Backup string
	// Temp is the temporary name the apply used in dest's folder: where a
	// displaced entry sits if the apply was killed between the switch and
	// the move to its backup.
	Temp string
	// Staged marks the delete of a folder link that a folder of links,
	// built aside, replaced (an unfold).
	Staged bool
}
