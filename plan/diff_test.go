package plan

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
)

func link(name, dest, target string, mod ...func(*manifest.Link)) manifest.Link {
	l := manifest.Link{Name: name, Dest: dest, Target: target, Strategy: manifest.Relative, Replace: manifest.ReplaceSymlink, Backup: true, Parents: true}
	for _, f := range mod {
		f(&l)
	}
	return l
}

func withReplace(r manifest.Replace) func(*manifest.Link) {
	return func(l *manifest.Link) { l.Replace = r }
}

// TestDiffActionTable covers every observed state at dest under every
// replace policy, with both strategies.
func TestDiffActionTable(t *testing.T) {
	observed := map[string]State{
		"missing":        {Type: TypeMissing},
		"same symlink":   {Type: TypeSymlink, Link: "LINK"},
		"other symlink":  {Type: TypeSymlink, Link: "elsewhere"},
		"file":           {Type: TypeFile, Identity: "1:2:3:4"},
		"dir":            {Type: TypeDir, Identity: "1:2:3:4"},
		"fifo or socket": {Type: TypeOther},
	}
	want := map[string]map[manifest.Replace]Action{
		"missing":        {manifest.ReplaceNever: Create, manifest.ReplaceSymlink: Create, manifest.ReplaceFile: Create, manifest.ReplaceAny: Create},
		"same symlink":   {manifest.ReplaceNever: Noop, manifest.ReplaceSymlink: Noop, manifest.ReplaceFile: Noop, manifest.ReplaceAny: Noop},
		"other symlink":  {manifest.ReplaceNever: Conflict, manifest.ReplaceSymlink: Update, manifest.ReplaceFile: Update, manifest.ReplaceAny: Update},
		"file":           {manifest.ReplaceNever: Conflict, manifest.ReplaceSymlink: Conflict, manifest.ReplaceFile: Replace, manifest.ReplaceAny: Replace},
		"dir":            {manifest.ReplaceNever: Conflict, manifest.ReplaceSymlink: Conflict, manifest.ReplaceFile: Conflict, manifest.ReplaceAny: Replace},
		"fifo or socket": {manifest.ReplaceNever: Conflict, manifest.ReplaceSymlink: Conflict, manifest.ReplaceFile: Conflict, manifest.ReplaceAny: Conflict},
	}
	for _, strategy := range []manifest.Strategy{manifest.Relative, manifest.Absolute} {
		// Link texts use the platform's separator (Go's os.Symlink on Windows
		// does the same: "/" does not work in a link's content there).
		wantText := filepath.FromSlash(map[manifest.Strategy]string{manifest.Relative: "../shared/x", manifest.Absolute: "/r/shared/x"}[strategy])
		for state, before := range observed {
			for policy, action := range want[state] {
				t.Run(string(strategy)+"/"+state+"/"+string(policy), func(t *testing.T) {
					l := link("a", "app/x", "shared/x", withReplace(policy), func(l *manifest.Link) { l.Strategy = strategy })
					m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links", Links: []manifest.Link{l}}
					if before.Link == "LINK" {
						before.Link = wantText
					}
					obs := &Observed{RootReal: "/r", Links: map[string]Observation{
						"app/x": {Dest: before, ParentReal: "app", TargetExists: true},
					}}
					p := Diff(m, obs, "ID")
					if len(p.Changes) != 1 {
						t.Fatalf("got %d changes, want 1", len(p.Changes))
					}
					c := p.Changes[0]
					if c.Action != action {
						t.Fatalf("action = %s (reason %q), want %s", c.Action, c.Reason, action)
					}
					if c.After != (State{Type: TypeSymlink, Link: wantText}) {
						t.Errorf("after = %+v, want symlink %s", c.After, wantText)
					}
					if c.Before != before {
						t.Errorf("before = %+v, want %+v", c.Before, before)
					}
					switch action {
					case Conflict:
						if c.Reason == "" {
							t.Error("a conflict has no reason")
						}
					case Replace:
						if c.Backup != ".links/backups/ID/app/x" {
							t.Errorf("backup = %q", c.Backup)
						}
					default:
						if c.Backup != "" || c.Reason != "" {
							t.Errorf("backup %q reason %q, want none", c.Backup, c.Reason)
						}
					}
				})
			}
		}
	}
}

