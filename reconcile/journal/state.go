package journal

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/linksdev/links/plan"
)

// StateFile is the ownership record's name inside state_dir.
const StateFile = "state.json"

// stateFormat is the version of state.json.
const stateFormat = 1

// Ownership records every link this manifest's applies have made and that
// is still as they left it: the links links may later delete when the
// manifest stops declaring them. Nothing else is ever deleted.
type Ownership struct {
	// Links maps each owned dest (relative to root) to its record.
	Links map[string]Owned
	// JournalOffset is where, in the journal, the apply that wrote this
	// record began: applies journaled from there on may not be reflected
	// (an interrupted one never wrote the state file).
	JournalOffset int64
	// dirty is set when the journal added to what the state file says:
	// the next apply writes it back even if it changes nothing else.
	dirty bool
	// keep, when set, is the filter this Ownership was read with: it holds
	// only those dests and must not be written.
	keep func(dest string) bool
	// raw, when set, is the state file (ReadStateLazy) whose links are
	// Links, not decoded yet: Links is nil until materialize.
	raw []byte
}

// materialize decodes the links of a lazily read Ownership into Links.
// The bytes were read whole by decodeStateFast under the same lock hold,
// so they decode; if they ever did not, the record is marked partial
// (WriteState refuses it) rather than written back empty.
func (o *Ownership) materialize() {
	if o.raw == nil {
		return
	}
	w, ok := decodeStateFast(o.raw, nil)
	o.raw = nil
	if !ok {
		o.Links, o.keep = map[string]Owned{}, func(string) bool { return false }
		return
	}
	o.Links = w.Links
}

// Dirty reports that the journal added to what the state file says: the
// next apply writes it back even if it changes nothing else.
func (o *Ownership) Dirty() bool { return o.dirty }

// Owned is one link links made.
type Owned struct {
	// Manifest is the manifest whose apply made it (Root.Manifest): only
	// that manifest may delete it.
	Manifest string `json:"manifest"`
	Name     string `json:"name"`
	Link     string `json:"link"` // the link text apply wrote
	ApplyID  string `json:"apply_id"`
	// Backup, when set, is where the file or folder this link displaced
	// went (relative to root); BackupType and BackupIdentity are what it
	// was (plan.State's Type and Identity). Deleting the link gives it
	// back, if it is still there, unchanged.
	Backup         string `json:"backup,omitempty"`
	BackupType     string `json:"backup_type,omitempty"`
	BackupIdentity string `json:"backup_identity,omitempty"`
}

// displaced returns o with the displaced entry of prev, the record of the
// same dest before a change that keeps it displaced (an update).
func (o Owned) Displaced(prev Owned, ok bool) Owned {
	if ok && prev.Manifest == o.Manifest && o.Backup == "" {
		o.Backup, o.BackupType, o.BackupIdentity = prev.Backup, prev.BackupType, prev.BackupIdentity
	}
	return o
}

type stateWire struct {
	FormatVersion int              `json:"format_version"`
	JournalOffset int64            `json:"journal_offset"`
	Links         map[string]Owned `json:"links"`
}

// ReadState reads state_dir/state.json. A missing file is rebuilt from the
// journal (empty for a first apply); a corrupt one is an error, never
// silently empty.
func (d *Dir) ReadState() (*Ownership, error) {
	return d.ReadOwnership(nil)
}

// ReadOwnership is ReadState limited to the dests keep keeps (all when
// keep is nil). A limited Ownership is only read, never written back.
func (d *Dir) ReadOwnership(keep func(dest string) bool) (*Ownership, error) {
	o, err := d.readStateFile(keep)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return d.ownershipFromJournal(keep)
	}
	h, err := d.journalFrom(o.JournalOffset)
	if err != nil {
		return nil, err
	}
	if err := d.replay(o, h); err != nil {
		return nil, err
	}
	return o, nil
}

// readStateBytes reads state.json, at most limit bytes of it; nil without
// error when it is missing.
func (d *Dir) readStateBytes(limit int64) ([]byte, error) {
	p := path.Join(d.rel, StateFile)
	f, err := d.root.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &StateError{Path: p, Err: bare(err)}
	}
	defer f.Close()
	var b []byte
	if fi, err := f.Stat(); err == nil && fi.Size() < limit {
		b = make([]byte, 0, fi.Size()+1)
	}
	b, err = readAllInto(b, io.LimitReader(f, limit))
	if err != nil {
		return nil, &StateError{Path: p, Err: bare(err)}
	}
	return b, nil
}

