package plan

import (
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
)

// TestGuardConflict: a dest that resolves to a guard, inside a guarded
// folder, or onto an entry on the way to a guard is refused; anything
// else is not.
func TestGuardConflict(t *testing.T) {
	guards := []Guard{
		{What: "state_dir .links", Real: "state", Folder: true, Trail: []string{".links", "state"}},
		{What: "the manifest links.yaml", Real: "cfg/m.yaml", Trail: []string{"links.yaml", "cfg", "cfg/m.yaml"}},
	}
	for _, tc := range []struct{ real, want string }{
		{"state", "which is state_dir .links"},
		{"state/lock", "inside state_dir .links (at state"},
		{".links", "a symlink on the way to state_dir .links"},
		{"cfg/m.yaml", "which is the manifest links.yaml"},
		{"cfg", "a folder that holds the manifest links.yaml"},
		{"links.yaml", "a symlink on the way to the manifest"},
		{"cfg/other", ""},
		{"stat", ""},
		{"states", ""},
	} {
		got := guardConflict(tc.real, guards)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("guardConflict(%q) = %q, want %q", tc.real, got, tc.want)
		}
	}
}

// TestDiffNestedThroughSymlink: dests nested in each other only once their
// folders are resolved are a conflict naming both, whichever of the two
// goes through the symlinked folder.
func TestDiffNestedThroughSymlink(t *testing.T) {
	for _, tc := range []struct {
		name   string
		links  []manifest.Link
		obs    map[string]Observation
		inner  string
		reason string
	}{
		{"inner through symlink",
			[]manifest.Link{link("top", "a", "rel", withReplace(manifest.ReplaceAny)), link("inner", "s/b", "rel", withReplace(manifest.ReplaceFile))},
			map[string]Observation{
				"a":   {Dest: State{Type: TypeDir}, ParentReal: ".", TargetExists: true},
				"s/b": {Dest: State{Type: TypeFile}, ParentReal: "a", TargetExists: true},
			}, "s/b", "dest resolves to a/b, inside a, the dest of links.top"},
		{"outer through symlink",
			[]manifest.Link{link("outer", "via/x", "rel", withReplace(manifest.ReplaceAny)), link("inner", "real/x/y", "rel")},
			map[string]Observation{
				"via/x":    {Dest: State{Type: TypeDir}, ParentReal: "real", TargetExists: true},
				"real/x/y": {Dest: State{Type: TypeMissing}, ParentReal: "real/x", TargetExists: true},
			}, "real/x/y", "inside real/x (via/x), the dest of links.outer"},
		{"both through symlinks",
			[]manifest.Link{link("outer", "p/x", "rel", withReplace(manifest.ReplaceAny)), link("inner", "q/x/y", "rel")},
			map[string]Observation{
				"p/x":   {Dest: State{Type: TypeDir}, ParentReal: "d", TargetExists: true},
				"q/x/y": {Dest: State{Type: TypeMissing}, ParentReal: "d/x", TargetExists: true},
			}, "q/x/y", "inside d/x (p/x), the dest of links.outer"},
		{"siblings",
			[]manifest.Link{link("one", "a/x", "rel"), link("two", "s/y", "rel")},
			map[string]Observation{
				"a/x": {Dest: State{Type: TypeMissing}, ParentReal: "a", TargetExists: true},
				"s/y": {Dest: State{Type: TypeMissing}, ParentReal: "a", TargetExists: true},
			}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links", Links: tc.links}
			m.Links = sortLinks(m.Links)
			p := Diff(m, &Observed{RootReal: "/r", Links: tc.obs}, "ID")
			for _, c := range p.Changes {
				if c.Dest == tc.inner {
					if c.Action != Conflict || !strings.Contains(c.Reason, tc.reason) {
						t.Errorf("%s: %s %q, want a conflict saying %q", c.Dest, c.Action, c.Reason, tc.reason)
					}
				} else if c.Action == Conflict {
					t.Errorf("%s: unexpected conflict %q", c.Dest, c.Reason)
				}
			}
		})
	}
}

func sortLinks(ls []manifest.Link) []manifest.Link {
	out := append([]manifest.Link{}, ls...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Dest < out[i].Dest {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