func TestDiffConflictReasons(t *testing.T) {
	tests := []struct {
		name   string
		link   manifest.Link
		obs    Observation
		reason string // substring
	}{
		{"file in the way", link("a", "x", "t"), Observation{Dest: State{Type: TypeFile}, ParentReal: ".", TargetExists: true}, "set replace: file"},
		{"dir in the way", link("a", "x", "t", withReplace(manifest.ReplaceFile)), Observation{Dest: State{Type: TypeDir}, ParentReal: ".", TargetExists: true}, "set replace: any"},
		{"symlink, never", link("a", "x", "t", withReplace(manifest.ReplaceNever)), Observation{Dest: State{Type: TypeSymlink, Link: "u"}, ParentReal: ".", TargetExists: true}, "a symlink to u is in the way"},
		{"missing target", link("a", "x", "t"), Observation{Dest: State{Type: TypeMissing}, ParentReal: "."}, "set allow_dangling: true"},
		{"parents false", link("a", "p/q/x", "t", func(l *manifest.Link) { l.Parents = false }), Observation{Dest: State{Type: TypeMissing}, ParentReal: "p/q", Missing: []string{"p", "p/q"}, TargetExists: true}, "parent folder p does not exist"},
		{"parent problem", link("a", "p/x", "t"), Observation{Dest: State{Type: TypeMissing}, ParentProblem: "parent p is a regular file", TargetExists: true}, "parent p is a regular file"},
		{"not allowed", link("a", "x", "t", func(l *manifest.Link) { l.Allow = []string{"releases/*"} }), Observation{Dest: State{Type: TypeMissing}, ParentReal: ".", TargetExists: true}, "not allowed by allow: [releases/*]"},
		{"kind dir on a file", link("a", "x", "t", func(l *manifest.Link) { l.Kind = manifest.KindDir }), Observation{Dest: State{Type: TypeMissing}, ParentReal: ".", TargetExists: true}, "kind: dir"},
		{"kind file on a dir", link("a", "x", "t", func(l *manifest.Link) { l.Kind = manifest.KindFile }), Observation{Dest: State{Type: TypeMissing}, ParentReal: ".", TargetExists: true, TargetIsDir: true}, "kind: file"},
		{"fifo", link("a", "x", "t", withReplace(manifest.ReplaceAny)), Observation{Dest: State{Type: TypeOther}, ParentReal: ".", TargetExists: true}, "FIFO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &manifest.Manifest{Root: "/r", StateDir: ".links", Links: []manifest.Link{tt.link}}
			p := Diff(m, &Observed{RootReal: "/r", Links: map[string]Observation{tt.link.Dest: tt.obs}}, "ID")
			c := p.Changes[0]
			if c.Action != Conflict || !strings.Contains(c.Reason, tt.reason) {
				t.Fatalf("got %s %q, want conflict containing %q", c.Action, c.Reason, tt.reason)
			}
		})
	}
}

func TestDiffAllowDanglingAndBackupFalse(t *testing.T) {
	l := link("a", "x", "t", func(l *manifest.Link) { l.AllowDangling = true })
	b := link("b", "y", "t2", withReplace(manifest.ReplaceAny), func(l *manifest.Link) { l.Backup = false })
	m := &manifest.Manifest{Root: "/r", StateDir: ".links", Links: []manifest.Link{l, b}}
	p := Diff(m, &Observed{RootReal: "/r", Links: map[string]Observation{
		"x": {Dest: State{Type: TypeMissing}, ParentReal: "."},
		"y": {Dest: State{Type: TypeDir}, ParentReal: ".", TargetExists: true},
	}}, "ID")
	if c := p.Changes[0]; c.Action != Create {
		t.Errorf("dangling allowed: %s %q, want create", c.Action, c.Reason)
	}
	if c := p.Changes[1]; c.Action != Replace || c.Backup != "" || !strings.Contains(c.Reason, "deleted (backup: false)") {
		t.Errorf("backup false: %s backup=%q reason=%q", c.Action, c.Backup, c.Reason)
	}
}