// readAllInto is io.ReadAll appending to b.
func readAllInto(b []byte, rd io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// readStateFile reads state.json; nil without error when it is missing.
// Under the lock, the bytes read are kept for the rest of the hold.
func (d *Dir) readStateFile(keep func(dest string) bool) (*Ownership, error) {
	snap, fresh, err := d.stateBytes()
	if err != nil || snap.raw == nil {
		return nil, err
	}
	p := path.Join(d.rel, StateFile)
	// Whether the fast decoder takes the file does not depend on keep
	// (it checks a skipped entry as it checks a kept one).
	w, fast := decodeStateFast(snap.raw, keep)
	if fresh {
		snap.fast = fast
		d.keepState(snap)
	}
	if !fast {
		if w, err = decodeStateJSON(snap.raw, keep); err != nil {
			return nil, &StateError{Path: p, Err: err}
		}
	}
	if w.FormatVersion != stateFormat {
		return nil, &StateError{Path: p, Err: fmt.Errorf("format_version %d; this links reads %d", w.FormatVersion, stateFormat)}
	}
	if w.Links == nil {
		w.Links = map[string]Owned{}
	}
	return &Ownership{Links: w.Links, JournalOffset: w.JournalOffset, keep: keep}, nil
}

// stateBytes is the state file as read earlier under this lock hold, or
// (fresh) read now; raw is nil when there is none. A fresh one is the
// caller's to keep (keepState) once it knows whether it is fast.
func (d *Dir) stateBytes() (snap *stateSnap, fresh bool, err error) {
	if snap := d.cachedState(); snap != nil {
		return snap, false, nil
	}
	b, err := d.readStateBytes(1 << 30)
	if err != nil {
		return nil, false, err
	}
	return &stateSnap{raw: b}, true, nil
}

// ReadStateLazy is ReadState for an apply: when the state file is in the
// layout links writes and the journal holds nothing past it, its links
// are not decoded into a map unless needed (Record, WriteState): the new
// record an apply writes is merged from its lines as they are
// (EncodeIfAllMade). An apply of 100,000 links decoded the whole file
// again after its plan, ~50-140 ms before the first change. The file is
// checked whole either way (a corrupt one is an error), and is not read
// again when the plan read it under the same lock hold.
func (d *Dir) ReadStateLazy() (*Ownership, error) {
	snap, fresh, err := d.stateBytes()
	if err != nil {
		return nil, err
	}
	if fresh && snap.raw != nil {
		_, snap.fast = decodeStateFast(snap.raw, func(string) bool { return false })
		d.keepState(snap)
	}
	off, ok := stateHeader(snap.raw)
	if snap.raw == nil || !snap.fast || !ok {
		return d.ReadState() // no file, or another layout: as it always was
	}
	h, err := d.journalFrom(off)
	if err != nil {
		return nil, err
	}
	if len(h.Applies) > 0 {
		return d.ReadState() // replayed on the map
	}
	return &Ownership{raw: snap.raw, JournalOffset: off}, nil
}

// ownershipFromJournal replays the journal's completed mutations: a link
// made (created, updated, replaced) is owned by the manifest of the apply
// that made it, a link deleted or displaced by a restore is not. It is the
// state file's content when that file is missing (deleted, or moved aside
// because it was corrupt). Applies that did not record their manifest own
// nothing: links never deletes a link it cannot attribute.
func (d *Dir) ownershipFromJournal(keep func(dest string) bool) (*Ownership, error) {
	o := &Ownership{Links: map[string]Owned{}, keep: keep}
	h, err := d.ReadJournal()
	if err != nil {
		return nil, err
	}
	return o, d.replay(o, h)
}

// replay brings o up to date with the applies in h: completed mutations
// own or disown their dests, and the mutations of interrupted applies whose
// dest is now exactly the link they were to make are owned (the mutation
// happened; its done record was lost with the process).
func (d *Dir) replay(o *Ownership, h *History) error {
	o.dirty = o.dirty || len(h.Applies) > 0
	for _, a := range h.Applies {
		for _, s := range a.Steps {
			if s.Status != StepDone || o.keep != nil && !o.keep(s.Dest) {
				continue
			}
			switch s.Action {
			case "create", "update", "replace":
				if s.After.Type == "symlink" && a.ManifestKey != "" {
					rec := Owned{Manifest: a.ManifestKey, Name: s.Name, Link: s.After.Link, ApplyID: a.ID}
					switch s.Action {
					case "replace":
						if s.Backup != "" {
							rec.Backup, rec.BackupType, rec.BackupIdentity = s.Backup, s.Before.Type, s.Before.Identity
						}
					case "update":
						prev, ok := o.Links[s.Dest]
						rec = rec.Displaced(prev, ok)
					}
					o.Links[s.Dest] = rec
				} else {
					delete(o.Links, s.Dest)
				}
			case "delete":
				delete(o.Links, s.Dest)
			}
		}
	}
	return d.adoptInterrupted(o, h)
}

// RecentJournal reads the journal from the offset the state file reflects
// (the whole journal when there is no readable state file): every apply
// the state file may not include, at a cost that does not grow with
// history.
func (d *Dir) RecentJournal() (*History, error) {
	// The offset is in the first line; the rest of the file is read only
	// when it is not in the layout links writes.
	head, err := d.readStateBytes(256)
	if err != nil || head == nil {
		return d.ReadJournal()
	}
	if off, ok := stateHeader(head); ok {
		return d.journalFrom(off)
	}
	o, err := d.readStateFile(func(string) bool { return false })
	if err != nil || o == nil {
		return d.ReadJournal()
	}
	return d.journalFrom(o.JournalOffset)
}

// journalFrom reads the journal from offset (from the start when offset is
// not within it).
func (d *Dir) journalFrom(offset int64) (*History, error) {
	p := path.Join(d.rel, JournalFile)
	f, err := d.root.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &History{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", p, bare(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && offset > 0 && offset <= fi.Size() {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read journal %s: %w", p, err)
		}
	}
	h, err := ParseJournal(f)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", p, bare(err))
	}
	return h, nil
}

