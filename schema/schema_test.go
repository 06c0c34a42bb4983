package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// doc decodes a JSON document into plain values, as Validate takes them.
func doc(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test document %s: %v", s, err)
	}
	return v
}

func TestSchemaDocument(t *testing.T) {
	b := JSON()
	if !bytes.Equal(b, raw) {
		t.Fatal("JSON() differs from the embedded file")
	}
	b[0] = 'X'
	if JSON()[0] == 'X' {
		t.Error("JSON() returns the embedded bytes themselves; callers can change them")
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	if d["$id"] != URL {
		t.Errorf("$id = %v, want %s", d["$id"], URL)
	}
	if d["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", d["$schema"])
	}
}

// TestValidSkipsFullCompile checks, in a fresh process (other tests here
// compile the full validator), that validating a valid document never
// compiles it, and that an invalid one does (to word its violations).
func TestValidSkipsFullCompile(t *testing.T) {
	if os.Getenv("LINKS_SCHEMA_CHILD") == "1" {
		valid := map[string]any{"version": int64(1), "links": map[string]any{"a": map[string]any{"dest": "a", "target": "b"}}}
		if v, err := Validate(valid); err != nil || v != nil {
			fmt.Printf("valid document refused: %v %v\n", v, err)
			os.Exit(3)
		}
		fmt.Printf("after valid: %d\n", fullCompiles.Load())
		if v, err := Validate(map[string]any{"version": int64(1), "linkz": map[string]any{}}); err != nil || len(v) == 0 {
			fmt.Printf("invalid document accepted: %v %v\n", v, err)
			os.Exit(3)
		}
		fmt.Printf("after invalid: %d\n", fullCompiles.Load())
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestValidSkipsFullCompile$")
	cmd.Env = append(os.Environ(), "LINKS_SCHEMA_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if want := "after valid: 0\nafter invalid: 1\n"; !strings.HasPrefix(string(out), want) {
		t.Errorf("full compiles: got\n%s\nwant the output to start with\n%s", out, want)
	}
}

// TestQuickCheckCompiles makes sure the quick check is in use for the
// embedded schema: if it stopped compiling (a new keyword), every manifest
// would silently take the slow path.
func TestQuickCheckCompiles(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if c.quick == nil {
		_, err := compileQuick(c.doc)
		t.Fatalf("the quick check does not compile for the embedded schema: %v", err)
	}
}

func TestQuickCheckRefusesUnknownKeywords(t *testing.T) {
	for _, s := range []string{
		`{"type": "object", "maxProperties": 3}`,
		`{"properties": {"a": {"format": "uri"}}}`,
		`{"$defs": {"a": {"if": {}}}}`,
		`{"$ref": "#/$defs/missing"}`,
		`{"$ref": "other.json#/x"}`,
		`{"type": "tuple"}`,
		`{"pattern": "("}`,
		`{"properties": {"a": {"$defs": {}}}}`,
	} {
		if _, err := compileQuick(doc(t, s)); err == nil {
			t.Errorf("compileQuick(%s) succeeded, want an error", s)
		}
	}
}

const valid = `{
  "version": 1, "root": ".", "state_dir": ".links",
  "defaults": {"strategy": "relative", "replace": "symlink", "backup": true, "parents": true, "allow_dangling": false, "kind": "dir", "allow": ["*"]},
  "vars": {"a": "x", "n": 1.5, "b": true},
  "links": {
    "a": {"dest": "x", "target": "y"},
    "b.c-d_e": {"dest": "x", "target": "y", "strategy": "absolute", "replace": "any", "backup": false, "parents": false, "allow_dangling": true, "kind": "file", "allow": ["a", "b/*"]}
  }
}`

func TestValidateValid(t *testing.T) {
	for _, s := range []string{valid, `{"version": 1, "links": {}}`, `{"version": 1.0, "links": {}}`} {
		got, err := Validate(doc(t, s))
		if err != nil || got != nil {
			t.Errorf("Validate(%s) = %v, %v; want nil, nil", s, got, err)
		}
	}
	// int64, as the manifest package produces for integers.
	got, err := Validate(map[string]any{"version": int64(1), "links": map[string]any{}, "vars": map[string]any{"n": int64(7)}})
	if err != nil || got != nil {
		t.Errorf("Validate with int64 = %v, %v", got, err)
	}
}

func TestValidateViolations(t *testing.T) {
	linkKeys := "allowed keys: allow, allow_dangling, backup, dest, dotfiles, exclude, fold, include, kind, parents, replace, strategy, target, tree"
	for _, c := range []struct {
		doc  string
		want []Violation
	}{
		{`[]`, []Violation{{"", false, "expected a mapping, got a list"}}},
		{`{}`, []Violation{
			{"", true, `missing required key "version"; add version: 1`},
			{"", true, `missing required key "links"; add a links: mapping of name -> {dest, target}`},
		}},
		{`{"version": 2, "links": {}}`, []Violation{{"/version", false, "2 is not supported; the only allowed value is 1"}}},
		{`{"version": "1", "links": {}}`, []Violation{{"/version", false, `"1" is a string; write 1 without quotes`}}},
		{`{"version": 1, "links": {}, "lnks": 1, "a/b": 2, "x~y": 3}`, []Violation{
			{"/a~1b", true, `unknown key "a/b"; allowed keys: defaults, links, root, state_dir, vars, version`},
			{"/lnks", true, `unknown key "lnks"; did you mean "links"? allowed keys: defaults, links, root, state_dir, vars, version`},
			{"/x~0y", true, `unknown key "x~y"; allowed keys: defaults, links, root, state_dir, vars, version`},
		}},
		{`{"version": 1, "links": {"a": {"dest": "x"}, "b": {"target": "y", "kind": "folder", "backup": "no", "allow": [1, ""]}}}`, []Violation{
			{"/links/a", true, `missing required key "target"; add target: (what the link points to)`},
			{"/links/b", true, `missing required key "dest"; add dest: (where the link lives, under root)`},
			{"/links/b/allow/0", false, `expected a string, got a number (quote it: "1")`},
			{"/links/b/allow/1", false, "must not be empty"},
			{"/links/b/backup", false, "expected a boolean, got a string; write true or false"},
			{"/links/b/kind", false, `"folder" is not one of file, dir`},
		}},
		{`{"version": 1, "links": {"a": {"dest": "x", "target": "y", "Dest": 1}}}`, []Violation{
			{"/links/a/Dest", true, `unknown key "Dest"; did you mean "dest"? ` + linkKeys},
		}},
		{`{"version": 1, "links": {"": {"dest": "x", "target": "y"}, "a b": {"dest": "x", "target": "y"}, "a%20b": 1, "ok": 1}}`, []Violation{
			{"/links/", true, `invalid name "": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`},
			{"/links/a b", true, `invalid name "a b": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`},
			{"/links/a%20b", true, `invalid name "a%20b": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`},
			{"/links/a%20b", false, "expected a mapping, got a number"},
			{"/links/ok", false, "expected a mapping, got a number"},
		}},
		{`{"version": 1, "links": {}, "vars": {"a": null, "b": [], "c": {}, "-d": "x"}}`, []Violation{
			{"/vars/-d", true, `invalid name "-d": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`},
			{"/vars/a", false, "expected a string or a number or a boolean, got null"},
			{"/vars/b", false, "expected a string or a number or a boolean, got a list"},
			{"/vars/c", false, "expected a string or a number or a boolean, got a mapping"},
		}},
		{`{"version": 1, "links": {}, "root": "", "state_dir": 5, "defaults": {"dest": "x", "strategy": null}}`, []Violation{
			{"/defaults/dest", true, `unknown key "dest"; allowed keys: allow, allow_dangling, backup, kind, parents, replace, strategy`},
			{"/defaults/strategy", false, "null is not one of relative, absolute"},
			{"/root", false, "must not be empty"},
			{"/state_dir", false, `expected a string, got a number (quote it: "5")`},
		}},
	} {
		got, err := Validate(doc(t, c.doc))
		if err != nil {
			t.Errorf("%s: %v", c.doc, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.doc, diff)
		}
		if q := quickValid(t, doc(t, c.doc)); q {
			t.Errorf("%s: the quick check accepts an invalid document", c.doc)
		}
	}
}

func quickValid(t testing.TB, v any) bool {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return c.quick.valid(v)
}

func fullViolations(t testing.TB, v any) []Violation {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.validate(v)
	if err != nil {
		t.Fatalf("full validation: %v", err)
	}
	return out
}

// TestQuickAgreesWithFull mutates a valid document in every place with
// every kind of value, and checks that the quick check accepts exactly the
// documents the full validator accepts.
func TestQuickAgreesWithFull(t *testing.T) {
	values := []any{nil, true, false, int64(1), int64(2), 1.0, 1.5, "", "x", "relative", "absolute", "never",
		"symlink", "file", "any", "dir", "ü", []any{}, []any{"x"}, []any{""}, []any{int64(1)},
		map[string]any{}, map[string]any{"dest": "x", "target": "y"}, map[string]any{"dest": "x"}}
	keys := []string{"", "x", "a b", "-a", ".a", "_a", "a.b", "dest", "target", "strategy", "replace", "backup",
		"parents", "allow_dangling", "kind", "allow", "version", "links", "vars", "defaults", "root", "state_dir"}
	base := doc(t, valid)
	var paths [][]string
	var walk func(v any, p []string)
	walk = func(v any, p []string) {
		paths = append(paths, p)
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				walk(x, append(append([]string(nil), p...), k))
			}
		}
	}
	walk(base, nil)
	n, accepted := 0, 0
	check := func(d any, what string) {
		n++
		q := quickValid(t, d)
		full := fullViolations(t, d)
		if q != (len(full) == 0) {
			t.Errorf("%s: quick=%v, full=%v", what, q, full)
		}
		if q {
			accepted++
		}
	}
	for _, p := range paths {
		for _, v := range values {
			d := clone(base)
			set(d, p, v)
			check(d, fmt.Sprintf("%q = %#v", p, v))
		}
		for _, k := range keys {
			for _, v := range values[:6] {
				d := clone(base)
				parent, ok := get(d, p).(map[string]any)
				if !ok {
					continue
				}
				parent[k] = v
				check(d, fmt.Sprintf("%q[%q] = %#v", p, k, v))
			}
			d := clone(base)
			if parent, ok := get(d, p).(map[string]any); ok {
				delete(parent, k)
				check(d, fmt.Sprintf("delete %q[%q]", p, k))
			}
		}
	}
	if accepted == 0 || accepted == n {
		t.Errorf("%d of %d documents accepted: the mutations do not test both ways", accepted, n)
	}
	t.Logf("%d documents, %d valid", n, accepted)
}

