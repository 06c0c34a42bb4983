package plan

import (
	"fmt"
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

// TestDiffChainLimit: a link that would be the 41st symlink of a chain
// (observed on disk, or declared in the manifest) is a conflict, the 40th
// is not; a target that cannot be resolved at all is a loop, not missing.
func TestDiffChainLimit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		obs    Observation
		action Action
		reason string
	}{
		{"39 on the way", Observation{ParentReal: ".", TargetExists: true, TargetFollows: 39}, Create, ""},
		{"40 on the way", Observation{ParentReal: ".", TargetExists: true, TargetFollows: 40}, Conflict, "would be the 41st"},
		{"loop", Observation{ParentReal: ".", TargetLoop: true}, Conflict, "cannot be resolved: a symlink loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.obs.Dest = State{Type: TypeMissing}
			m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links", Links: []manifest.Link{link("x", "x", "t")}}
			c := Diff(m, &Observed{RootReal: "/r", Links: map[string]Observation{"x": tc.obs}}, "ID").Changes[0]
			if c.Action != tc.action || !strings.Contains(c.Reason, tc.reason) {
				t.Errorf("%s %q, want %s %q", c.Action, c.Reason, tc.action, tc.reason)
			}
		})
	}
	// a01 -> t (3 symlinks on its way), a02 -> a01, ..., a38: 37+3+1 = 41.
	var links []manifest.Link
	obs := map[string]Observation{}
	prev := "t"
	for i := 1; i <= 38; i++ {
		d := fmt.Sprintf("a%02d", i)
		links = append(links, link(d, d, prev))
		obs[d] = Observation{Dest: State{Type: TypeMissing}, ParentReal: ".", TargetExists: i == 1, TargetFollows: map[bool]int{true: 3}[i == 1]}
		prev = d
	}
	m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links", Links: links}
	for _, c := range Diff(m, &Observed{RootReal: "/r", Links: obs}, "ID").Changes {
		want := Create
		if c.Dest == "a38" {
			want = Conflict
		}
		if c.Action != want {
			t.Errorf("%s: %s %q, want %s", c.Dest, c.Action, c.Reason, want)
		}
	}
}

// TestDiffLinkTextLimit: a link text over PATH_MAX, which symlink(2)
// refuses with ENAMETOOLONG, is a conflict before apply starts.
func TestDiffLinkTextLimit(t *testing.T) {
	deep := "/" + strings.Repeat(strings.Repeat("d", 200)+"/", 21) + "t"
	for _, tc := range []struct {
		target string
		action Action
	}{{deep, Conflict}, {deep[:4000], Create}} {
		l := link("x", "x", tc.target, func(l *manifest.Link) { l.TargetAbsolute = true; l.Strategy = manifest.Absolute })
		m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links", Links: []manifest.Link{l}}
		obs := map[string]Observation{"x": {Dest: State{Type: TypeMissing}, ParentReal: ".", TargetExists: true}}
		c := Diff(m, &Observed{RootReal: "/r", Links: obs}, "ID").Changes[0]
		if c.Action != tc.action || tc.action == Conflict && !strings.Contains(c.Reason, "(PATH_MAX)") {
			t.Errorf("target of %d bytes: %s %q, want %s", len(tc.target), c.Action, c.Reason, tc.action)
		}
	}
}
