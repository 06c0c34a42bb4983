package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/linksdev/links/manifest"
)

// A change's kind (what apply needs on Windows to make a dangling
// directory link) survives a saved plan, is written only when declared,
// and an unknown one is refused.
func TestKindInSavedPlan(t *testing.T) {
	p := samplePlan()
	p.Changes[3].Kind = manifest.KindDir  // docs: a create
	p.Changes[6].Kind = manifest.KindFile // notes: a conflict
	var b bytes.Buffer
	if err := WriteJSON(&b, p, JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), `"kind": `); n != 2 {
		t.Errorf("%d kind fields in the JSON, want 2 (only where declared):\n%s", n, b.String())
	}
	got, err := ReadJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	bad := strings.Replace(b.String(), `"kind": "dir"`, `"kind": "junction"`, 1)
	if _, err := ReadJSON(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), `unknown kind "junction"`) {
		t.Errorf("ReadJSON with kind junction: err = %v, want unknown kind", err)
	}
}

// A saved plan whose kind differs from the new plan's is a difference: a
// plan file edited to make a file link where the manifest says dir (or
// the reverse) is refused.
func TestCompareKind(t *testing.T) {
	tests := []struct {
		name        string
		saved, now  manifest.Kind
		differences int
	}{
		{"both undeclared", manifest.KindAny, manifest.KindAny, 0},
		{"both dir", manifest.KindDir, manifest.KindDir, 0},
		{"dir dropped", manifest.KindDir, manifest.KindAny, 1},
		{"dir added", manifest.KindAny, manifest.KindDir, 1},
		{"file for dir", manifest.KindFile, manifest.KindDir, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved, now := samplePlan(), samplePlan()
			saved.Changes[3].Kind, now.Changes[3].Kind = tt.saved, tt.now
			d := Compare(saved, now)
			if len(d) != tt.differences {
				t.Fatalf("Compare: %d differences %v, want %d", len(d), d, tt.differences)
			}
			if tt.differences > 0 {
				s := d[0].String()
				if d[0].Dest != "docs/with space|pipe" || d[0].Stale || !strings.Contains(s, "kind: ") {
					t.Errorf("difference %+v (%s): want docs/with space|pipe, not stale, naming the kind", d[0], s)
				}
			}
		})
	}
}
