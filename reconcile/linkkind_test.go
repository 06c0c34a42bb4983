package reconcile

import (
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile/rootfs"
)

// The Windows directory-flag decision, checked on every platform.
func TestSymlinkDirFlag(t *testing.T) {
	tests := []struct {
		name        string
		kind        manifest.Kind
		targetIsDir bool // the target exists and is a folder
		inside      bool // ... inside root, reached by a relative text
		wantFlag    bool
		wantRoot    bool // made with os.Root.Symlink (else by path)
	}{
		{"undeclared, file or dangling", manifest.KindAny, false, false, false, true},
		{"undeclared, folder inside root", manifest.KindAny, true, true, true, true},
		{"undeclared, folder outside root", manifest.KindAny, true, false, true, false},
		{"kind file, file or dangling", manifest.KindFile, false, false, false, true},
		{"kind dir, dangling", manifest.KindDir, false, false, true, false},
		{"kind dir, folder inside root", manifest.KindDir, true, true, true, true},
		{"kind dir, folder outside root", manifest.KindDir, true, false, true, false},
		{"kind file, became a folder inside root", manifest.KindFile, true, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flag := rootfs.SymlinkDirFlag(tt.kind, tt.targetIsDir)
			if flag != tt.wantFlag {
				t.Errorf("rootfs.SymlinkDirFlag(%q, %v) = %v, want %v", tt.kind, tt.targetIsDir, flag, tt.wantFlag)
			}
			if got := rootfs.SymlinkThroughRoot(flag, tt.targetIsDir && tt.inside); got != tt.wantRoot {
				t.Errorf("rootfs.SymlinkThroughRoot(%v, %v) = %v, want %v", flag, tt.targetIsDir && tt.inside, got, tt.wantRoot)
			}
		})
	}
}

// kindFS records the kind each Symlink call is given, by name.
type kindFS struct {
	FS
	kinds map[string]manifest.Kind
}

func (f *kindFS) Symlink(text, dir, name string, kind manifest.Kind) error {
	f.kinds[strings.TrimPrefix(strings.SplitN(name, TempMarker, 2)[0], ".")] = kind
	return f.FS.Symlink(text, dir, name, kind)
}

// The manifest's kind: reaches the symlink call, through the plan, for a
// create and for an update (whose new link is made under a temporary
// name): what the Windows implementation needs to make a dangling
// directory link.
func TestKindReachesSymlink(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"old/f": "file:x", "upd": "link:old"})
	m := parse(t, root, `version: 1
links:
  dangling-dir: {dest: dd, target: later, kind: dir, allow_dangling: true}
  dangling-any: {dest: da, target: later, allow_dangling: true}
  update-dir: {dest: upd, target: also-later, kind: dir, allow_dangling: true, replace: symlink}
`)
	kf := &kindFS{kinds: map[string]manifest.Kind{}}
	p, _, err := planApply(t, m, ApplyOptions{WrapFS: func(f FS) FS { kf.FS = f; return kf }})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]manifest.Kind{"dd": manifest.KindDir, "da": manifest.KindAny, "upd": manifest.KindDir}
	for _, c := range p.Changes {
		if c.Kind != want[c.Dest] {
			t.Errorf("plan: %s has kind %q, want %q", c.Dest, c.Kind, want[c.Dest])
		}
	}
	if len(kf.kinds) != len(want) {
		t.Errorf("symlink calls %v, want one for each of %v", kf.kinds, want)
	}
	for dest, k := range want {
		if got, ok := kf.kinds[dest]; !ok || got != k {
			t.Errorf("symlink for %s given kind %q (called: %v), want %q", dest, got, ok, k)
		}
	}
}
