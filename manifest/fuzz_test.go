package manifest

import (
	"bytes"
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParse feeds Parse arbitrary bytes. The seed corpus is in
// testdata/fuzz/FuzzParse (malformed YAML, alias bombs, 10,000-level
// nesting, bad bytes, tabs, BOMs, line ends, wrong types, odd paths, long
// names); the large seeds are generated here.
//
// Parse must not panic, must return a manifest or an ErrorList (never
// both, never another error), and:
//   - every error has a place (line and column from 1), except --var
//     errors, which have none; errors are sorted; their text grows
//     linearly with the input;
//   - a manifest has clean, relative, unique dests under root, sorted;
//   - the work is linear in the input, checked without a clock: the
//     conversion's cost (nodes, plus scalar and key text, aliases
//     followed) never exceeds budget(len(data)), and a document without
//     aliases never comes near it, so the budget never refuses one;
//   - the same input gives the same result, and the same as parseWhole's
//     when split into chunks of one or two links (chunk.go).
func FuzzParse(f *testing.F) {
	if !fuzzing() {
		// About 10 MB. Only as a test: mutating it while fuzzing would
		// take a second per execution.
		f.Add(generateManifest(165_000))
		f.Add([]byte("version: 1\nlinks: {}\nx: " + strings.Repeat("[", 1<<20)))
	}
	f.Add([]byte("version: 1\nlinks: {a: {dest: x, target: y}}\n"))
	// Files the chunked parser splits (chunk.go), and files where a line at
	// the entries' indentation is not an entry.
	for _, s := range []string{
		"version: 1\nvars: {r: x}\ndefaults: &d {replace: file}\nlinks:\n  a: {dest: a, target: \"t/${r}\"}\n  # c\n  b:\n    dest: b\n    target: t\n\n  c: {dest: c, target: t, replace: any}\n",
		"version: 1\nlinks:\n  a: &x {dest: a, target: t}\n  b: {dest: b, target: t}\n  c: *x\n",
		"version: 1\nlinks:\n  a: {dest: a, target: \"t\n  b: c\"}\n  b: {dest: b, target: t}\n  c: {dest: c, target: t}\n",
		"version: 1\nlinks:\n  a: {dest: a,\n  target: t}\n  b: {dest: b, target: t}\n  c: {dest: c, target: t}\n",
		"version: 1\nlinks:\n  a: {dest: a, target: t}\n  b: {dest: a, target: t}\n  a: {dest: c, target: t}\n",
		"version: 1\nlinks:\n  a: {dest: a, target: t}\n  b: {dest: b, target: t}\nroot: x\n",
		"version: 1\nlinks:\n  a:\n    dest: a\n    target: |\n      t\n  b: {dest: b, target: t}\n  c: {dest: c, target: t}\n",
		// One-line links of every key lineChunk reads (lines.go).
		"version: 1\nvars: {v: x}\nstate_dir: st\ndefaults: {replace: file, backup: false}\nlinks:\n  a: {dest: a, target: t}\n  b.c: {dest: /w/d//e, target: \"t/${v}\", strategy: absolute, kind: dir}  # c\n  d: {dest: 'x', target: /opt/y, replace: any, backup: true, parents: False, allow_dangling: TRUE}\n  e: {  dest: ./e ,target: ../w/u  }\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput && fuzzing() {
			// Large inputs (the 10,000-level seeds take 0.1 s each, the
			// 4,000-character names are 12 KB) run as seeds in go test.
			// While fuzzing, their mutants, and the minimizing of each new
			// one (up to a minute), would take most of the time.
			t.Skip("large input")
		}
		o := testOptions()
		if bytes.Contains(data, []byte("release")) {
			// Sometimes a declared override, sometimes an undeclared one.
			o.Vars = map[string]string{"release": "r1"}
		}
		m, err := Parse(testFile, data, o)
		checkParse(t, data, m, err)
		if len(data) < 4096 {
			m2, err2 := Parse(testFile, data, o)
			if errString(err) != errString(err2) || !sameManifest(m, m2) {
				t.Fatalf("two parses differ:\n%v\n%v", err, err2)
			}
			// Split into chunks of one and of two links, a manifest is
			// the one parsed whole (chunk.go).
			whole, werr := parseWhole(testFile, data, o)
			for size := 1; size <= 2; size++ {
				if mc, ok := parseChunkedBy(testFile, data, o, 2, size); ok && (werr != nil || !reflect.DeepEqual(mc, whole)) {
					t.Fatalf("chunks of %d links: %+v\nwhole: %+v, %v", size, mc, whole, werr)
				}
			}
		}
		if len(data) <= 1<<20 { // keep the 10 MB seed to one parse
			checkCost(t, data)
		}
	})
}