func TestDiffDependenciesAndCycles(t *testing.T) {
	m := &manifest.Manifest{Root: "/r", StateDir: ".links", Links: []manifest.Link{
		link("bin", "bin", "current/bin"), // under another dest
		link("current", "current", "releases/a"),
		link("live", "live", "current"), // equal to another dest
		link("p", "p", "q"),             // p -> q -> p
		link("q", "q", "p"),
	}}
	obs := &Observed{RootReal: "/r", Links: map[string]Observation{}}
	for _, l := range m.Links {
		obs.Links[l.Dest] = Observation{Dest: State{Type: TypeMissing}, ParentReal: ".", TargetExists: l.Dest == "current"}
	}
	p := Diff(m, obs, "ID")
	got := map[string]Change{}
	for _, c := range p.Changes {
		got[c.Dest] = c
	}
	for _, d := range []string{"bin", "live"} {
		if c := got[d]; c.Action != Create || c.Needs != "current" {
			t.Errorf("%s: %s needs=%q reason=%q, want create needing current", d, c.Action, c.Needs, c.Reason)
		}
	}
	for _, d := range []string{"p", "q"} {
		if c := got[d]; c.Action != Conflict || !strings.Contains(c.Reason, "cycle") {
			t.Errorf("%s: %s %q, want a cycle conflict", d, c.Action, c.Reason)
		}
	}
	// Order: current before bin and live.
	pos := map[string]int{}
	for i, idx := range p.Order() {
		pos[p.Changes[idx].Dest] = i
	}
	if pos["current"] > pos["bin"] || pos["current"] > pos["live"] {
		t.Errorf("order %v: current must come before bin and live", pos)
	}
	if len(pos) != len(p.Changes) {
		t.Errorf("order has %d entries, want %d", len(pos), len(p.Changes))
	}
}

func TestLinkText(t *testing.T) {
	tests := []struct {
		name, dest, target, parentReal, rootReal string
		strategy                                 manifest.Strategy
		want                                     string
	}{
		{"sibling", "current", "releases/a", ".", "/r", manifest.Relative, "releases/a"},
		{"up and over", "app/config/c.yaml", "shared/p.yaml", "app/config", "/r", manifest.Relative, "../../shared/p.yaml"},
		{"inside own folder", "models/current", "models/m1", "models", "/r", manifest.Relative, "m1"},
		{"real parent differs", "alias/x", "shared/p", "deploy/cfg", "/r", manifest.Relative, "../../shared/p"},
		{"target outside root", "a/x", "../outside/t", "a", "/r", manifest.Relative, "../../outside/t"},
		{"absolute target outside", "a/x", "/etc/hosts", "a", "/r", manifest.Relative, "../../etc/hosts"},
		{"absolute target inside", "a/x", "/r/b/t", "a", "/r", manifest.Relative, "../b/t"},
		{"absolute strategy", "a/x", "b/t", "a", "/r", manifest.Absolute, "/r/b/t"},
		{"root is a symlink", "x", "/elsewhere/t", ".", "/real/r", manifest.Relative, "../../elsewhere/t"},
		{"target is root", "a/x", ".", "a", "/r", manifest.Relative, ".."},
		{"target is parent", "a/b/x", "a", "a/b", "/r", manifest.Relative, ".."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := link("n", tt.dest, tt.target, func(l *manifest.Link) {
				l.Strategy = tt.strategy
				if strings.HasPrefix(tt.target, "/") {
					l.TargetAbsolute = true
				}
			})
			if got, want := LinkText(&l, "/r", tt.rootReal, tt.parentReal), filepath.FromSlash(tt.want); got != want {
				t.Errorf("LinkText = %q, want %q", got, want)
			}
		})
	}
}
