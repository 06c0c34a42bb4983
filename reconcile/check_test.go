package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestReplanStale: a saved plan is refused whole when anything it was
// planned against changed: a link retargeted, a file appeared where a
// create was planned, a file to displace was edited, a dest was removed.
func TestReplanStale(t *testing.T) {
	tree := map[string]string{
		"t": "file:t", "u": "file:u",
		"cur":  "link:u",
		"conf": "file:old conf",
	}
	const yaml = "version: 1\nlinks:\n  cur: {dest: cur, target: t}\n  new: {dest: new, target: t}\n  conf: {dest: conf, target: t, replace: file}\n"
	cases := []struct {
		name   string
		change func(root string)
		stale  string
	}{
		{"fresh", func(string) {}, ""},
		{"link retargeted", func(root string) { replaceLink(t, root, "cur", "elsewhere") }, "cur"},
		{"file appeared", func(root string) { os.WriteFile(filepath.Join(root, "new"), []byte("mine"), 0o644) }, "new"},
		{"file edited", func(root string) {
			time.Sleep(10 * time.Millisecond) // a new mtime even on coarse clocks
			os.WriteFile(filepath.Join(root, "conf"), []byte("edited conf, longer"), 0o644)
		}, "conf"},
		{"dest removed", func(root string) { os.Remove(filepath.Join(root, "cur")) }, "cur"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			m, _, p := buildPlanned(t, root, tree, yaml)
			c.change(root)
			before := snapshot(t, root)
			r2 := open(t, m)
			now, stale, err := r2.Replan(m, p)
			if err != nil {
				t.Fatal(err)
			}
			if c.stale == "" {
				if len(stale) != 0 {
					t.Fatalf("fresh plan reported stale: %v", stale)
				}
				if _, err := r2.Apply(now, ApplyOptions{}); err != nil {
					t.Fatal(err)
				}
				assertAllNoop(t, mustPlan(t, m))
				return
			}
			if len(stale) != 1 || stale[0].Dest != c.stale || !stale[0].Stale {
				t.Fatalf("stale = %v, want exactly %s", stale, c.stale)
			}
			if after := snapshot(t, root); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("checking a stale plan changed the tree")
			}
		})
	}
}

// TestApplyAwkwardNames: names with spaces, newlines and unicode, and a
// path far longer than PATH_MAX, are planned, applied and verified.
func TestApplyAwkwardNames(t *testing.T) {
	root := t.TempDir()
	long := strings.Repeat("d", 200)
	deep := strings.Repeat(long+"/", 24) // ~4,800 bytes: beyond PATH_MAX (4,096)
	mkTree(t, root, map[string]string{"t/with space": "file:t", "t/ünï cödé": "file:u"})
	// Windows forbids control characters in file names: no newline dest
	// there (the rest of the test still runs).
	newline := runtime.GOOS != "windows"
	nl := ""
	if newline {
		nl = "  nl: {dest: \"line\\nbreak\", target: \"t/ünï cödé\"}\n"
	}
	yaml := "version: 1\nlinks:\n" +
		"  sp: {dest: \"a b/c d\", target: \"t/with space\"}\n" + nl +
		"  uni: {dest: \"日本/リンク\", target: \"t/ünï cödé\"}\n" +
		"  long: {dest: \"" + deep + "x\", target: \"t/with space\"}\n"
	m := parse(t, root, yaml)
	if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	assertAllNoop(t, mustPlan(t, m))
	problems, err := open(t, m).Verify(m)
	if err != nil || len(problems) != 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
	if !newline {
		return
	}
	if text, err := os.Readlink(filepath.Join(root, "line\nbreak")); err != nil || text != "t/ünï cödé" {
		t.Errorf("newline dest: %q %v", text, err)
	}
}
