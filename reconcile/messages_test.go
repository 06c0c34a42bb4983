package reconcile

import (
	"strings"
	"testing"
)

// TestStaleErrorSameKind: a dest that is still a regular file, but not
// the one planned against, is not described as "planned against a
// regular file, now a regular file".
func TestStaleErrorSameKind(t *testing.T) {
	got := (&StaleError{Dest: "conf", Planned: "a regular file", Observed: "a regular file"}).Error()
	want := "conf changed since it was planned (planned against a regular file, now another one, or the same one changed); run links plan again"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = (&StaleError{Dest: "conf", Planned: "nothing", Observed: "a symlink to x"}).Error()
	if !strings.Contains(got, "planned against nothing, now a symlink to x") {
		t.Errorf("got %q", got)
	}
}
