package reconcile

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestApplyCleansLeftovers: a killed apply can leave a temporary link, or a
// displaced entry caught between the exchange and the move to its backup.
// The next apply removes the first and moves the second to backups.
func TestApplyCleansLeftovers(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{
		"t":                             "file:t",
		"app/.cur.links-tmp.0badf00d":   "link:t",
		"app/.conf.links-tmp.feedbeef":  "file:displaced user data",
		"app/.dir.links-tmp.12345678/f": "file:displaced folder data",
		"app/unrelated.txt":             "file:keep",
	})
	m := parse(t, root, "version: 1\nlinks:\n  cur: {dest: app/cur, target: t}\n")
	p, res, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Recovered) != 3 {
		t.Errorf("recovered %q, want 3 entries", res.Recovered)
	}
	got := snapshot(t, root)
	for k := range got {
		if strings.HasPrefix(k, "app/") && strings.Contains(k, TempMarker) {
			t.Errorf("temporary entry left: %s", k)
		}
	}
	rec := snapshot(t, filepath.Join(root, ".links", "backups", p.ID, "recovered", "app"))
	if rec[".conf.links-tmp.feedbeef"] != "file:displaced user data" || rec[".dir.links-tmp.12345678/f"] != "file:displaced folder data" {
		t.Errorf("recovered backups: %v", rec)
	}
	if got["app/unrelated.txt"] != "file:keep" || got["app/cur"] != "link:../t" {
		t.Errorf("tree after apply: %v", got)
	}

	// Leftovers next to a dest that is already right (the killed apply had
	// switched it) are cleaned by an apply with nothing else to do.
	mkTree(t, root, map[string]string{"app/.cur.links-tmp.00000001": "file:caught mid-switch"})
	p2, res, err := planApply(t, m, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := p2.Summary(); s.Changed() || len(res.Recovered) != 1 {
		t.Fatalf("noop apply: summary %+v, recovered %q", s, res.Recovered)
	}
	if got := snapshot(t, filepath.Join(root, ".links", "backups", p2.ID, "recovered", "app")); got[".cur.links-tmp.00000001"] != "file:caught mid-switch" {
		t.Errorf("noop apply recovered: %v", got)
	}
}
