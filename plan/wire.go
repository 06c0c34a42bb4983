package plan

import (
	"encoding/json"
	"fmt"
	"io"
)

// FormatVersion is the version of the JSON plan format (SPEC §4). It
// changes only when a guaranteed field changes meaning.
const FormatVersion = 1

type wirePlan struct {
	FormatVersion  int          `json:"format_version"`
	ID             string       `json:"id,omitempty"`
	ApplyID        string       `json:"apply_id,omitempty"`
	RollbackOf     string       `json:"rollback_of,omitempty"`
	Manifest       string       `json:"manifest"`
	Root           string       `json:"root"`
	StateDir       string       `json:"state_dir,omitempty"`
	ManifestDigest string       `json:"manifest_sha256,omitempty"`
	Changes        []wireChange `json:"changes"`
	Summary        wireSummary  `json:"summary"`
	Warnings       []string     `json:"warnings,omitempty"`
	Forget         []string     `json:"forget,omitempty"`
}

type wireChange struct {
	Name    string    `json:"name"`
	Dest    string    `json:"dest"`
	Action  Action    `json:"action"`
	Before  wireState `json:"before"`
	After   wireState `json:"after"`
	Backup  string    `json:"backup"`
	Reason  string    `json:"reason"`
	Parents []string  `json:"parents,omitempty"`
	Needs   string    `json:"needs,omitempty"`
	Restore string    `json:"restore,omitempty"`
	Folder  string    `json:"folder,omitempty"`
	Error   string    `json:"error,omitempty"`
}

type wireState struct {
	Type     string `json:"type"`
	Link     string `json:"link,omitempty"`
	Identity string `json:"identity,omitempty"`
}

type wireSummary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Replace  int `json:"replace"`
	Delete   int `json:"delete"`
	Noop     int `json:"noop"`
	Conflict int `json:"conflict"`
}

// JSONOptions adds apply results to the JSON form of a plan.
type JSONOptions struct {
	// ApplyID is set for apply output.
	ApplyID string
	// Errors maps a change's index to the error that stopped it.
	Errors map[int]error
}

// WriteJSON writes p in the versioned JSON format of SPEC §4.
func WriteJSON(w io.Writer, p *Plan, opts JSONOptions) error {
	s := p.Summary()
	out := wirePlan{
		FormatVersion:  FormatVersion,
		ID:             p.ID,
		ApplyID:        opts.ApplyID,
		Manifest:       p.Manifest,
		RollbackOf:     p.RollbackOf,
		Root:           p.Root,
		StateDir:       p.StateDir,
		Changes:        make([]wireChange, len(p.Changes)),
		Summary:        wireSummary(s),
		ManifestDigest: p.ManifestDigest,
		Warnings:       p.Warnings,
		Forget:         p.Forget,
	}
	for i, c := range p.Changes {
		wc := wireChange{
			Name: c.Name, Dest: c.Dest, Action: c.Action,
			Before: wireState(c.Before), After: wireState(c.After),
			Backup: c.Backup, Reason: c.Reason, Parents: c.Parents, Needs: c.Needs, Restore: c.Restore, Folder: c.Folder,
		}
		if err := opts.Errors[i]; err != nil {
			wc.Error = err.Error()
		}
		out.Changes[i] = wc
	}
	// Link texts are shown as written: no \u003e for ">".
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	return nil
}
