package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// FormatVersion is the version of the JSON plan format (SPEC §4). It
// changes only when a guaranteed field changes meaning.
const FormatVersion = 1

type wirePlan struct {
	FormatVersion  int               `json:"format_version"`
	ID             string            `json:"id,omitempty"`
	ApplyID        string            `json:"apply_id,omitempty"`
	RollbackOf     string            `json:"rollback_of,omitempty"`
	Manifest       string            `json:"manifest"`
	Root           string            `json:"root"`
	StateDir       string            `json:"state_dir,omitempty"`
	ManifestDigest string            `json:"manifest_sha256,omitempty"`
	Changes        []wireChange      `json:"changes"`
	Summary        Summary           `json:"summary"`
	Warnings       []string          `json:"warnings,omitempty"`
	Forget         []string          `json:"forget,omitempty"`
	Vars           map[string]string `json:"vars,omitempty"`
	Trees          []wireTree        `json:"trees,omitempty"`
}

type wireTree struct {
	Name     string `json:"name"`
	Dest     string `json:"dest"`
	Target   string `json:"target"`
	Links    int    `json:"links"`
	Excluded int    `json:"excluded"`
	Folded   int    `json:"folded"`
	Problem  string `json:"problem,omitempty"`
}

type wireChange struct {
	Name    string    `json:"name"`
	Tree    string    `json:"tree,omitempty"`
	Member  string    `json:"member,omitempty"`
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
	Kind    string    `json:"kind,omitempty"`
	Error   string    `json:"error,omitempty"`
}

type wireState struct {
	Type     string `json:"type"`
	Link     string `json:"link,omitempty"`
	Identity string `json:"identity,omitempty"`
}

// JSONOptions adds apply results to the JSON form of a plan.
type JSONOptions struct {
	// ApplyID is set for apply output.
	ApplyID string
	// Errors maps a change's index to the error that stopped it.
	Errors map[int]error
}

// WriteJSON writes p in the versioned JSON format of SPEC §4. It streams:
// the changes are encoded one at a time, so a plan of a million changes
// never has its whole JSON form in memory.
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
		Changes:        []wireChange{},
		Summary:        s,
		ManifestDigest: p.ManifestDigest,
		Warnings:       p.Warnings,
		Forget:         p.Forget,
		Vars:           p.Vars,
	}
	for _, t := range p.Trees {
		out.Trees = append(out.Trees, wireTree(t))
	}
	// The plan without its changes, then the changes spliced in where
	// "changes": [] is. Strings are escaped, so a raw newline followed by
	// the key can only be that field.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // link texts as written: no \u003e for ">"
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	const marker = "\n  \"changes\": []"
	head, tail, ok := bytes.Cut(buf.Bytes(), []byte(marker))
	if !ok {
		return errors.New("encode plan: no changes field (a bug)")
	}
	ew := &errWriter{w: w}
	ew.write(head)
	ew.write([]byte(marker[:len(marker)-1]))
	var cb bytes.Buffer
	cenc := json.NewEncoder(&cb)
	cenc.SetEscapeHTML(false)
	cenc.SetIndent("    ", "  ")
	for i := range p.Changes {
		wc := wireChangeOf(p, i, opts)
		cb.Reset()
		if i > 0 {
			cb.WriteByte(',')
		}
		cb.WriteString("\n    ")
		if err := cenc.Encode(wc); err != nil {
			return fmt.Errorf("encode plan: %w", err)
		}
		cb.Truncate(cb.Len() - 1) // the encoder's newline
		ew.write(cb.Bytes())
		if ew.err != nil {
			return ew.err
		}
	}
	if len(p.Changes) > 0 {
		ew.write([]byte("\n  "))
	}
	ew.write([]byte("]"))
	ew.write(tail)
	return ew.err
}

// wireChangeOf is the JSON form of p.Changes[i].
func wireChangeOf(p *Plan, i int, opts JSONOptions) wireChange {
	c := &p.Changes[i]
	wc := wireChange{
		Name: c.Name, Dest: c.Dest, Action: c.Action,
		Before: wireState(c.Before), After: wireState(c.After),
		Backup: c.Backup, Reason: c.Reason, Parents: c.Parents, Needs: c.Needs, Restore: c.Restore, Folder: c.Folder,
		Kind: string(c.Kind),
	}
	if t, m, ok := TreeOf(c.Name); ok {
		wc.Tree, wc.Member = t, m
	} else if len(p.Trees) > 0 && p.tree(c.Name) != nil {
		wc.Tree = c.Name // a tree that could not be expanded
	}
	if err := opts.Errors[i]; err != nil {
		wc.Error = err.Error()
	}
	return wc
}
