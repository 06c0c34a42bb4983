package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/linksdev/links/internal/symlinktest"
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile"
)

// parseProm parses text with Prometheus' own parser (the one
// node_exporter's textfile collector uses) and checks what the collector
// requires: every family a gauge, no sample with a timestamp.
func parseProm(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not the Prometheus text format: %v\n%s", err, text)
	}
	for name, f := range fams {
		if f.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s is a %s, want a gauge", name, f.GetType())
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no HELP", name)
		}
		for _, m := range f.Metric {
			if m.TimestampMs != nil {
				t.Errorf("%s has a timestamp: node_exporter refuses the whole file", name)
			}
		}
	}
	return fams
}

// series maps each sample of family name to its value, by the value of
// label key ("" for the only one).
func series(t *testing.T, fams map[string]*dto.MetricFamily, name, key string) map[string]float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no %s", name)
	}
	out := map[string]float64{}
	for _, m := range f.Metric {
		k := ""
		for _, l := range m.Label {
			if l.GetName() == key {
				k = l.GetValue()
			}
		}
		out[k] = m.GetGauge().GetValue()
	}
	return out
}

func TestWritePrometheus(t *testing.T) {
	// A manifest path with every character the format escapes.
	path := "/srv/we\"ird\\path\nx/links.yaml"
	m := &manifest.Manifest{Links: make([]manifest.Link, 3)}
	problems := []reconcile.Problem{
		{Problem: reconcile.ProblemBroken}, {Problem: reconcile.ProblemBroken},
		{Problem: reconcile.ProblemWrongTarget}, {Problem: "future_kind"},
	}
	end := time.Unix(1767225600, 250e6)
	var b bytes.Buffer
	if err := writePrometheus(&b, path, m, problems, end); err != nil {
		t.Fatal(err)
	}
	fams := parseProm(t, b.String())
	for _, f := range fams {
		for _, s := range f.Metric {
			if got := s.Label[0].GetValue(); s.Label[0].GetName() != "manifest" || got != path {
				t.Errorf("%s: label %s=%q, want manifest=%q", f.GetName(), s.Label[0].GetName(), got, path)
			}
		}
	}
	if got := series(t, fams, "links_managed", ""); got[""] != 3 {
		t.Errorf("links_managed = %v, want 3", got)
	}
	want := map[string]float64{"missing": 0, "not_symlink": 0, "wrong_target": 1, "broken": 2, "loop": 0,
		"kind_mismatch": 0, "not_allowed": 0, "undeclared": 0, "future_kind": 1}
	got := series(t, fams, "links_problems", "problem")
	if len(got) != len(want) {
		t.Errorf("links_problems = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("links_problems{problem=%q} = %v, want %v", k, got[k], v)
		}
	}
	if got := series(t, fams, "links_verify_ok", ""); got[""] != 0 {
		t.Errorf("links_verify_ok = %v, want 0", got)
	}
	if got := series(t, fams, "links_last_apply_timestamp_seconds", ""); got[""] != 1767225600.25 {
		t.Errorf("links_last_apply_timestamp_seconds = %v, want 1767225600.25", got)
	}
}

// TestVerifyPrometheus runs links verify -o prometheus on real trees:
// before any apply, after one, and with drift.
func TestVerifyPrometheus(t *testing.T) {
	symlinktest.Need(t)
	dir := t.TempDir()
	mustWrite := func(name, data string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite("links.yaml", "version: 1\nlinks:\n  a: {dest: a, target: t/a}\n  b: {dest: b, target: t/b}\n")
	mustWrite("t/a", "a")
	mustWrite("t/b", "b")
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		s := &sys{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
			lookupEnv: func(string) (string, bool) { return "", false }}
		code := s.run(append([]string{"-C", dir}, args...))
		if stderr.Len() > 0 && code != 2 {
			t.Logf("links %v: %s", args, stderr.String())
		}
		return code, stdout.String()
	}

	code, out := run("verify", "-o", "prometheus")
	if code != exitChanges {
		t.Errorf("verify before apply: exit %d, want 2", code)
	}
	fams := parseProm(t, out)
	if got := series(t, fams, "links_problems", "problem"); got["missing"] != 2 {
		t.Errorf("before apply: links_problems = %v, want missing 2", got)
	}
	if got := series(t, fams, "links_last_apply_timestamp_seconds", ""); got[""] != 0 {
		t.Errorf("before any apply: last apply %v, want 0", got)
	}

	before := time.Now()
	if code, _ := run("apply", "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d", code)
	}
	code, out = run("verify", "-o", "prometheus")
	if code != 0 {
		t.Errorf("verify after apply: exit %d, want 0", code)
	}
	fams = parseProm(t, out)
	if got := series(t, fams, "links_verify_ok", ""); got[""] != 1 {
		t.Errorf("after apply: links_verify_ok = %v, want 1", got)
	}
	if got := series(t, fams, "links_managed", ""); got[""] != 2 {
		t.Errorf("links_managed = %v, want 2", got)
	}
	last := series(t, fams, "links_last_apply_timestamp_seconds", "")[""]
	if lt := time.UnixMilli(int64(last * 1000)); lt.Before(before.Add(-time.Second)) || lt.After(time.Now().Add(time.Second)) {
		t.Errorf("last apply %v, want between %v and now", lt, before)
	}
	if got := series(t, fams, "links_managed", "manifest"); got[filepath.Join(dir, "links.yaml")] != 2 {
		t.Errorf("manifest label: %v, want %s", got, filepath.Join(dir, "links.yaml"))
	}

	if err := os.Remove(filepath.Join(dir, "t/b")); err != nil {
		t.Fatal(err)
	}
	code, out = run("verify", "-o", "prometheus")
	if code != exitChanges {
		t.Errorf("verify with a broken link: exit %d, want 2", code)
	}
	fams = parseProm(t, out)
	if got := series(t, fams, "links_problems", "problem"); got["broken"] != 1 || got["missing"] != 0 {
		t.Errorf("links_problems = %v, want broken 1", got)
	}
	if got := series(t, fams, "links_verify_ok", ""); got[""] != 0 {
		t.Errorf("links_verify_ok = %v, want 0", got)
	}
}
