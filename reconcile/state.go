package reconcile

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
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
}

// Owned is one link links made.
type Owned struct {
	// Manifest is the manifest whose apply made it (Root.Manifest): only
	// that manifest may delete it.
	Manifest string `json:"manifest"`
	Name     string `json:"name"`
	Link     string `json:"link"` // the link text apply wrote
	ApplyID  string `json:"apply_id"`
}

type stateWire struct {
	FormatVersion int              `json:"format_version"`
	Links         map[string]Owned `json:"links"`
}

// StateError reports a state file that cannot be read.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("state file %s is unreadable (%v); links will not guess which links it owns. Restore the file, or move it aside: links then rebuilds ownership from the journal", e.Path, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }

// ReadState reads state_dir/state.json. A missing file is rebuilt from the
// journal (empty for a first apply); a corrupt one is an error, never
// silently empty.
func (r *Root) ReadState() (*Ownership, error) {
	p := path.Join(r.StateDir, StateFile)
	f, err := r.root.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return r.ownershipFromJournal()
	}
	if err != nil {
		return nil, &StateError{Path: p, Err: unwrapPathError(err)}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<30))
	if err != nil {
		return nil, &StateError{Path: p, Err: unwrapPathError(err)}
	}
	var w stateWire
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, &StateError{Path: p, Err: err}
	}
	if w.FormatVersion != stateFormat {
		return nil, &StateError{Path: p, Err: fmt.Errorf("format_version %d; this links reads %d", w.FormatVersion, stateFormat)}
	}
	if w.Links == nil {
		w.Links = map[string]Owned{}
	}
	return &Ownership{Links: w.Links}, nil
}

// ownershipFromJournal replays the journal's completed mutations: a link
// made (created, updated, replaced) is owned by the manifest of the apply
// that made it, a link deleted or displaced by a restore is not. It is the
// state file's content when that file is missing (deleted, or moved aside
// because it was corrupt). Applies that did not record their manifest own
// nothing: links never deletes a link it cannot attribute.
func (r *Root) ownershipFromJournal() (*Ownership, error) {
	o := &Ownership{Links: map[string]Owned{}}
	h, err := r.ReadJournal()
	if err != nil {
		return nil, err
	}
	for _, a := range h.Applies {
		for _, s := range a.Steps {
			if s.Status != StepDone {
				continue
			}
			switch s.Action {
			case "create", "update", "replace":
				if s.After.Type == "symlink" && a.ManifestKey != "" {
					o.Links[s.Dest] = Owned{Manifest: a.ManifestKey, Name: s.Name, Link: s.After.Link, ApplyID: a.ID}
				} else {
					delete(o.Links, s.Dest)
				}
			case "delete":
				delete(o.Links, s.Dest)
			}
		}
	}
	return o, nil
}

// writeState replaces state.json atomically: a temporary file is written and
// fsynced, renamed over the old one, and state_dir is fsynced.
func (r *Root) writeState(o *Ownership) error {
	w := stateWire{FormatVersion: stateFormat, Links: o.Links}
	b, err := json.MarshalIndent(w, "", " ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	tmp := path.Join(r.StateDir, "."+StateFile+TempMarker+hex.EncodeToString(rnd[:]))
	f, err := r.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.root.Rename(tmp, path.Join(r.StateDir, StateFile))
	}
	if err != nil {
		_ = r.root.Remove(tmp)
		return fmt.Errorf("write state: %w", err)
	}
	return r.fs.SyncDir(r.StateDir)
}

// sortedDests returns the owned dests in order.
func (o *Ownership) sortedDests() []string {
	out := make([]string, 0, len(o.Links))
	for d := range o.Links {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