func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = clone(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = clone(x)
		}
		return l
	}
	return v
}

func get(v any, p []string) any {
	for _, k := range p {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func set(v any, p []string, x any) {
	if len(p) == 0 {
		return
	}
	if m, ok := get(v, p[:len(p)-1]).(map[string]any); ok {
		m[p[len(p)-1]] = clone(x)
	}
}

// FuzzQuickCheck checks, on any JSON document, that the quick check never
// accepts what the full validator rejects, and that neither panics.
func FuzzQuickCheck(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte(`{"version": 1, "links": {}}`))
	f.Add([]byte(`{"version": 1.0000000000000002, "links": {}}`))
	f.Add([]byte(`{"version": 1e0, "links": {"a": {"dest": "x", "target": "y", "allow": []}}}`))
	f.Add([]byte(`{"version": 1, "links": {"a": {"dest": "\u0000", "target": "y"}}, "vars": {"":1}}`))
	f.Add([]byte(`[1, "a", null, {"a": [true]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		q := quickValid(t, v)
		full := fullViolations(t, v)
		if q && len(full) > 0 {
			t.Fatalf("quick check accepts a document the schema rejects: %v", full)
		}
		for _, vi := range full {
			if vi.Message == "" {
				t.Errorf("bad message %q", vi.Message)
			}
			if vi.Pointer != "" && !strings.HasPrefix(vi.Pointer, "/") {
				t.Errorf("bad pointer %q", vi.Pointer)
			}
		}
	})
}

func TestNearest(t *testing.T) {
	allowed := []string{"allow", "allow_dangling", "backup", "dest", "kind", "parents", "replace", "strategy", "target"}
	for k, want := range map[string]string{
		"taget": "target", "dset": "dest", "Dest": "dest", "TARGET": "target", "parent": "parents",
		"stratgey": "strategy", "alow": "allow", "kinds": "kind", "bakup": "backup",
		"x": "", "mode": "", "source": "", "ab": "", "": "", strings.Repeat("a", 100): "",
	} {
		if got := nearest(k, allowed); got != want {
			t.Errorf("nearest(%q) = %q, want %q", k, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"ab", "ba", 1}, {"abc", "abc", 0}, {"abc", "abd", 1}, {"abc", "a", 2}, {"dset", "dest", 1}, {"kitten", "sitting", 3}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestLookupAndPointers(t *testing.T) {
	d := doc(t, `{"a": {"b/c": [10, {"d~e": "x"}]}, "": 1}`)
	for ptr, want := range map[string]any{
		"":               d,
		"/a/b~1c/0":      10.0,
		"/a/b~1c/1/d~0e": "x",
		"/a/b~1c/2":      nil,
		"/a/b~1c/-1":     nil,
		"/a/b~1c/x":      nil,
		"/a/missing/x":   nil,
		"/":              1.0,
	} {
		if got := Lookup(d, ptr); !cmp.Equal(got, want) {
			t.Errorf("Lookup(%q) = %v, want %v", ptr, got, want)
		}
	}
	for in, want := range map[string]string{
		"/links/a%20b":  "/links/a b",
		"/links/plain":  "/links/plain",
		"/links/100%25": "/links/100%",
		"/links/bad%zz": "/links/bad%zz",
	} {
		if got := normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkValidate100k(b *testing.B) {
	links := make(map[string]any, 100_000)
	for i := range 100_000 {
		links[fmt.Sprint("l", i)] = map[string]any{"dest": fmt.Sprint("d", i), "target": fmt.Sprint("t", i), "strategy": "relative"}
	}
	d := map[string]any{"version": int64(1), "links": links}
	b.Run("quick", func(b *testing.B) {
		for b.Loop() {
			if v, err := Validate(d); err != nil || v != nil {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("full", func(b *testing.B) {
		c, _ := load()
		for b.Loop() {
			if v, err := c.validate(d); err != nil || v != nil {
				b.Fatal(v, err)
			}
		}
	})
}
