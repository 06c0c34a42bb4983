package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile"
)

// problemKinds are the problems verify reports, each given a
// links_problems series (0 where there is none) so that a dashboard or an
// alert can name every kind.
var problemKinds = []string{
	reconcile.ProblemMissing, reconcile.ProblemNotSymlink, reconcile.ProblemWrongTarget,
	reconcile.ProblemBroken, reconcile.ProblemLoop, reconcile.ProblemKindMismatch,
	reconcile.ProblemNotAllowed, reconcile.ProblemUndeclared,
}

// writePrometheus writes verify's result in the Prometheus text format
// that node_exporter's textfile collector reads: gauges only and no
// timestamps (it refuses a whole file that has them). Every series has a
// manifest label, its absolute path, so that the files of several
// manifests on one host do not collide. lastApply is the end of the
// newest finished apply, zero if none.
func writePrometheus(w io.Writer, path string, m *manifest.Manifest, problems []reconcile.Problem, lastApply time.Time) error {
	counts := map[string]int{}
	for _, p := range problems {
		counts[p.Problem]++
	}
	label := `manifest="` + escapeLabel(path) + `"`
	var b strings.Builder
	gauge := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	gauge("links_managed", "Symbolic links the manifest declares.")
	fmt.Fprintf(&b, "links_managed{%s} %d\n", label, len(m.Links))
	gauge("links_problems", "Problems links verify found, by kind (undeclared only with verify --scan).")
	for _, k := range problemKinds {
		fmt.Fprintf(&b, "links_problems{%s,problem=\"%s\"} %d\n", label, escapeLabel(k), counts[k])
		delete(counts, k)
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) { // a kind verify has and problemKinds lacks
		fmt.Fprintf(&b, "links_problems{%s,problem=\"%s\"} %d\n", label, escapeLabel(k), counts[k])
	}
	gauge("links_verify_ok", "1 if every declared link is as the manifest says, else 0.")
	ok := 0
	if len(problems) == 0 {
		ok = 1
	}
	fmt.Fprintf(&b, "links_verify_ok{%s} %d\n", label, ok)
	gauge("links_last_apply_timestamp_seconds", "When the newest finished apply of this manifest ended, in seconds since the Unix epoch; 0 if none.")
	ts := "0"
	if !lastApply.IsZero() {
		ts = strconv.FormatFloat(float64(lastApply.UnixMilli())/1000, 'f', -1, 64)
	}
	fmt.Fprintf(&b, "links_last_apply_timestamp_seconds{%s} %s\n", label, ts)
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeLabel escapes a label value as the text format requires: \\, \"
// and \n.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// lastApply is when the newest finished apply of root's manifest ended.
func lastApply(root *reconcile.Root) (time.Time, error) {
	h, err := root.State.ReadJournal()
	if err != nil {
		return time.Time{}, err
	}
	for i := len(h.Applies) - 1; i >= 0; i-- {
		a := h.Applies[i]
		if !a.End.IsZero() && (a.ManifestKey == "" || a.ManifestKey == root.Manifest) {
			return a.End, nil
		}
	}
	return time.Time{}, nil
}