// adoptInterrupted adds to o the links that interrupted applies (killed
// before they could write the state file) made for this manifest: a step
// whose dest is now exactly the link it was to make happened.
func (d *Dir) adoptInterrupted(o *Ownership, h *History) error {
	for _, a := range h.Applies {
		if a.Status != ApplyInterrupted || a.ManifestKey != d.manifest {
			continue
		}
		for _, s := range a.Steps {
			if s.After.Type != "symlink" || !plan.UnderRoot(s.Dest) || o.keep != nil && !o.keep(s.Dest) {
				continue
			}
			now, err := d.observe(s.Dest)
			if err != nil {
				return err
			}
			if now.Type == "symlink" && now.Link == s.After.Link {
				rec := Owned{Manifest: a.ManifestKey, Name: s.Name, Link: s.After.Link, ApplyID: a.ID}
				if s.Action == "replace" && s.Backup != "" {
					rec.Backup, rec.BackupType, rec.BackupIdentity = s.Backup, s.Before.Type, s.Before.Identity
				} else if s.Action == "update" {
					prev, ok := o.Links[s.Dest]
					rec = rec.Displaced(prev, ok)
				}
				o.Links[s.Dest] = rec
			}
		}
	}
	return nil
}

// writeState replaces state.json atomically: a temporary file is written and
// fsynced, renamed over the old one, and state_dir is fsynced.
func (d *Dir) WriteState(o *Ownership) error {
	o.materialize()
	if o.keep != nil {
		return errors.New("write state: a partial ownership record (a bug)")
	}
	return d.WriteLinks(o.JournalOffset, EncodeLinks(o.Links))
}

// WriteLinks writes the state file of journal offset offset whose
// links EncodeLinks encoded as links.
func (d *Dir) WriteLinks(offset int64, links []byte) error {
	tmp, err := d.PrepareState(offset, links)
	if err != nil {
		return err
	}
	return d.CommitState(tmp)
}

// PrepareState writes and fsyncs a new state file of journal offset
// offset under a temporary name in state_dir, which CommitState then
// renames into place (or DiscardState removes). Temporary state files a
// killed apply left are removed first: they are links' own.
func (d *Dir) PrepareState(offset int64, links []byte) (string, error) {
	head := stateHead(stateFormat, offset)
	for _, n := range d.stateTemps() {
		_ = d.root.Remove(path.Join(d.rel, n))
	}
	tmp := path.Join(d.rel, TempName(StateFile))
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("write state: %w", err)
	}
	_, err = f.Write(head)
	if err == nil {
		_, err = f.Write(links)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		d.DiscardState(tmp)
		return "", fmt.Errorf("write state: %w", err)
	}
	return tmp, nil
}

// CommitState renames the state file PrepareState wrote into place, and
// makes the rename durable.
func (d *Dir) CommitState(tmp string) error {
	d.forgetState()
	if err := d.root.Rename(tmp, path.Join(d.rel, StateFile)); err != nil {
		d.DiscardState(tmp)
		return fmt.Errorf("write state: %w", err)
	}
	return d.syncDir(d.rel)
}

// DiscardState removes a state file PrepareState wrote.
func (d *Dir) DiscardState(tmp string) { _ = d.root.Remove(tmp) }

// stateTemps lists the temporary state files a killed apply left in
// state_dir: regular files named exactly as PrepareState names them
// (.state.json.links-tmp. and 8 hex digits). They are links' own, in its
// own folder; any other name is left alone.
func (d *Dir) stateTemps() []string {
	f, err := d.root.Open(d.rel)
	if err != nil {
		return nil
	}
	defer f.Close()
	ents, _ := f.ReadDir(-1)
	var out []string
	prefix := "." + StateFile + TempMarker
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, prefix) || len(n) != len(prefix)+8 {
			continue
		}
		if _, err := hex.DecodeString(n[len(prefix):]); err == nil {
			out = append(out, n)
		}
	}
	return out
}
