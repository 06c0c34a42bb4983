package reconcile

import (
	"fmt"
	"strings"
	"testing"
)

// TestApplyParallel makes thousands of changes with two workers: creates
// in new nested folders sharing missing ancestors, updates, a chain of
// links whose targets go through other links, and deletes. The result must
// equal the plan, and a second plan must be all no-op.
func TestApplyParallel(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"t/a": "file:a", "t/b": "file:b"})
	var y strings.Builder
	y.WriteString("version: 1\nlinks:\n")
	n := 1200
	for i := 0; i < n; i++ {
		fmt.Fprintf(&y, "  l%d: {dest: top/g%d/s%d/l%d, target: t/a}\n", i, i%7, i%13, i)
	}
	y.WriteString("  cur: {dest: cur, target: t}\n  via: {dest: via, target: cur/b}\n  via2: {dest: deep/via2, target: via}\n")
	m := parse(t, root, y.String())
	p, res, err := planApply(t, m, ApplyOptions{Workers: 2})
	if err != nil {
		t.Fatalf("apply: %v (%d errors: %v)", err, len(res.Errors), firstErrors(res.Errors))
	}
	if res.Done != n+3 {
		t.Fatalf("done %d, want %d", res.Done, n+3)
	}
	assertAllNoop(t, mustPlan(t, m))
	got := snapshot(t, root, ".links")
	for _, c := range p.Changes {
		if got[c.Dest] != "link:"+c.After.Link {
			t.Errorf("%s = %q, want link:%s", c.Dest, got[c.Dest], c.After.Link)
		}
	}

	// Retarget all, and drop half: updates and deletes in parallel.
	y.Reset()
	y.WriteString("version: 1\nlinks:\n")
	for i := 0; i < n; i += 2 {
		fmt.Fprintf(&y, "  l%d: {dest: top/g%d/s%d/l%d, target: t/b}\n", i, i%7, i%13, i)
	}
	m2 := parse(t, root, y.String())
	p2, res2, err := planApply(t, m2, ApplyOptions{Workers: 2})
	if err != nil {
		t.Fatalf("second apply: %v (%v)", err, firstErrors(res2.Errors))
	}
	s := p2.Summary()
	if s.Update != n/2 || s.Delete != n/2+3 {
		t.Errorf("second plan %+v, want %d updates and %d deletes", s, n/2, n/2+3)
	}
	assertAllNoop(t, mustPlan(t, m2))
	for k, v := range snapshot(t, root, ".links") {
		if strings.HasPrefix(v, "link:") && !strings.HasSuffix(v, "t/b") {
			t.Errorf("%s = %s after the second apply", k, v)
		}
	}
}

func firstErrors(m map[int]error) []error {
	var out []error
	for _, e := range m {
		if len(out) == 3 {
			break
		}
		out = append(out, e)
	}
	return out
}
