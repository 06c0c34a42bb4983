package manifest

import (
	"reflect"
	"strings"
	"testing"
)

// TestLineChunk: lineChunk builds the one-line links it reads as parseWhole
// does, and declines every line it does not read, or whose link has a
// problem (parseWhole then reports it). Each case is the second entry of
// a file split into chunks of one link, so it goes through lineChunk.
func TestLineChunk(t *testing.T) {
	const head = "version: 1\nvars: {v: x, n: \"1\"}\nstate_dir: st\ndefaults: {replace: file}\nlinks:\n  first: {dest: first, target: t}\n"
	// Cases whose paths mean what they say only on POSIX systems (an
	// absolute path, the manifest under root /w) are skipped on Windows.
	posix := map[string]bool{"absolute target": true, "absolute dest under root": true, "dest outside root": true, "dest is the manifest": true}
	for _, tc := range []struct {
		name, line string
		take       bool
	}{
		{"dest and target", "  b: {dest: d/b, target: t/b}", true},
		{"every key", "  b: {dest: d, target: t, strategy: absolute, replace: any, kind: dir, backup: false, parents: False, allow_dangling: TRUE}", true},
		{"quoted values and a variable", "  b: {dest: 'd/${v}', target: \"t/${n}\"}", true},
		{"trailing comment, extra spaces", "  b: {  dest: d ,target: t  }   # note", true},
		{"absolute target", "  b: {dest: d, target: /opt/x}", true},
		{"absolute dest under root", "  b: {dest: /w/d, target: t}", true},
		{"unclean paths", "  b: {dest: ./d//e/, target: t/../u}", true},
		{"name with dots and dashes", "  b.c-d_1: {dest: d, target: t}", true},
		{"environment variable", "  b: {dest: d, target: \"t/${env:STAGE}\"}", true},

		{"no target", "  b: {dest: d}", false},
		{"empty dest", "  b: {dest: '', target: t}", false},
		{"unknown key", "  b: {dest: d, target: t, colour: red}", false},
		{"allow", "  b: {dest: d, target: t, allow: x}", false},
		{"tree", "  b: {dest: d, target: t, tree: true}", false},
		{"duplicate key", "  b: {dest: d, target: t, dest: e}", false},
		{"strategy outside its enum", "  b: {dest: d, target: t, strategy: sideways}", false},
		{"quoted boolean", "  b: {dest: d, target: t, backup: 'false'}", false},
		{"plain yes", "  b: {dest: d, target: t, backup: yes}", false},
		{"number as dest", "  b: {dest: 12, target: t}", false},
		{"null target", "  b: {dest: d, target: ~}", false},
		{"name with a slash", "  b/c: {dest: d, target: t}", false},
		{"name of digits", "  12: {dest: d, target: t}", false},
		{"dest leaves root", "  b: {dest: ../d, target: t}", false},
		{"dest outside root", "  b: {dest: /elsewhere/d, target: t}", false},
		{"dest in state_dir", "  b: {dest: st/x, target: t}", false},
		{"dest holds state_dir", "  b: {dest: st, target: t}", false},
		{"dest is the manifest", "  b: {dest: links.yaml, target: t}", false},
		{"target is the dest", "  b: {dest: d, target: d}", false},
		{"unknown variable", "  b: {dest: d, target: \"${nope}\"}", false},
		{"name too long", "  b: {dest: " + strings.Repeat("n", 256) + ", target: t}", false},
		{"block mapping", "  b:\n    dest: d\n    target: t", false},
		{"anchor", "  b: &a {dest: d, target: t}", false},
		{"escape", "  b: {dest: \"d\\n\", target: t}", false},
		{"tab", "  b: {dest: d,\ttarget: t}", false},
		{"non-ASCII", "  b: {dest: dé, target: t}", false},
		{"text after the mapping", "  b: {dest: d, target: t} x", false},
		{"comma at the end", "  b: {dest: d, target: t,}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if posix[tc.name] {
				skipOnWindows(t)
			}
			data := []byte(head + tc.line + "\n")
			whole, werr := parseWhole(testFile, data, testOptions())
			// lineChunk itself, on the second entry.
			p, ok := splitLinks(data, 2)
			if !ok {
				t.Fatal("not split")
			}
			first, d, err := parseDocument(testFile, p.chunkText(data, 0, 1), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			body := string(data[p.starts[1]:])
			links, took := lineChunk(d, first, body, p.lines[1], 2, expandBudget(len(p.head)+len(body)), nil)
			if took != tc.take {
				t.Fatalf("lineChunk took it: %v, want %v (whole: %v)", took, tc.take, werr)
			}
			if took {
				if werr != nil {
					t.Fatalf("lineChunk took a line parseWhole refuses: %v", werr)
				}
				var want *Link
				for i := range whole.Links {
					if whole.Links[i].Name == links[0].Name {
						want = &whole.Links[i]
					}
				}
				if len(links) != 1 || want == nil || !reflect.DeepEqual(links[0], *want) {
					t.Fatalf("lineChunk: %+v\nwhole:     %+v", links, whole.Links)
				}
			}
			// And the whole chunked parse is parseWhole's, or declined
			// when parseWhole has an error.
			m, ok := parseChunkedBy(testFile, data, testOptions(), 2, 1)
			if ok && (werr != nil || !reflect.DeepEqual(m, whole)) {
				t.Fatalf("chunked %+v\nwhole   %+v (%v)", m, whole, werr)
			}
			if !ok && werr == nil && !strings.Contains(tc.line, "\n") && tc.take {
				t.Fatalf("chunked parse declined a file lineChunk reads")
			}
		})
	}
}