// maxFuzzInput is the largest input tried while fuzzing.
const maxFuzzInput = 4 << 10

// fuzzing reports whether the test binary runs with -fuzz.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

func checkParse(t *testing.T, data []byte, m *Manifest, err error) {
	t.Helper()
	if (m == nil) == (err == nil) {
		t.Fatalf("Parse returned manifest %v and error %v", m != nil, err)
	}
	if err == nil {
		checkManifest(t, m)
		if m.File != testFile {
			t.Errorf("File = %q", m.File)
		}
		return
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error is %T, not an ErrorList: %v", err, err)
	}
	if len(list) == 0 {
		t.Fatal("empty ErrorList")
	}
	maxLine := 1
	for _, c := range data {
		switch c {
		case '\n', '\r', 0x85, 0xA8, 0xA9: // also the last bytes of NEL, LS, PS
			maxLine++
		}
	}
	text := 0
	for i, e := range list {
		placeless := e.Line == 0 && e.Col == 0 && strings.HasPrefix(e.Msg, "--var ")
		if !placeless && (e.Line < 1 || e.Col < 1) {
			t.Errorf("error without a place: %q", e.Error())
		}
		if e.Line > maxLine {
			t.Errorf("error on line %d of a %d-line document: %q", e.Line, maxLine, e.Error())
		}
		if e.File != testFile || e.Msg == "" {
			t.Errorf("bad error %#v", e)
		}
		if i > 0 {
			p := list[i-1]
			if p.Line > e.Line || p.Line == e.Line && p.Col > e.Col {
				t.Errorf("errors not sorted: %q before %q", p.Error(), e.Error())
			}
		}
		text += len(e.Error())
	}
	// Each error repeats at most its own bits of the document (quoted, so
	// up to 4 bytes a byte, or expanded from variables) and a bounded
	// amount of anything else.
	if limit := 8*len(data) + expandBudget(len(data)) + 4000*len(list); text > limit {
		t.Errorf("%d errors of %d bytes in all, from %d bytes of input", len(list), text, len(data))
	}
}

// checkCost checks the linear bounds the alias budget relies on.
func checkCost(t *testing.T, data []byte) {
	t.Helper()
	root, errs := parseYAML(testFile, data)
	if errs != nil {
		return
	}
	// The tree as written, aliases not followed.
	cost, aliases := 0, false
	var walk func(n *yaml.Node, key bool)
	walk = func(n *yaml.Node, key bool) {
		if key {
			if n.Kind == yaml.ScalarNode {
				cost += len(n.Value)
			}
			return
		}
		cost++
		switch n.Kind {
		case yaml.ScalarNode:
			cost += len(n.Value)
		case yaml.AliasNode:
			aliases = true
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i], true)
				walk(n.Content[i+1], false)
			}
			return
		}
		for _, c := range n.Content {
			walk(c, false)
		}
	}
	walk(root, false)
	if cost > budget(len(data)) {
		t.Fatalf("a document of %d bytes holds %d without aliases, over the budget %d", len(data), cost, budget(len(data)))
	}
	d := &document{file: testFile, data: data, root: root}
	c := &converter{d: d, budget: budget(len(data))}
	_, err := c.convert(root)
	if !aliases && err != nil {
		t.Fatalf("a document without aliases was refused: %v", d.errs)
	}
	if c.cost > c.budget+1+3*len(data) {
		t.Fatalf("the conversion produced %d, over the budget %d", c.cost, c.budget)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sameManifest(a, b *Manifest) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Root != b.Root || a.StateDir != b.StateDir || len(a.Links) != len(b.Links) || len(a.Vars) != len(b.Vars) {
		return false
	}
	for i := range a.Links {
		x, y := a.Links[i], b.Links[i]
		if x.Name != y.Name || x.Dest != y.Dest || x.Target != y.Target || x.Pos != y.Pos || strings.Join(x.Allow, "\x00") != strings.Join(y.Allow, "\x00") {
			return false
		}
	}
	for k, v := range a.Vars {
		if b.Vars[k] != v {
			return false
		}
	}
	return true
}
