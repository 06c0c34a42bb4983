package manifest

import (
	"path"
	"strings"
	"testing"
)

// TestKernelLimits: a name over NAME_MAX (255 bytes) in a dest, target,
// root or state_dir, written out or produced by a variable, and a root path
// or a link text over PATH_MAX, are errors at their place (a dest may be
// longer than PATH_MAX: links reaches it one folder at a time) (issue 14 item 10: a 256-byte name
// passed validate and plan, half-applied, then broke every command).
func TestKernelLimits(t *testing.T) {
	skipOnWindows(t)
	n255, n256 := strings.Repeat("a", 255), strings.Repeat("b", 256)
	deep := strings.Repeat(strings.Repeat("d", 200)+"/", 21) // 4221 bytes, names of 200
	const tooLong = `has a name of 256 bytes ("bbbbbbbbbbbbbbbbbbbbbbbb"…), more than the 255 the kernel accepts in one name (NAME_MAX); shorten it`
	runErrCases(t, []errCase{{
		name: "dest",
		src:  "version: 1\nlinks:\n  ok: {dest: " + n255 + ", target: y}\n  a: {dest: x/" + n256 + "/z, target: y}\n",
		want: []string{`links.yaml:4:13: links.a.dest: dest "x/bbbbbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbb/z" ` + tooLong},
	}, {
		name: "target",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: ../" + n256 + "}\n",
		want: []string{`links.yaml:3:24: links.a.target: target "../bbbbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" ` + tooLong},
	}, {
		name: "absolute target",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: /opt/" + n256 + "}\n",
		want: []string{`links.yaml:3:24: links.a.target: target "/opt/bbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" ` + tooLong},
	}, {
		name: "through a variable",
		src:  "version: 1\nvars: {v: " + n256 + "}\nlinks:\n  a: {dest: \"x/${v}\", target: y}\n  b: {dest: b, target: \"${v}\"}\n",
		want: []string{
			`links.yaml:4:13: links.a.dest: dest "x/${v}" ("x/bbbbbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" after expansion) ` + tooLong,
			`links.yaml:5:24: links.b.target: target "${v}" ("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" after expansion) ` + tooLong,
		},
	}, {
		name: "through --var",
		src:  "version: 1\nvars: {v: x}\nlinks:\n  a: {dest: \"${v}\", target: y}\n",
		opt:  func(o *Options) { o.Vars = map[string]string{"v": n256} },
		want: []string{`links.yaml:4:13: links.a.dest: dest "${v}" ("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" after expansion) ` + tooLong},
	}, {
		name: "root",
		src:  "version: 1\nroot: /srv/" + n256 + "\nlinks: {}\n",
		want: []string{`links.yaml:2:7: root: root "/srv/bbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" ` + tooLong},
	}, {
		name: "state_dir",
		src:  "version: 1\nstate_dir: " + n256 + "\nlinks: {}\n",
		want: []string{`links.yaml:2:12: state_dir: state_dir "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" ` + tooLong},
	}, {
		// b's text is relative, to a target outside root: plan computes
		// it (and refuses it); c's is short, though its dest is long.
		name: "link text too long",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: " + deep + "y}\n  b: {dest: b, target: /" + deep + "y}\n  c: {dest: " + deep + "c, target: y, strategy: absolute}\n",
		want: []string{
			`links.yaml:3:24: links.a.target: target "dddddddddddddddddddddddddddddd…dddddddddddddddddddddddddddd/y" makes a link text of 4222 bytes from dest x, more than the 4095 the kernel accepts in a link (PATH_MAX); shorten it, or use strategy: relative`,
		},
	}, {
		name: "root path too long",
		src:  "version: 1\nroot: /" + deep + "\nlinks: {}\n",
		want: []string{`links.yaml:2:7: root: root "/ddddddddddddddddddddddddddddd…dddddddddddddddddddddddddddddd" is 4221 bytes long, more than the 4095 the kernel accepts in a path (PATH_MAX); shorten it`},
	}})
}

// lexicalRel is, as a reference for lexicalRelLen, the slash path from folder from to to, both relative to
// root and clean, as written.
func lexicalRel(from, to string) string {
	f := strings.Split(from, "/")
	t := strings.Split(to, "/")
	if from == "." {
		f = nil
	}
	i := 0
	for i < len(f) && i < len(t) && f[i] == t[i] && t[i] != ".." {
		i++
	}
	return strings.Repeat("../", len(f)-i) + strings.Join(t[i:], "/")
}

// FuzzLexicalRelLen: lexicalRelLen is the length of the text lexicalRel
// builds, for clean relative paths (what linkTextLimit gives it).
func FuzzLexicalRelLen(f *testing.F) {
	for _, s := range [][2]string{
		{".", "t"}, {"a", "a"}, {"a", "a/b"}, {"a/b", "a"}, {"a/b", "a/c"}, {"a/b/c", "x"},
		{"a", ".."}, {"a/b", "../x"}, {"..", "../x"}, {"r0/l/d00", "t/d00/f000000"}, {"ab", "a"}, {"a", "ab/c"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, from, to string) {
		from, to = path.Clean(from), path.Clean(to)
		if path.IsAbs(from) || path.IsAbs(to) || to == "" {
			return
		}
		if got, want := lexicalRelLen(from, to), len(lexicalRel(from, to)); got != want {
			t.Fatalf("lexicalRelLen(%q, %q) = %d, want %d (%q)", from, to, got, want, lexicalRel(from, to))
		}
	})
}
