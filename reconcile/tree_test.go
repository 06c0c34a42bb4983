package reconcile

import (
	"crypto/rand"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linksdev/links/internal/symlinktest"
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// mkTree builds entries under root from a map: symlinktest.Build's
// "file:CONTENT", "dir" and "link:TEXT", and "fifo".
func mkTree(t testing.TB, root string, entries map[string]string) {
	t.Helper()
	rest := make(map[string]string, len(entries))
	var fifos []string
	for k, v := range entries {
		if v == "fifo" {
			fifos = append(fifos, k)
		} else {
			rest[k] = v
		}
	}
	symlinktest.Build(t, root, rest)
	for _, k := range fifos {
		p := filepath.Join(root, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := mkfifo(p); err != nil {
			t.Fatal(err)
		}
	}
}

// snapshot describes every entry under root (relative path -> "dir",
// "file:CONTENT" or "link:TEXT"), skipping state_dir.
func snapshot(t testing.TB, root string, skip ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		for _, s := range skip {
			if rel == s || strings.HasPrefix(rel, s+"/") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			text, _ := os.Readlink(p)
			// Link texts in the platform's separator (\ on Windows, as
			// plan.LinkText makes them) compare as /: the tests' trees
			// are written with /, and os.Symlink turns / into \ there.
			out[rel] = "link:" + filepath.ToSlash(text)
		case d.IsDir():
			out[rel] = "dir"
		case d.Type().IsRegular():
			b, _ := os.ReadFile(p)
			out[rel] = "file:" + string(b)
		default:
			out[rel] = "other"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func parse(t testing.TB, root, yaml string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Parse(filepath.Join(root, "links.yaml"), []byte(yaml), manifest.Options{Dir: root})
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

func open(t testing.TB, m *manifest.Manifest) *Root {
	t.Helper()
	r, err := Open(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func newID() string { return plan.NewID(time.Now(), rand.Reader) }

// buildPlanned makes tree under root, opens the manifest yaml there and
// plans it.
func buildPlanned(t testing.TB, root string, tree map[string]string, yaml string) (*manifest.Manifest, *Root, *plan.Plan) {
	t.Helper()
	mkTree(t, root, tree)
	m := parse(t, root, yaml)
	r := open(t, m)
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	return m, r, p
}

// planApply plans and applies m with opts, returning the plan and result.
func planApply(t testing.TB, m *manifest.Manifest, opts ApplyOptions) (*plan.Plan, *Result, error) {
	t.Helper()
	needSymlinks(t)
	r := open(t, m)
	lock, err := r.State.Lock(0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Apply(p, opts)
	return p, res, err
}

func mustPlan(t testing.TB, m *manifest.Manifest) *plan.Plan {
	t.Helper()
	p, err := open(t, m).Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func assertAllNoop(t testing.TB, p *plan.Plan) {
	t.Helper()
	for _, c := range p.Changes {
		if c.Action != plan.Noop {
			t.Errorf("second plan: %s %s (%s), want noop", c.Dest, c.Action, c.Reason)
		}
	}
}

// replaceLink points the symlink root/rel at text.
func replaceLink(t testing.TB, root, rel, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(text, p); err != nil {
		t.Fatal(err)
	}
}
