package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadJSONRoundTrip(t *testing.T) {
	p := samplePlan()
	p.ManifestDigest = "abc"
	p.Warnings = []string{"w"}
	p.Forget = []string{"gone"}
	var b bytes.Buffer
	if err := WriteJSON(&b, p, JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestReadJSONRefuses(t *testing.T) {
	valid := func(edit func(s string) string) string {
		var b bytes.Buffer
		_ = WriteJSON(&b, samplePlan(), JSONOptions{})
		return edit(b.String())
	}
	tests := []struct {
		name, in, want string
	}{
		{"not json", "hello", "not a links plan"},
		{"no version", `{"root":"/r","id":"x"}`, "no format_version"},
		{"newer", valid(func(s string) string { return strings.Replace(s, `"format_version": 1`, `"format_version": 2`, 1) }), "newer than this links reads"},
		{"apply output", valid(func(s string) string { return strings.Replace(s, `"id":`, `"apply_id": "x", "id":`, 1) }), "output of an apply"},
		{"escaping dest", valid(func(s string) string { return strings.Replace(s, `"dest": "current"`, `"dest": "../etc/current"`, 1) }), "not a clean path"},
		{"absolute dest", valid(func(s string) string { return strings.Replace(s, `"dest": "current"`, `"dest": "/etc/passwd"`, 1) }), "not a clean path"},
		{"backup outside state", valid(func(s string) string {
			return strings.Replace(s, `"backup": ".links/backups/`, `"backup": "elsewhere/`, 1)
		}), "not under .links/backups"},
		{"bad action", valid(func(s string) string { return strings.Replace(s, `"action": "update"`, `"action": "explode"`, 1) }), "unknown action"},
		{"bad type", valid(func(s string) string { return strings.Replace(s, `"type": "dir"`, `"type": "pipe"`, 1) }), "unknown type"},
		{"bad id", valid(func(s string) string { return strings.Replace(s, `"id": "20261123T091500Z-4f2a9c"`, `"id": "../x"`, 1) }), "invalid id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func FuzzReadJSON(f *testing.F) {
	var b bytes.Buffer
	_ = WriteJSON(&b, samplePlan(), JSONOptions{})
	f.Add(b.Bytes())
	f.Add([]byte(`{"format_version":1,"id":"a","root":"/","changes":[{"dest":"x","action":"create","after":{"type":"symlink"}}]}`))
	f.Add([]byte(`{"format_version":1e400}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range p.Changes {
			if !cleanRel(c.Dest) {
				t.Fatalf("accepted dest %q", c.Dest)
			}
		}
	})
}
