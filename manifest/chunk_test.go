package manifest

import (
	"reflect"
	"strings"
	"testing"
)

// TestChunkedSplitsOrFallsBack: a block-style links: mapping is parsed in
// chunks with the whole-file result; a file where a line at the entries'
// indentation is not an entry, or where only the whole file shows a
// mistake, is not (parseWhole then reports it).
func TestChunkedSplitsOrFallsBack(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		split    bool
	}{
		{"block and flow entries, comments, vars, defaults", "version: 1\nvars: {r: x}\ndefaults: {replace: file}\nlinks:\n  # first\n  a: {dest: a, target: \"t/${r}\"}\n  b:\n    dest: b\n    target: t\n\n# a comment at column 0\n  c: {dest: c, target: t, replace: any}\n", true},
		{"anchor used in another chunk", "version: 1\nlinks:\n  a: &x {dest: a, target: t}\n  b: {dest: b, target: t}\n  c: *x\n", false},
		{"quoted scalar continued at entry indentation", "version: 1\nlinks:\n  a: {dest: a, target: \"t\n  b: c\"}\n  b: {dest: b, target: t}\n  c: {dest: c, target: t}\n", false},
		{"flow mapping continued at entry indentation", "version: 1\nlinks:\n  a: {dest: a,\n  target: t}\n  b: {dest: b, target: t}\n  c: {dest: c, target: t}\n", false},
		{"name in two chunks", "version: 1\nlinks:\n  a: {dest: a, target: t}\n  b: {dest: b, target: t}\n  a: {dest: c, target: t}\n", false},
		{"dest in two chunks", "version: 1\nlinks:\n  a: {dest: a, target: t}\n  b: {dest: b, target: t}\n  c: {dest: a, target: t}\n", false},
		{"a key after links", "version: 1\nlinks:\n  a: {dest: a, target: t}\n  b: {dest: b, target: t}\nroot: x\n", false},
		{"flow links", "version: 1\nlinks: {a: {dest: a, target: t}, b: {dest: b, target: t}}\n", false},
		{"CRLF", "version: 1\r\nlinks:\r\n  a: {dest: a, target: t}\r\n  b: {dest: b, target: t}\r\n", false},
		{"document marker", "---\nversion: 1\nlinks:\n  a: {dest: a, target: t}\n  b: {dest: b, target: t}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole, werr := parseWhole(testFile, []byte(tc.in), testOptions())
			m, ok := parseChunkedBy(testFile, []byte(tc.in), testOptions(), 2, 1)
			if ok != tc.split {
				t.Fatalf("split: %v, want %v (whole: %v)", ok, tc.split, werr)
			}
			if ok && !reflect.DeepEqual(m, whole) {
				t.Errorf("chunked %+v\nwhole   %+v (%v)", m, whole, werr)
			}
		})
	}
}

// TestChunkedLargeSameAsWhole: Parse of a manifest large enough to be
// chunked gives parseWhole's manifest, positions included.
func TestChunkedLargeSameAsWhole(t *testing.T) {
	data := generateManifest(3*chunkSize + chunkMin)
	// Out of dest order, so the chunks' links must be sorted together.
	data = []byte(strings.Replace(string(data), "links:\n", "links:\n  zz: {dest: 0first, target: t}\n", 1))
	if _, ok := splitLinks(data, chunkMin); !ok {
		t.Fatal("the generated manifest is not split")
	}
	got, err := Parse(testFile, data, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseWhole(testFile, data, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("chunked and whole parses differ")
	}
	if got.Links[0].Dest != "0first" || got.Links[0].Pos != (Pos{Line: 5, Col: 3}) {
		t.Errorf("first link %+v, want dest 0first at 5:3", got.Links[0])
	}
}

// TestUniqueNames: names in increasing order are unique without an
// index; any other order is indexed, and a name met twice, next to each
// other or not, is found.
func TestUniqueNames(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  bool
	}{
		{nil, true},
		{[]string{"a"}, true},
		{[]string{"a", "b", "c"}, true},
		{[]string{"c", "a", "b"}, true},
		{[]string{"a", "a"}, false},
		{[]string{"a", "b", "a"}, false},
		{[]string{"b", "c", "a", "c"}, false},
	} {
		links := make([]Link, len(tc.names))
		for i, n := range tc.names {
			links[i].Name = n
		}
		if got := uniqueNames(links); got != tc.want {
			t.Errorf("uniqueNames(%q) = %v, want %v", tc.names, got, tc.want)
		}
	}
}
