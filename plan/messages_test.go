package plan

import (
	"bytes"
	"strings"
	"testing"
)

// TestRenderNoEmptyArrow: a change whose after is not a link (a rollback
// conflict over a dest that was missing or a file) shows no `-> ""`.
func TestRenderNoEmptyArrow(t *testing.T) {
	for _, tc := range []struct {
		after State
		want  string
	}{
		{State{Type: TypeMissing}, "! conflict models/current\n"},
		{State{Type: TypeFile}, "! conflict models/current (to be a file)\n"},
		{State{Type: TypeSymlink, Link: "x"}, "! conflict models/current -> x\n"},
	} {
		c := Change{Dest: "models/current", Action: Conflict, Before: State{Type: TypeSymlink, Link: "y"}, After: tc.after, Reason: "changed since"}
		got := string(appendChangeLine(nil, &c, false))
		if !strings.Contains(got, tc.want) || strings.Contains(got, `-> ""`) {
			t.Errorf("after %s: %q, want %q", tc.after.Type, got, tc.want)
		}
	}
}

// TestMarkdownBackticks: a backtick in a dest, link text or backup is
// shown as it is (a longer fence), not turned into '.
func TestMarkdownBackticks(t *testing.T) {
	p := &Plan{Manifest: "links.yaml", StateDir: ".links", Changes: []Change{
		{Name: "a", Dest: "we`ird", Action: Replace, Before: State{Type: TypeFile}, After: State{Type: TypeSymlink, Link: "`x``"}, Backup: ".links/backups/id/we`ird"},
		{Name: "b", Dest: "pi|pe", Action: Create, Before: State{Type: TypeMissing}, After: State{Type: TypeSymlink, Link: "t"}, Reason: "a | b"},
	}}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"| ``we`ird`` |", "→ ``` `x`` ``` |", "backup: ``.links/backups/id/we`ird``", "| `pi\\|pe` |", "a \\| b"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "we'ird") {
		t.Errorf("backtick shown as ':\n%s", out)
	}
}
