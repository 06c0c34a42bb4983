package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sameTree says how a and b differ, comments aside, or "" if they do not.
func sameTree(a, b *yaml.Node, path string) string {
	if a == nil || b == nil {
		if a != b {
			return path + ": one node is nil"
		}
		return ""
	}
	if (a.Content == nil) != (b.Content == nil) {
		return path + ": Content nil in one tree only"
	}
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value || a.Anchor != b.Anchor ||
		(a.Alias == nil) != (b.Alias == nil) || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: {kind %v style %v tag %s value %q at %d:%d, %d children} vs {kind %v style %v tag %s value %q at %d:%d, %d children}",
			path, a.Kind, a.Style, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Style, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := sameTree(a.Content[i], b.Content[i], path+"/"+strconv.Itoa(i)); d != "" {
			return d
		}
	}
	return ""
}

// checkFast checks that when fastYAML reads data, yaml.v3 reads it too,
// into the same tree.
func checkFast(t *testing.T, data []byte) (read bool) {
	t.Helper()
	fast, ok := fastYAML(data)
	if !ok {
		return false
	}
	want, errs := parseYAMLv3(testFile, data)
	if errs != nil {
		t.Fatalf("fastYAML read %q, which yaml.v3 refuses: %v", data, errs)
	}
	if d := sameTree(fast, want, ""); d != "" {
		t.Fatalf("fastYAML and yaml.v3 differ on %q:\n%s (fast vs yaml.v3)", data, d)
	}
	return true
}

var fastCases = []struct {
	name, in string
	read     bool
}{
	{"generated", string(generateManifest(20)), true},
	{"block entries, comments", "# head\nversion: 1 # trailing\nroot: ~/work\nstate_dir: .links\nvars:\n  v: \"1\"\n  w: 'two words'\n\n# between\nlinks:\n  # first\n  a: {dest: a, target: \"t/${v}\"}\n  b:\n    dest: b/c.conf   \n    target: ../x-y_z/${w}\n      # deeper comment\n# shallow comment\n  c: {}\n  d: { dest: d , target: t }\n", true},
	{"nested block mappings", "a:\n    b:\n        c: d\n    e: f\ng: h\n", true},
	{"scalars of every tag", "a: true\nb: False\nc: null\nd: ~\ne: 0\nf: 123456789012345678\ng: yes\nh: ..\ni: ./x\nj: ~/x\nk: $x\nl: a b  c\nm: 'a\"b'\nn: \"a'b\"\no: \"\"\np: x,y{z}[w]\n", true},
	{"no final line break", "a: {b: c}", true},
	{"empty file", "", false},
	{"only comments", "# a\n\n  # b\n", false},
	{"indented top", "  a: b\n", false},
	{"document marker", "---\na: b\n", false},
	{"document end", "a: b\n...\n", false},
	{"directive", "%YAML 1.2\n---\na: b\n", false},
	{"tab", "a:\tb\n", false},
	{"CR", "a: b\r\n", false},
	{"BOM", "\xef\xbb\xbfa: b\n", false},
	{"non-ASCII", "a: é\n", false},
	{"null value at end", "a:\n", false},
	{"null value before a key", "a:\nb: c\n", false},
	{"continued plain scalar", "a: b\n  c\n", false},
	{"continued under a mapping", "a:\n  b: c\n    d\n", false},
	{"bad dedent", "a:\n    b: c\n  d: e\n", false},
	{"colon in value", "a: b:c\n", false},
	{"hash in value", "a: b#c\n", false},
	{"comment without space", "a: \"b\"#c\n", false},
	{"key with space", "a b: c\n", false},
	{"space before colon", "a : c\n", false},
	{"colon without space", "a:b\n", false},
	{"quoted key", "\"a\": b\n", false},
	{"numeric key", "1: b\n", false},
	{"bool key", "true: b\n", false},
	{"float", "a: 1.5\n", false},
	{"dot float", "a: .5\n", false},
	{"inf", "a: .inf\n", false},
	{"octal", "a: 0755\n", false},
	{"timestamp", "a: 2026-02-07\n", false},
	{"long int", "a: 1234567890123456789\n", false},
	{"sign", "a: -1\n", false},
	{"escape", "a: \"b\\n\"\n", false},
	{"quote in single", "a: 'b''c'\n", false},
	{"unclosed quote", "a: \"b\n  c\"\n", false},
	{"anchor", "a: &x b\n", false},
	{"alias", "a: *x\n", false},
	{"tag", "a: !!str b\n", false},
	{"literal", "a: |\n  b\n", false},
	{"sequence", "a:\n- b\n", false},
	{"flow sequence", "a: [b]\n", false},
	{"flow over lines", "a: {b: c,\n  d: e}\n", false},
	{"flow trailing comma", "a: {b: c,}\n", false},
	{"flow nested", "a: {b: {c: d}}\n", false},
	{"flow brace in value", "a: {b: ${c}}\n", false},
	{"flow empty value", "a: {b: , c: d}\n", false},
	{"flow question mark", "a: {b: c?}\n", false},
	{"block question mark", "a: c?d\n", true},
	{"flow comment", "a: {b: c #d}\n", false},
	{"after flow", "a: {b: c} d\n", false},
	{"flow then comment", "a: {b: c} # d\n", true},
	{"flow quoted", "a: {b: \"c d\", e: 'f'}\n", true},
	{"merge key", "<<: {a: b}\n", false},
	{"deep", strings.Repeat(" ", 0) + "a0:\n" + deepMapping(70), false},
	{"not so deep", "a0:\n" + deepMapping(40), true},
}

func deepMapping(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%sa%d:\n", strings.Repeat(" ", i), i)
	}
	fmt.Fprintf(&b, "%sz: end\n", strings.Repeat(" ", n+1))
	return b.String()
}

// TestFastYAML: fastYAML reads the documents it should, into yaml.v3's
// tree, and declines the others.
func TestFastYAML(t *testing.T) {
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkFast(t, []byte(tc.in)); got != tc.read {
				t.Errorf("read %v, want %v", got, tc.read)
			}
		})
	}
}

// FuzzFastYAML: whatever fastYAML reads, yaml.v3 reads into the same tree
// (comments aside). Seeded with the cases above and FuzzParse's corpus.
func FuzzFastYAML(f *testing.F) {
	for _, tc := range fastCases {
		f.Add([]byte(tc.in))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", "*"))
	for _, file := range files {
		if data, ok := corpusBytes(file); ok {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput && fuzzing() {
			t.Skip("large input")
		}
		checkFast(t, data)
	})
}

// corpusBytes reads the []byte of a one-argument fuzz corpus file.
func corpusBytes(file string) ([]byte, bool) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	_, lit, ok := strings.Cut(strings.TrimSpace(string(text)), "\n")
	if !ok || !strings.HasPrefix(lit, "[]byte(") || !strings.HasSuffix(lit, ")") {
		return nil, false
	}
	s, err := strconv.Unquote(lit[len("[]byte(") : len(lit)-1])
	if err != nil {
		return nil, false
	}
	return []byte(s), true
}
