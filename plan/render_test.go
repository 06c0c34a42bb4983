package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// samplePlan has one change of every action, including awkward names.
func samplePlan() *Plan {
	return &Plan{
		ID: "20261123T091500Z-4f2a9c", Manifest: "links.yaml", Root: "/srv/app", StateDir: ".links",
		Changes: []Change{
			{Name: "config", Dest: "app/config/current.yaml", Action: Replace,
				Before: State{Type: TypeFile, Identity: "1:2:3:4"}, After: State{Type: TypeSymlink, Link: "../../shared/configs/prod.yaml"},
				Backup: ".links/backups/20261123T091500Z-4f2a9c/app/config/current.yaml"},
			{Name: "assets", Dest: "assets", Action: Replace,
				Before: State{Type: TypeDir}, After: State{Type: TypeSymlink, Link: "shared/assets"},
				Reason: "the directory at dest is deleted (backup: false)"},
			{Name: "live", Dest: "current", Action: Update,
				Before: State{Type: TypeSymlink, Link: "releases/2026-02-01_0900"}, After: State{Type: TypeSymlink, Link: "releases/2026-02-07_1200"}},
			{Name: "docs", Dest: "docs/with space|pipe", Action: Create,
				Before: State{Type: TypeMissing}, After: State{Type: TypeSymlink, Link: "shared/docs"}, Parents: []string{"docs"}},
			{Name: "old", Dest: "legacy", Action: Delete,
				Before: State{Type: TypeSymlink, Link: "releases/old"}, After: State{Type: TypeMissing}},
			{Name: "model", Dest: "models/current", Action: Noop,
				Before: State{Type: TypeSymlink, Link: "2026-02-01"}, After: State{Type: TypeSymlink, Link: "2026-02-01"}},
			{Name: "notes", Dest: "notes.txt", Action: Conflict,
				Before: State{Type: TypeFile}, After: State{Type: TypeSymlink, Link: "shared/notes.txt"},
				Reason: "a regular file is in the way; set replace: file to move it to a backup"},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./plan -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (go test ./plan -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	noChanges := &Plan{ID: "x", Manifest: "links.yaml", Root: "/srv/app", StateDir: ".links", Changes: []Change{samplePlan().Changes[5]}}
	cases := []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"plan.txt", func(b *bytes.Buffer) error { return WriteText(b, samplePlan(), TextOptions{}) }},
		{"plan.color.txt", func(b *bytes.Buffer) error { return WriteText(b, samplePlan(), TextOptions{Color: true}) }},
		{"plan.nochanges.txt", func(b *bytes.Buffer) error { return WriteText(b, noChanges, TextOptions{}) }},
		{"plan.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, samplePlan()) }},
		{"plan.nochanges.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, noChanges) }},
		{"plan.json", func(b *bytes.Buffer) error { return WriteJSON(b, samplePlan(), JSONOptions{}) }},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, b.Bytes())
		})
	}
}

func TestSummaryLine(t *testing.T) {
	tests := []struct {
		s    Summary
		want string
	}{
		{Summary{}, "No changes."},
		{Summary{Noop: 4}, "No changes."},
		{Summary{Create: 1, Update: 2, Replace: 3, Delete: 4}, "Plan: 1 to create, 2 to update, 3 to replace, 4 to delete."},
		{Summary{Create: 1, Conflict: 2}, "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete, 2 conflicts."},
		{Summary{Conflict: 1}, "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 1 conflict."},
	}
	for _, tt := range tests {
		if got := SummaryLine(tt.s); got != tt.want {
			t.Errorf("SummaryLine(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// TestWriteJSONStreamsTheSameDocument: the streamed JSON is byte for byte
// what encoding/json makes of the whole plan at once, with and without
// changes, errors, warnings and forget.
func TestWriteJSONStreamsTheSameDocument(t *testing.T) {
	full := samplePlan()
	full.Warnings = []string{"a <warning> & more"}
	full.Forget = []string{"x"}
	for _, tc := range []struct {
		name string
		p    *Plan
		opts JSONOptions
	}{
		{"sample", samplePlan(), JSONOptions{}},
		{"warnings, forget, apply errors", full, JSONOptions{ApplyID: "a1", Errors: map[int]error{1: errors.New("rename: <permission denied>")}}},
		{"no changes", &Plan{ID: "p", Manifest: "links.yaml", Root: "/r"}, JSONOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := WriteJSON(&got, tc.p, tc.opts); err != nil {
				t.Fatal(err)
			}
			s := tc.p.Summary()
			whole := wirePlan{FormatVersion: FormatVersion, ID: tc.p.ID, ApplyID: tc.opts.ApplyID, Manifest: tc.p.Manifest,
				RollbackOf: tc.p.RollbackOf, Root: tc.p.Root, StateDir: tc.p.StateDir, Changes: []wireChange{},
				Summary: s, ManifestDigest: tc.p.ManifestDigest, Warnings: tc.p.Warnings, Forget: tc.p.Forget}
			for i := range tc.p.Changes {
				whole.Changes = append(whole.Changes, wireChangeOf(tc.p, i, tc.opts))
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(whole); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("streamed:\n%s\nwhole:\n%s", got.String(), want.String())
			}
		})
	}
}
