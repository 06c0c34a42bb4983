package manifest

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tests parse with a fixed folder, home and environment, so that every
// message and path is known exactly.
const (
	testFile = "links.yaml"
	testDir  = "/w"
	testHome = "/home/u"
)

var testEnv = map[string]string{"STAGE": "prod", "EMPTY": ""}

func testOptions() Options {
	return Options{
		Dir:  testDir,
		Home: testHome,
		LookupEnv: func(k string) (string, bool) {
			v, ok := testEnv[k]
			return v, ok
		},
	}
}

func skipOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("expected paths are POSIX")
	}
}

// parseErrors parses src and returns every error line, failing the test
// if src parses, if the error is not an ErrorList, or if the list is not
// sorted by position.
func parseErrors(t *testing.T, src string, opt func(*Options)) []string {
	t.Helper()
	o := testOptions()
	if opt != nil {
		opt(&o)
	}
	m, err := Parse(testFile, []byte(src), o)
	if err == nil {
		t.Fatalf("Parse succeeded, want errors; got %+v", m)
	}
	if m != nil {
		t.Errorf("Parse returned a manifest along with errors")
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error is %T, want ErrorList: %v", err, err)
	}
	checkList(t, list)
	return strings.Split(err.Error(), "\n")
}

// checkList checks the properties every ErrorList has: not empty, sorted by
// line then column, each error placed (or placeless only for --var), and
// its text FILE[:LINE:COL]: [PATH: ]MESSAGE.
func checkList(t *testing.T, list ErrorList) {
	t.Helper()
	if len(list) == 0 {
		t.Fatal("empty ErrorList")
	}
	for i, e := range list {
		if e.File != testFile {
			t.Errorf("error %d: File = %q", i, e.File)
		}
		if e.Line < 1 || e.Col < 1 {
			if e.Line != 0 || e.Col != 0 || !strings.HasPrefix(e.Msg, "--var ") {
				t.Errorf("error %d has no place: %v", i, e)
			}
		}
		if e.Msg == "" {
			t.Errorf("error %d has no message", i)
		}
		if i > 0 {
			p := list[i-1]
			if p.Line > e.Line || p.Line == e.Line && p.Col > e.Col {
				t.Errorf("errors not sorted: %v before %v", p, e)
			}
		}
	}
}

// lineDiff shows want and got line by line, shortening long lines.
func lineDiff(want, got []string) string {
	short := func(s string) string {
		if len(s) > 400 {
			return s[:200] + "…" + s[len(s)-200:]
		}
		return s
	}
	var b strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		w, g := "(none)", "(none)"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			fmt.Fprintf(&b, "    %s\n", short(w))
		} else {
			fmt.Fprintf(&b, "  - %s\n  + %s\n", short(w), short(g))
		}
	}
	return b.String()
}

type errCase struct {
	name string
	src  string
	opt  func(*Options)
	want []string
}

func runErrCases(t *testing.T, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseErrors(t, c.src, c.opt)
			if !slices.Equal(c.want, got) {
				t.Errorf("errors:\n%s", lineDiff(c.want, got))
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	runErrCases(t, []errCase{{
		name: "unclosed flow mapping",
		src:  "version: 1\nlinks: {a: {dest: x, target: y}\n",
		want: []string{`links.yaml:2:8: invalid YAML: the mapping opened with { here is not closed; add the missing } (or a , between entries)`},
	}, {
		name: "unclosed flow list",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: y, allow: [a, b}\n",
		want: []string{`links.yaml:3:34: invalid YAML: the list opened with [ here is not closed; add the missing ] (or a , between items)`},
	}, {
		name: "unclosed flow list in block",
		src:  "version: 1\nlinks:\n  a:\n    dest: x\n    target: y\n    allow: [a, b\n",
		want: []string{`links.yaml:6:12: invalid YAML: the list opened with [ here is not closed; add the missing ] (or a , between items)`},
	}, {
		name: "unclosed quote",
		src:  "version: 1\nlinks:\n  a:\n    dest: \"x\n    target: y\n",
		want: []string{`links.yaml:4:11: invalid YAML: a quoted string is not closed; add the closing quote`},
	}, {
		name: "value with colon",
		src:  "version: 1\nlinks:\n  a:\n    dest: x\n    target: a: b\n",
		want: []string{`links.yaml:5:14: invalid YAML: unexpected ":"; quote a value that contains ": ", or fix the indentation`},
	}, {
		name: "two keys on a line",
		src:  "version: 1 links: 2\n",
		want: []string{`links.yaml:1:17: invalid YAML: unexpected ":"; quote a value that contains ": ", or fix the indentation`},
	}, {
		name: "over-indented key",
		src:  "version: 1\nlinks:\n  a:\n    dest: x\n      target: y\n",
		want: []string{`links.yaml:5:13: invalid YAML: unexpected ":"; quote a value that contains ": ", or fix the indentation`},
	}, {
		name: "under-indented key",
		src:  "version: 1\nlinks:\n  a:\n    dest: x\n   target: y\n",
		want: []string{`links.yaml:3:3: invalid YAML: a line in the mapping that starts here is not "key: value" at the mapping's indentation; check the indentation below this line`},
	}, {
		name: "list then mapping",
		src:  "- a\nversion: 1\n",
		want: []string{`links.yaml:2:1: invalid YAML: a line in the list that starts here does not start with - at the list's indentation; check the indentation below this line`},
	}, {
		name: "reserved indicator",
		src:  "version: 1\nlinks:\n  a:\n    dest: x\n    target: @y\n",
		want: []string{"links.yaml:5:13: invalid YAML: a value cannot start with @; quote the value"},
	}, {
		name: "document ends in a flow",
		src:  "version: 1\nlinks:\n  a: [",
		want: []string{"links.yaml:3:7: invalid YAML: the document ends where a value is expected; complete or remove the last entry"},
	}, {
		name: "unknown alias",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: *nope}\n",
		want: []string{"links.yaml:3:24: invalid YAML: alias *nope refers to no anchor; define &nope before using it, or write the value out"},
	}, {
		name: "tab indentation",
		src:  "version: 1\nlinks:\n\ta: {dest: x, target: y}\n",
		want: []string{"links.yaml:3:1: invalid YAML: a tab in the indentation; indent with spaces only"},
	}, {
		name: "tab indentation deeper",
		src:  "version: 1\nlinks:\n  a:\n    dest: x\n  \ttarget: y\n",
		want: []string{"links.yaml:5:3: invalid YAML: a tab in the indentation; indent with spaces only"},
	}, {
		name: "non-UTF-8 byte",
		src:  "version: 1\nlinks:\n  a: {dest: \"caf\xe9\", target: y}\n",
		want: []string{"links.yaml:3:17: invalid UTF-8 (byte 0xe9); save the file as UTF-8"},
	}, {
		name: "non-UTF-8 byte after multibyte characters",
		src:  "version: 1\n# ü ☃\n# ü ☃ \xff\n",
		want: []string{"links.yaml:3:7: invalid UTF-8 (byte 0xff); save the file as UTF-8"},
	}, {
		name: "truncated UTF-8 sequence at the end",
		src:  "version: 1\n#\xe2\x98",
		want: []string{"links.yaml:2:2: invalid UTF-8 (byte 0xe2); save the file as UTF-8"},
	}, {
		name: "NUL byte",
		src:  "version: 1\nlinks:\n  a: {dest: \"a\x00b\", target: y}\n",
		want: []string{"links.yaml:3:15: invalid YAML: a NUL byte is not allowed in a YAML file; remove it, or write it as an escape in a double-quoted string"},
	}, {
		name: "control character",
		src:  "version: 1\r\nlinks:\r\n  a: {dest: x, target: y\x07}\r\n",
		want: []string{`links.yaml:3:25: invalid YAML: a control character \a is not allowed in a YAML file; remove it, or write it as an escape in a double-quoted string`},
	}, {
		name: "too deep",
		src:  "version: 1\nlinks: " + strings.Repeat("[", 10001) + "\n",
		want: []string{"links.yaml:2:1: invalid YAML: nested more than 10000 levels deep; flatten the document"},
	}})
}

func TestDocumentErrors(t *testing.T) {
	var cases []errCase
	for _, c := range []struct{ name, src string }{
		{"empty file", ""},
		{"only comments", "# links\n\n# nothing yet\n"},
		{"only a document marker", "# links\n---\n"},
		// Found by FuzzParse: the null node is placed on line 2.
		{"only a document marker, no line end", "---"},
	} {
		cases = append(cases, errCase{name: c.name, src: c.src,
			want: []string{`links.yaml:1:1: the manifest is empty; start it with "version: 1" and a "links:" mapping`}})
	}
	const twoDocs = "more than one YAML document; a manifest is a single document (remove the extra ---)"
	runErrCases(t, append(cases, []errCase{{
		// Found by FuzzParse: yaml.v3 places the missing value past the
		// last line.
		name: "empty value at the end, no line end",
		src:  "version: 1\nlinks:\n ? A",
		want: []string{`links.yaml:3:5: links.A: expected a mapping, got null`},
	}, {
		name: "two documents",
		src:  "version: 1\nlinks: {}\n---\nversion: 1\nlinks: {}\n",
		want: []string{"links.yaml:3:1: " + twoDocs},
	}, {
		name: "an empty second document",
		src:  "version: 1\nlinks: {}\n---\n",
		want: []string{"links.yaml:3:1: " + twoDocs},
	}, {
		name: "a bad second document",
		src:  "version: 1\nlinks: {}\n---\n[\n",
		want: []string{"links.yaml:4:2: invalid YAML: the document ends where a value is expected; complete or remove the last entry"},
	}, {
		name: "explicit null",
		src:  "null\n",
		want: []string{"links.yaml:1:1: expected a mapping, got null"},
	}, {
		name: "a list",
		src:  "- version: 1\n",
		want: []string{"links.yaml:1:1: expected a mapping, got a list"},
	}, {
		name: "a string",
		src:  "version 1\n",
		want: []string{`links.yaml:1:1: expected a mapping, got a string`},
	}, {
		name: "missing version and links",
		src:  "root: .\n",
		want: []string{
			`links.yaml:1:1: missing required key "links"; add a links: mapping of name -> {dest, target}`,
			`links.yaml:1:1: missing required key "version"; add version: 1`,
		},
	}}...))
}

func TestKeyErrors(t *testing.T) {
	runErrCases(t, []errCase{{
		name: "duplicate top-level key",
		src:  "version: 1\nlinks: {}\nversion: 1\n",
		want: []string{`links.yaml:3:1: version: duplicate key "version" (first at line 1); remove one`},
	}, {
		name: "duplicate link name",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: y}\n  b: {dest: z, target: y}\n  a: {dest: w, target: y}\n",
		want: []string{`links.yaml:5:3: links.a: duplicate key "a" (first at line 3); remove one`},
	}, {
		name: "duplicate key in a link",
		src:  "version: 1\nlinks:\n  a:\n    dest: x\n    target: y\n    dest: z\n",
		want: []string{`links.yaml:6:5: links.a.dest: duplicate key "dest" (first at line 4); remove one`},
	}, {
		name: "duplicate quoted and plain key",
		src:  "version: 1\nlinks: {}\n\"version\": 1\n",
		want: []string{`links.yaml:3:1: version: duplicate key "version" (first at line 1); remove one`},
	}, {
		name: "merge key",
		src:  "version: 1\ndefaults: &d {strategy: absolute}\nlinks:\n  a:\n    <<: *d\n    dest: x\n    target: y\n",
		want: []string{`links.yaml:5:5: links.a: merge keys (<<) are not supported; write the keys out`},
	}, {
		name: "merge key losing required keys",
		src:  "version: 1\nlinks:\n  a: &a {dest: x, target: y}\n  b:\n    <<: *a\n    dest: z\n",
		want: []string{
			`links.yaml:4:3: links.b: missing required key "target"; add target: (what the link points to)`,
			`links.yaml:5:5: links.b: merge keys (<<) are not supported; write the keys out`,
		},
	}, {
		name: "non-string keys",
		src:  "version: 1\nlinks:\n  1: {dest: a, target: y}\n  1.5: {dest: b, target: y}\n  true: {dest: c, target: y}\n  null: {dest: d, target: y}\n  ~: {dest: e, target: y}\n  ? [x]\n  : {dest: f, target: y}\n  ? {x: 1}\n  : {dest: g, target: y}\n  ?\n  : {dest: h, target: y}\n",
		want: []string{
			`links.yaml:3:3: links: key 1 is a number, not a string; quote it: "1"`,
			`links.yaml:4:3: links: key 1.5 is a number, not a string; quote it: "1.5"`,
			`links.yaml:5:3: links: key true is a boolean, not a string; quote it: "true"`,
			`links.yaml:6:3: links: key null is null, not a string; quote it: "null"`,
			`links.yaml:7:3: links: key ~ is null, not a string; quote it: "~"`,
			`links.yaml:8:5: links: a list cannot be a key; use a name`,
			`links.yaml:10:5: links: a mapping cannot be a key; use a name`,
			`links.yaml:12:4: links: empty key; write a name before the colon`,
		},
	}, {
		name: "non-string keys elsewhere",
		src:  "version: 1\n1: x\nvars:\n  2: x\nlinks:\n  a: {dest: x, target: y, false: 1}\n",
		want: []string{
			`links.yaml:2:1: key 1 is a number, not a string; quote it: "1"`,
			`links.yaml:4:3: vars: key 2 is a number, not a string; quote it: "2"`,
			`links.yaml:6:27: links.a: key false is a boolean, not a string; quote it: "false"`,
		},
	}, {
		name: "unknown keys at every level",
		src: "version: 1\nroots: .\ndefaults:\n  strategy: relative\n  dest: x\n  mode: 0644\n" +
			"links:\n  a:\n    dest: x\n    taget: y\n    target: y\n    dset: z\n    \"a/b~c\": 1\n",
		want: []string{
			`links.yaml:2:1: roots: unknown key "roots"; did you mean "root"? allowed keys: defaults, links, root, state_dir, vars, version`,
			`links.yaml:5:3: defaults.dest: unknown key "dest"; allowed keys: allow, allow_dangling, backup, kind, parents, replace, strategy`,
			`links.yaml:6:3: defaults.mode: unknown key "mode"; allowed keys: allow, allow_dangling, backup, kind, parents, replace, strategy`,
			`links.yaml:10:5: links.a.taget: unknown key "taget"; did you mean "target"? allowed keys: allow, allow_dangling, backup, dest, dotfiles, exclude, fold, include, kind, parents, replace, strategy, target, tree`,
			`links.yaml:12:5: links.a.dset: unknown key "dset"; did you mean "dest"? allowed keys: allow, allow_dangling, backup, dest, dotfiles, exclude, fold, include, kind, parents, replace, strategy, target, tree`,
			`links.yaml:13:5: links.a["a/b~c"]: unknown key "a/b~c"; allowed keys: allow, allow_dangling, backup, dest, dotfiles, exclude, fold, include, kind, parents, replace, strategy, target, tree`,
		},
	}, {
		name: "unknown keys with odd characters",
		src:  "version: 1\nlinks: {}\n\"a%20b\": 1\n\"x y\": 2\n\"~1\": 3\n",
		want: []string{
			`links.yaml:3:1: ["a%20b"]: unknown key "a%20b"; allowed keys: defaults, links, root, state_dir, vars, version`,
			`links.yaml:4:1: ["x y"]: unknown key "x y"; allowed keys: defaults, links, root, state_dir, vars, version`,
			`links.yaml:5:1: ["~1"]: unknown key "~1"; allowed keys: defaults, links, root, state_dir, vars, version`,
		},
	}, {
		name: "invalid names",
		src: "version: 1\nvars:\n  \"my var\": x\n  -v: x\nlinks:\n  .hidden: {dest: a, target: y}\n  -x: {dest: b, target: y}\n" +
			"  \"a b\": {dest: c, target: y}\n  ü: {dest: d, target: y}\n  \"a/b\": {dest: e, target: y}\n  \"\": {dest: f, target: y}\n",
		want: []string{
			`links.yaml:3:3: vars["my var"]: invalid name "my var": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
			`links.yaml:4:3: vars["-v"]: invalid name "-v": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
			`links.yaml:6:3: links[".hidden"]: invalid name ".hidden": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
			`links.yaml:7:3: links["-x"]: invalid name "-x": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
			`links.yaml:8:3: links["a b"]: invalid name "a b": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
			`links.yaml:9:3: links["ü"]: invalid name "ü": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
			`links.yaml:10:3: links["a/b"]: invalid name "a/b": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
			`links.yaml:11:3: links[""]: invalid name "": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
		},
	}, {
		name: "invalid 4000-character name",
		src:  "version: 1\nlinks:\n  ? " + strings.Repeat("n", 3999) + "!\n  : {dest: a, target: y}\n",
		want: []string{
			// The path shortens a long name; the message names it whole.
			fmt.Sprintf(`links.yaml:3:5: links["%s…%s!"]: invalid name "%s!": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`, strings.Repeat("n", 30), strings.Repeat("n", 29), strings.Repeat("n", 3999)),
		},
	}, {
		// YAML limits implicit keys to 1024 characters: a longer name must
		// be written as an explicit key (see TestPaths).
		name: "4000-character implicit key",
		src:  "version: 1\nlinks:\n  " + strings.Repeat("n", 4000) + ": {dest: a, target: y}\n",
		want: []string{`links.yaml:3:3: invalid YAML: a key longer than 1024 characters, which YAML allows only as an explicit key; write "? KEY" on one line and ": VALUE" under it`},
	}, {
		name: "4000-character implicit key, quoted, in a flow mapping",
		src:  "version: 1\nlinks: {a: {dest: x, target: y}, \"" + strings.Repeat("n", 4000) + "\": {dest: a, target: y}}\n",
		want: []string{`links.yaml:2:34: invalid YAML: a key longer than 1024 characters, which YAML allows only as an explicit key; write "? KEY" on one line and ": VALUE" under it`},
	}, {
		name: "missing dest and target",
		src:  "version: 1\nlinks:\n  a: {target: y}\n  b: {dest: x}\n  c: {}\n  d:\n",
		want: []string{
			`links.yaml:3:3: links.a: missing required key "dest"; add dest: (where the link lives, under root)`,
			`links.yaml:4:3: links.b: missing required key "target"; add target: (what the link points to)`,
			`links.yaml:5:3: links.c: missing required key "dest"; add dest: (where the link lives, under root)`,
			`links.yaml:5:3: links.c: missing required key "target"; add target: (what the link points to)`,
			`links.yaml:6:5: links.d: expected a mapping, got null`,
		},
	}})
}

// TestWrongTypes puts every kind of wrong value in every key.
func TestWrongTypes(t *testing.T) {
	type kind struct{ yaml, shown, quote string }
	kinds := []kind{
		{"5", "5", `"5"`},
		{"2.5", "2.5", `"2.5"`},
		{"true", "true", `"true"`},
		{"null", "null", ""},
		{"[a]", "a list", ""},
		{"{a: b}", "a mapping", ""},
		{`"text"`, `"text"`, ""},
	}
	typeName := map[string]string{"5": "a number", "2.5": "a number", "true": "a boolean", "null": "null", "[a]": "a list", "{a: b}": "a mapping", `"text"`: "a string"}
	// want returns the message for value k under a key of the given sort,
	// or "" when k is a valid value for it.
	type sort struct {
		name string
		want func(k kind) string
	}
	str := sort{"string", func(k kind) string {
		switch k.yaml {
		case `"text"`:
			return ""
		case "5", "2.5", "true":
			return fmt.Sprintf("expected a string, got %s (quote it: %s)", typeName[k.yaml], k.quote)
		}
		return "expected a string, got " + typeName[k.yaml]
	}}
	boolean := sort{"boolean", func(k kind) string {
		if k.yaml == "true" {
			return ""
		}
		return "expected a boolean, got " + typeName[k.yaml] + "; write true or false"
	}}
	enum := func(values string) sort {
		return sort{"enum", func(k kind) string {
			return k.shown + " is not one of " + values
		}}
	}
	list := sort{"list", func(k kind) string {
		if k.yaml == "[a]" {
			return ""
		}
		return "expected a list, got " + typeName[k.yaml]
	}}
	perLink := []struct {
		key string
		s   sort
	}{
		{"strategy", enum("relative, absolute")},
		{"replace", enum("never, symlink, file, any")},
		{"backup", boolean},
		{"parents", boolean},
		{"allow_dangling", boolean},
		{"kind", enum("file, dir")},
		{"allow", list},
	}
	for _, k := range kinds {
		t.Run(k.yaml, func(t *testing.T) {
			var cases []errCase
			add := func(name, src, path string, line, col int, msg string) {
				if msg == "" {
					return
				}
				cases = append(cases, errCase{name: name, src: src, want: []string{fmt.Sprintf("links.yaml:%d:%d: %s: %s", line, col, path, msg)}})
			}
			// The value always starts on line 2 or 4, after "KEY: ".
			add("version", "links: {}\nversion: "+k.yaml+"\n", "version", 2, 10, func() string {
				if k.yaml == `"text"` {
					return `"text" is not supported; the only allowed value is 1`
				}
				return k.shown + " is not supported; the only allowed value is 1"
			}())
			add("root", "version: 1\nroot: "+k.yaml+"\nlinks: {}\n", "root", 2, 7, str.want(k))
			add("state_dir", "version: 1\nstate_dir: "+k.yaml+"\nlinks: {}\n", "state_dir", 2, 12, str.want(k))
			add("links", "version: 1\nlinks: "+k.yaml+"\n", "links", 2, 8, func() string {
				if k.yaml == "{a: b}" {
					return ""
				}
				return "expected a mapping, got " + typeName[k.yaml]
			}())
			add("defaults", "version: 1\ndefaults: "+k.yaml+"\nlinks: {}\n", "defaults", 2, 11, func() string {
				if k.yaml == "{a: b}" {
					return ""
				}
				return "expected a mapping, got " + typeName[k.yaml]
			}())
			add("vars", "version: 1\nvars: "+k.yaml+"\nlinks: {}\n", "vars", 2, 7, func() string {
				if k.yaml == "{a: b}" {
					return ""
				}
				return "expected a mapping, got " + typeName[k.yaml]
			}())
			add("a var", "version: 1\nvars:\n  v: "+k.yaml+"\nlinks: {}\n", "vars.v", 3, 6, func() string {
				switch k.yaml {
				case "null", "[a]", "{a: b}":
					return "expected a string or a number or a boolean, got " + typeName[k.yaml]
				}
				return ""
			}())
			add("a link", "version: 1\nlinks:\n  a: "+k.yaml+"\n", "links.a", 3, 6, func() string {
				if k.yaml == "{a: b}" {
					return ""
				}
				return "expected a mapping, got " + typeName[k.yaml]
			}())
			add("dest", "version: 1\nlinks:\n  a:\n    dest: "+k.yaml+"\n    target: y\n", "links.a.dest", 4, 11, str.want(k))
			add("target", "version: 1\nlinks:\n  a:\n    target: "+k.yaml+"\n    dest: x\n", "links.a.target", 4, 13, str.want(k))
			for _, p := range perLink {
				add(p.key, "version: 1\nlinks:\n  a:\n    "+p.key+": "+k.yaml+"\n    dest: x\n    target: y\n",
					"links.a."+p.key, 4, 7+len(p.key), p.s.want(k))
				add("defaults."+p.key, "version: 1\ndefaults:\n  "+p.key+": "+k.yaml+"\nlinks: {a: {dest: x, target: y}}\n",
					"defaults."+p.key, 3, 5+len(p.key), p.s.want(k))
			}
			// allow items must be non-empty strings.
			if k.yaml != "[a]" && k.yaml != `"text"` {
				add("allow item", "version: 1\nlinks:\n  a:\n    dest: x\n    target: y\n    allow: [x, "+k.yaml+"]\n",
					"links.a.allow[1]", 6, 16, str.want(k))
			}
			runErrCases(t, cases)
		})
	}
	runErrCases(t, []errCase{{
		name: "empty strings",
		src:  "version: 1\nroot: \"\"\nstate_dir: ''\nlinks:\n  a: {dest: \"\", target: \"\", allow: [\"\"]}\n",
		want: []string{
			`links.yaml:2:7: root: must not be empty`,
			`links.yaml:3:12: state_dir: must not be empty`,
			`links.yaml:5:13: links.a.dest: must not be empty`,
			`links.yaml:5:25: links.a.target: must not be empty`,
			`links.yaml:5:37: links.a.allow[0]: must not be empty`,
		},
	}, {
		name: "version as a string",
		src:  "version: \"1\"\nlinks: {}\n",
		want: []string{`links.yaml:1:10: version: "1" is a string; write 1 without quotes`},
	}, {
		name: "version 2",
		src:  "version: 2\nlinks: {}\n",
		want: []string{`links.yaml:1:10: version: 2 is not supported; the only allowed value is 1`},
	}, {
		name: "yes is a string in YAML 1.2",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: y, backup: yes, parents: \"true\"}\n",
		want: []string{
			`links.yaml:3:35: links.a.backup: expected a boolean, got a string; write true or false`,
			`links.yaml:3:49: links.a.parents: expected a boolean, got a string; write true or false`,
		},
	}, {
		name: "tagged scalars that are not what the tag says",
		src:  "version: 1\nvars:\n  a: !!int x\n  b: !!float y\nlinks:\n  a: {dest: x, target: y, backup: !!bool yes}\n",
		want: []string{
			`links.yaml:3:6: vars.a: "x" is not a number; write a number, or remove the !!int tag`,
			`links.yaml:4:6: vars.b: "y" is not a number; write a number, or remove the !!float tag`,
			`links.yaml:6:35: links.a.backup: "yes" is not a boolean; write true or false`,
		},
	}, {
		name: "unsupported tags",
		src:  "version: 1\nvars:\n  a: !!binary aGk=\n  b: !custom x\nlinks: !!set {a: {dest: x, target: y}}\n",
		want: []string{
			`links.yaml:3:6: vars.a: unsupported YAML tag !!binary; use plain strings, numbers and booleans`,
			`links.yaml:4:6: vars.b: unsupported YAML tag !custom; use plain strings, numbers and booleans`,
			`links.yaml:5:8: links: unsupported YAML tag !!set; remove it`,
		},
	}, {
		name: "numbers JSON cannot hold",
		src:  "version: .nan\nlinks:\n  a: {dest: x, target: y, backup: !!float nan, parents: .inf, kind: 1e400}\n",
		want: []string{
			`links.yaml:1:10: version: ".nan" is not supported; the only allowed value is 1`,
			`links.yaml:3:35: links.a.backup: expected a boolean, got a string; write true or false`,
			`links.yaml:3:57: links.a.parents: expected a boolean, got a string; write true or false`,
			`links.yaml:3:69: links.a.kind: "1e400" is not one of file, dir`,
		},
	}})
}

func TestVariableErrors(t *testing.T) {
	runErrCases(t, []errCase{{
		name: "unknown variable, none declared",
		src:  "version: 1\nlinks:\n  a: {dest: \"${release}\", target: y}\n",
		want: []string{`links.yaml:3:13: links.a.dest: unknown variable ${release}; declare it under vars:, or write $${ for a literal ${`},
	}, {
		name: "unknown variable",
		src:  "version: 1\nvars: {rel: a, base: b}\nlinks:\n  a: {dest: x, target: \"r/${release}\"}\n",
		want: []string{`links.yaml:4:24: links.a.target: unknown variable ${release}; declare it under vars: (declared: base, rel), or write $${ for a literal ${`},
	}, {
		name: "unset environment variable",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: \"${env:NOPE}/x\"}\n",
		want: []string{`links.yaml:3:24: links.a.target: environment variable NOPE is not set (used as ${env:NOPE}); set it or use a var`},
	}, {
		name: "environment without LookupEnv",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: \"${env:STAGE}\"}\n",
		opt:  func(o *Options) { o.LookupEnv = nil },
		want: []string{`links.yaml:3:24: links.a.target: environment variable STAGE is not set (used as ${env:STAGE}); set it or use a var`},
	}, {
		name: "malformed references",
		src:  "version: 1\nlinks:\n  a: {dest: \"x/${\", target: y}\n  b: {dest: b, target: \"${}\"}\n  c: {dest: c, target: \"${env:}\"}\n  d: {dest: d, target: y, allow: [\"${nope\"]}\n",
		want: []string{
			`links.yaml:3:13: links.a.dest: unclosed ${ in "x/${"; close it with } or write $${ for a literal ${`,
			`links.yaml:4:24: links.b.target: empty variable reference ${}; write ${name}, or $${ for a literal ${`,
			`links.yaml:5:24: links.c.target: empty environment variable name in ${env:}; write ${env:NAME}`,
			`links.yaml:6:35: links.d.allow[0]: unclosed ${ in "${nope"; close it with } or write $${ for a literal ${`,
		},
	}, {
		name: "variables in root",
		src:  "version: 1\nroot: \"${nope}\"\nlinks: {}\n",
		want: []string{`links.yaml:2:7: root: unknown variable ${nope}; declare it under vars:, or write $${ for a literal ${`},
	}, {
		name: "--var of an undeclared variable",
		src:  "version: 1\nvars: {release: a}\nlinks:\n  a: {dest: x, target: y}\n",
		opt:  func(o *Options) { o.Vars = map[string]string{"relase": "b", "zzz": "c", "release": "d"} },
		want: []string{
			`links.yaml: --var relase: no variable "relase" is declared under vars:; declare it with a default, or check the spelling`,
			`links.yaml: --var zzz: no variable "zzz" is declared under vars:; declare it with a default, or check the spelling`,
		},
	}, {
		name: "--var with no vars at all, and a placed error",
		src:  "version: 1\nlinks:\n  a: {dest: x, target: 1}\n",
		opt:  func(o *Options) { o.Vars = map[string]string{"v": "b"} },
		want: []string{
			`links.yaml: --var v: no variable "v" is declared under vars:; declare it with a default, or check the spelling`,
			`links.yaml:3:24: links.a.target: expected a string, got a number (quote it: "1")`,
		},
	}, {
		name: "a bad var is reported once, not at each use",
		src:  "version: 1\nvars:\n  rel: [a]\nlinks:\n  a: {dest: \"${rel}\", target: \"${rel}\"}\n",
		opt:  func(o *Options) { o.Vars = map[string]string{"rel": "b"} },
		want: []string{`links.yaml:3:8: vars.rel: expected a string or a number or a boolean, got a list`},
	}, {
		name: "bad vars are reported once, not at each use",
		src:  "version: 1\nvars: [a]\nlinks:\n  a: {dest: \"${rel}\", target: y}\n",
		want: []string{`links.yaml:2:7: vars: expected a mapping, got a list`},
	}})
}

func TestRootErrors(t *testing.T) {
	skipOnWindows(t)
	runErrCases(t, []errCase{{
		name: "~ without a home folder",
		src:  "version: 1\nroot: ~/dots\nlinks:\n  a: {dest: /home/u/dots/x, target: y}\n  b: {dest: ../x, target: y}\n",
		opt:  func(o *Options) { o.Home = "" },
		want: []string{
			`links.yaml:2:7: root: root "~/dots" uses ~ but the home folder is unknown; set HOME or write the path out`,
			`links.yaml:5:13: links.b.dest: dest "../x" leaves root through ..; use a path under root /w`,
		},
	}, {
		name: "~user",
		src:  "version: 1\nroot: ~bob/dots\nlinks: {}\n",
		want: []string{`links.yaml:2:7: root: root "~bob/dots": ~user is not supported; write the path out`},
	}, {
		name: "NUL in root",
		src:  "version: 1\nroot: \"a\\0b\"\nlinks: {}\n",
		want: []string{`links.yaml:2:7: root: root contains a NUL byte; remove it`},
	}, {
		name: "state_dir outside root",
		src:  "version: 1\nstate_dir: ../state\nlinks: {}\n",
		want: []string{`links.yaml:2:12: state_dir: state_dir "../state" leaves root through ..; use a path under root /w`},
	}, {
		name: "absolute state_dir outside root",
		src:  "version: 1\nstate_dir: /var/lib/links\nlinks: {}\n",
		want: []string{`links.yaml:2:12: state_dir: state_dir "/var/lib/links" is outside root /w; use a path under root`},
	}, {
		name: "state_dir is root",
		src:  "version: 1\nstate_dir: sub/..\nlinks: {}\n",
		want: []string{`links.yaml:2:12: state_dir: state_dir must be a folder under root, not root itself; the default is .links`},
	}})
}

func TestDestErrors(t *testing.T) {
	skipOnWindows(t)
	runErrCases(t, []errCase{{
		name: "dest escaping root",
		src:  "version: 1\nlinks:\n  a: {dest: ../x, target: y}\n  b: {dest: a/../../x, target: y}\n  c: {dest: .., target: y}\n",
		want: []string{
			`links.yaml:3:13: links.a.dest: dest "../x" leaves root through ..; use a path under root /w`,
			`links.yaml:4:13: links.b.dest: dest "a/../../x" leaves root through ..; use a path under root /w`,
			`links.yaml:5:13: links.c.dest: dest ".." leaves root through ..; use a path under root /w`,
		},
	}, {
		name: "absolute dest outside root",
		src:  "version: 1\nroot: /srv/app\nlinks:\n  a: {dest: /etc/passwd, target: y}\n  b: {dest: /srv/app/../other/x, target: y}\n  c: {dest: /srv/application, target: y}\n",
		want: []string{
			`links.yaml:4:13: links.a.dest: dest "/etc/passwd" is outside root /srv/app; use a path under root`,
			`links.yaml:5:13: links.b.dest: dest "/srv/app/../other/x" is outside root /srv/app; use a path under root`,
			`links.yaml:6:13: links.c.dest: dest "/srv/application" is outside root /srv/app; use a path under root`,
		},
	}, {
		name: "a variable makes dest escape",
		src:  "version: 1\nvars: {base: ../..}\nlinks:\n  a: {dest: \"${base}/etc/x\", target: y}\n  b: {dest: \"${env:STAGE}/x\", target: y}\n",
		opt:  func(o *Options) { o.Vars = map[string]string{"base": "/etc"} },
		want: []string{
			`links.yaml:4:13: links.a.dest: dest "${base}/etc/x" ("/etc/etc/x" after expansion) is outside root /w; use a path under root`,
		},
	}, {
		name: "dest is root",
		src:  "version: 1\nlinks:\n  a: {dest: ., target: y}\n  b: {dest: /w/, target: y}\n  c: {dest: \"${empty}\", target: y}\nvars: {empty: \"\"}\n",
		want: []string{
			`links.yaml:3:13: links.a.dest: dest "." is root itself; a link must live under root`,
			`links.yaml:4:13: links.b.dest: dest "/w/" is root itself; a link must live under root`,
			`links.yaml:5:13: links.c.dest: dest "${empty}" is root itself; a link must live under root`,
		},
	}, {
		name: "dest in state_dir",
		src:  "version: 1\nlinks:\n  a: {dest: .links, target: y}\n  b: {dest: .links/lock, target: y}\n  c: {dest: ./.links/x/../y, target: y}\n  d: {dest: .linksx, target: y}\n",
		want: []string{
			`links.yaml:3:13: links.a.dest: dest ".links" is inside state_dir ".links", where links keeps its own state; choose another dest`,
			`links.yaml:4:13: links.b.dest: dest ".links/lock" is inside state_dir ".links", where links keeps its own state; choose another dest`,
			`links.yaml:5:13: links.c.dest: dest ".links/y" is inside state_dir ".links", where links keeps its own state; choose another dest`,
		},
	}, {
		name: "dest holding state_dir",
		src:  "version: 1\nstate_dir: var/links\nlinks:\n  a: {dest: var, target: y}\n  b: {dest: var/links/x, target: y}\n  c: {dest: .links, target: y}\n",
		want: []string{
			`links.yaml:4:13: links.a.dest: dest "var" is a folder holding state_dir "var/links", where links keeps its own state; choose another dest`,
			`links.yaml:5:13: links.b.dest: dest "var/links/x" is inside state_dir "var/links", where links keeps its own state; choose another dest`,
		},
	}, {
		name: "dest is the manifest",
		src:  "version: 1\nlinks:\n  a: {dest: links.yaml, target: y}\n  b: {dest: /w/links.yaml, target: y}\n",
		want: []string{
			`links.yaml:3:13: links.a.dest: dest "links.yaml" is the manifest file itself; choose another dest`,
			`links.yaml:4:13: links.b.dest: dest "links.yaml" is the manifest file itself; choose another dest`,
		},
	}, {
		name: "dest holding the manifest",
		src:  "version: 1\nroot: ..\nlinks:\n  a: {dest: w, target: y}\n",
		want: []string{`links.yaml:4:13: links.a.dest: dest "w" is a folder holding the manifest file; choose another dest`},
	}, {
		name: "target is its own dest",
		src:  "version: 1\nlinks:\n  a: {dest: x/y, target: x/y}\n  b: {dest: p, target: ./p/}\n  c: {dest: q, target: /w/q}\n  d: {dest: /w/r, target: r}\n",
		want: []string{
			`links.yaml:3:26: links.a.target: target "x/y" is the link's own dest, which would be a loop; point it elsewhere`,
			`links.yaml:4:24: links.b.target: target "./p/" is the link's own dest, which would be a loop; point it elsewhere`,
			`links.yaml:5:24: links.c.target: target "/w/q" is the link's own dest, which would be a loop; point it elsewhere`,
			`links.yaml:6:27: links.d.target: target "r" is the link's own dest, which would be a loop; point it elsewhere`,
		},
	}, {
		name: "two links with one dest",
		src:  "version: 1\nlinks:\n  zeta: {dest: x, target: y}\n  alpha: {dest: ./x, target: z}\n  app.conf: {dest: /w/x, target: z}\n",
		want: []string{
			`links.yaml:4:17: links.alpha.dest: dest "x" is also declared by links.zeta (line 3); each dest may have only one link`,
			`links.yaml:5:20: links["app.conf"].dest: dest "x" is also declared by links.zeta (line 3); each dest may have only one link`,
		},
	}, {
		name: "NUL in paths",
		src:  "version: 1\nlinks:\n  a: {dest: \"a\\0b\", target: y}\n  b: {dest: b, target: \"y\\0\"}\n  c: {dest: \"${v}\", target: y}\nvars: {v: \"\\0\"}\n",
		want: []string{
			`links.yaml:3:13: links.a.dest: dest "a\x00b" contains a NUL byte; remove it`,
			`links.yaml:4:24: links.b.target: target contains a NUL byte; remove it`,
			`links.yaml:5:13: links.c.dest: dest "${v}" ("\x00" after expansion) contains a NUL byte; remove it`,
		},
	}, {
		name: "bad globs",
		src:  "version: 1\ndefaults:\n  allow: [\"[\"]\nlinks:\n  a: {dest: a, target: y, allow: [\"ok/*\", \"x[a-\", '\\']}\n  b: {dest: b, target: y}\n",
		want: []string{
			`links.yaml:3:11: defaults.allow[0]: invalid glob "[": syntax error in pattern; globs use path.Match syntax: * ? [a-z] and \ to escape`,
			`links.yaml:5:43: links.a.allow[1]: invalid glob "x[a-": syntax error in pattern; globs use path.Match syntax: * ? [a-z] and \ to escape`,
			`links.yaml:5:51: links.a.allow[2]: invalid glob "\\": syntax error in pattern; globs use path.Match syntax: * ? [a-z] and \ to escape`,
		},
	}})
}

// TestEveryErrorReported checks that one document with many problems of
// different kinds reports all of them, sorted by line and column.
func TestEveryErrorReported(t *testing.T) {
	skipOnWindows(t)
	src := `version: 1
zzz: 1
vars:
  rel: "1"
defaults:
  strategy: sideways
links:
  e: {dest: ../e, target: y}
  d: {dest: d, target: "${nope}"}
  c: {dest: c, target: y, bogus: 1}
  b: {dest: b, target: y, backup: maybe, kind: folder}
  a: {dest: b, target: y}
  "bad name": {dest: f, target: y}
  ok: {dest: ok, target: y}
`
	got := parseErrors(t, src, func(o *Options) { o.Vars = map[string]string{"nope": "x"} })
	want := []string{
		`links.yaml: --var nope: no variable "nope" is declared under vars:; declare it with a default, or check the spelling`,
		`links.yaml:2:1: zzz: unknown key "zzz"; allowed keys: defaults, links, root, state_dir, vars, version`,
		`links.yaml:6:13: defaults.strategy: "sideways" is not one of relative, absolute`,
		`links.yaml:8:13: links.e.dest: dest "../e" leaves root through ..; use a path under root /w`,
		`links.yaml:9:24: links.d.target: unknown variable ${nope}; declare it under vars: (declared: rel), or write $${ for a literal ${`,
		`links.yaml:10:27: links.c.bogus: unknown key "bogus"; allowed keys: allow, allow_dangling, backup, dest, dotfiles, exclude, fold, include, kind, parents, replace, strategy, target, tree`,
		`links.yaml:11:35: links.b.backup: expected a boolean, got a string; write true or false`,
		`links.yaml:11:48: links.b.kind: "folder" is not one of file, dir`,
		`links.yaml:12:13: links.a.dest: dest "b" is also declared by links.b (line 11); each dest may have only one link`,
		`links.yaml:13:3: links["bad name"]: invalid name "bad name": use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestAliasBombs checks that documents which expand exponentially fail
// fast, with one error, having converted no more nodes than the budget.
func TestAliasBombs(t *testing.T) {
	laughs := `version: 1
links: {}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
	// A wide bomb: one big anchor used many times (after yaml.v3's own
	// limit test), about 100 KB expanding to 2.5 million nodes.
	wide := "{a: &a [{a}" + strings.Repeat(",{a}", 25_000) + "], b: &b [*a" + strings.Repeat(",*a", 99) + "]}"
	cases := []struct {
		name, src string
		want      []string
	}{
		{"billion laughs", laughs, []string{`links.yaml:6:14: d[2]: aliases expand this document far beyond its own size; write the values out instead of using anchors and aliases`}},
		{"wide", wide, []string{fmt.Sprintf(`links.yaml:1:%d: b[3]: aliases expand this document far beyond its own size; write the values out instead of using anchors and aliases`, strings.Index(wide, "*a,*a")+1+3*3)}},
		{"long string", "version: 1\nlinks: {}\ns: &s \"" + strings.Repeat("x", 100_000) + "\"\nl: [" + strings.Repeat("*s, ", 10) + "]\n",
			[]string{`links.yaml:4:13: l[2]: aliases expand this document far beyond its own size; write the values out instead of using anchors and aliases`}},
		{"cycle", "version: 1\nlinks: {}\na: &a [x, *a]\n", []string{`links.yaml:3:11: a[1]: alias *a is used inside its own anchor &a, which would never end; write the value out`}},
		{"mapping cycle", "version: 1\nlinks: &l {a: {dest: x, target: y, allow: *l}}\n", []string{`links.yaml:2:43: links.a.allow: alias *l is used inside its own anchor &l, which would never end; write the value out`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// No timer here (shared, noisy machines): the conversion budget
			// is checked deterministically in the tests of convert.
			got := parseErrors(t, c.src, nil)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			d := convertOnly(t, c.src)
			if d.cost > budget(len(c.src))+maxCost(c.src) {
				t.Errorf("converted %d from %d bytes", d.cost, len(c.src))
			}
		})
	}
}

// convertOnly runs the YAML stage of Parse and returns the document.
func convertOnly(t *testing.T, src string) *document {
	t.Helper()
	root, errs := parseYAML(testFile, []byte(src))
	if errs != nil {
		t.Fatalf("parseYAML: %v", errs)
	}
	d := &document{file: testFile, data: []byte(src), root: root}
	c := &converter{d: d, budget: budget(len(src))}
	d.value, _ = c.convert(root)
	d.cost = c.cost
	return d
}

// maxCost is the most one conversion step can add: a node with the longest
// scalar or key in src (the budget is checked after each step).
func maxCost(src string) int { return 1 + 3*len(src) }

// TestAliases checks that legitimate anchors and aliases work, including
// as keys and as var values (which are taken as written).
func TestAliases(t *testing.T) {
	skipOnWindows(t)
	src := `version: 1
vars:
  rel: &r "2026"
  again: *r
x-common: &common {strategy: absolute, replace: any}
links:
  a: &a {dest: a, target: "t/${again}", strategy: absolute}
  b: {dest: b, target: *r}
  *r : {dest: c, target: y}
`
	// x-common is an unknown key: remove it and check the rest parses.
	_ = parseErrors(t, src, nil)
	src = strings.Replace(src, "x-common: &common {strategy: absolute, replace: any}\n", "", 1)
	m, err := Parse(testFile, []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := &Manifest{
		File: testFile,
		Path: "/w/links.yaml", Root: testDir, StateDir: ".links",
		Vars: map[string]string{"rel": "2026", "again": "2026"},
		Links: []Link{
			{Name: "a", Dest: "a", Target: "t/2026", Strategy: Absolute, Replace: ReplaceSymlink, Backup: true, Parents: true, Pos: Pos{6, 3}},
			{Name: "b", Dest: "b", Target: "2026", Strategy: Relative, Replace: ReplaceSymlink, Backup: true, Parents: true, Pos: Pos{7, 3}},
			{Name: "2026", Dest: "c", Target: "y", Strategy: Relative, Replace: ReplaceSymlink, Backup: true, Parents: true, Pos: Pos{8, 3}},
		},
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
}

// link returns a Link with the defaults of a link that sets only dest and
// target.
func link(name, dest, target string, line, col int) Link {
	return Link{Name: name, Dest: dest, Target: target, Strategy: Relative, Replace: ReplaceSymlink, Backup: true, Parents: true, Pos: Pos{line, col}}
}

func mustParse(t *testing.T, src string, opt func(*Options)) *Manifest {
	t.Helper()
	o := testOptions()
	if opt != nil {
		opt(&o)
	}
	m, err := Parse(testFile, []byte(src), o)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkManifest(t, m)
	return m
}

// checkManifest checks the invariants of every parsed manifest.
func checkManifest(t testing.TB, m *Manifest) {
	t.Helper()
	seen := map[string]bool{}
	for i, l := range m.Links {
		if l.Dest == "" || l.Dest == "." || l.Dest == ".." || strings.HasPrefix(l.Dest, "../") || strings.HasPrefix(l.Dest, "/") {
			t.Errorf("link %s: dest %q is not under root", l.Name, l.Dest)
		}
		if clean := path.Clean(l.Dest); clean != l.Dest {
			t.Errorf("link %s: dest %q is not clean (%q)", l.Name, l.Dest, clean)
		}
		if seen[l.Dest] {
			t.Errorf("dest %q appears twice", l.Dest)
		}
		seen[l.Dest] = true
		if i > 0 && m.Links[i-1].Dest >= l.Dest {
			t.Errorf("links not sorted by dest: %q then %q", m.Links[i-1].Dest, l.Dest)
		}
		if l.Pos.Line < 1 || l.Pos.Col < 1 {
			t.Errorf("link %s has no position", l.Name)
		}
		if !NamePattern.MatchString(l.Name) {
			t.Errorf("link name %q does not match the pattern", l.Name)
		}
		if l.Dest == m.StateDir || strings.HasPrefix(l.Dest, m.StateDir+"/") {
			t.Errorf("link %s: dest %q inside state_dir", l.Name, l.Dest)
		}
	}
	// On Windows the tests' Dir ("/w") has no volume: the root is then
	// rooted on the current drive (\w), which is as absolute as it gets.
	rooted := filepath.IsAbs(m.Root) || (filepath.VolumeName(m.Root) == "" && m.Root != "" && os.IsPathSeparator(m.Root[0]))
	if !rooted || filepath.Clean(m.Root) != m.Root {
		t.Errorf("root %q is not absolute and clean", m.Root)
	}
	if m.StateDir == "" || m.StateDir == "." || path.Clean(m.StateDir) != m.StateDir || strings.HasPrefix(m.StateDir, "../") || m.StateDir == ".." {
		t.Errorf("state_dir %q is not a clean folder under root", m.StateDir)
	}
}

func TestParseFull(t *testing.T) {
	skipOnWindows(t)
	src := `# yaml-language-server: $schema=./links.schema.json
version: 1                 # required
root: .
state_dir: .links
defaults:
  strategy: relative
  replace: symlink
vars:
  release: "2026-02-07_1200"
links:
  current_model:
    dest: models/current
    target: models/2026-02-01
  live:
    dest: current
    target: releases/${release}
    allow: ["releases/*"]
  app_config:
    dest: app/config/current.yaml
    target: shared/configs/prod.yaml
    replace: file
`
	m := mustParse(t, src, nil)
	want := &Manifest{
		File:     testFile,
		Path:     "/w/links.yaml",
		Root:     "/w",
		StateDir: ".links",
		Vars:     map[string]string{"release": "2026-02-07_1200"},
		Links: []Link{
			{Name: "app_config", Dest: "app/config/current.yaml", Target: "shared/configs/prod.yaml", Strategy: Relative, Replace: ReplaceFile, Backup: true, Parents: true, Pos: Pos{18, 3}},
			{Name: "live", Dest: "current", Target: "releases/2026-02-07_1200", Strategy: Relative, Replace: ReplaceSymlink, Backup: true, Parents: true, Allow: []string{"releases/*"}, Pos: Pos{14, 3}},
			{Name: "current_model", Dest: "models/current", Target: "models/2026-02-01", Strategy: Relative, Replace: ReplaceSymlink, Backup: true, Parents: true, Pos: Pos{11, 3}},
		},
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}

	// The same with --var and the release from the environment.
	m = mustParse(t, strings.Replace(src, "releases/${release}", "releases/${release}-${env:STAGE}", 1), func(o *Options) {
		o.Vars = map[string]string{"release": "2026-03-01_0900"}
	})
	if got := m.Links[1].Target; got != "releases/2026-03-01_0900-prod" {
		t.Errorf("target with --var and env = %q", got)
	}
	if got := m.Vars["release"]; got != "2026-03-01_0900" {
		t.Errorf("Vars[release] = %q, want the --var value", got)
	}
}

func TestParseMinimal(t *testing.T) {
	skipOnWindows(t)
	for _, src := range []string{
		"version: 1\nlinks: {}\n",
		"version: 1\nlinks:\n",
		"version: 1.0\nlinks: {}\n",
		"{version: 1, links: {}}",
		"---\nversion: 1\nlinks: {}\n...\n",
	} {
		m, err := Parse(testFile, []byte(src), testOptions())
		if src == "version: 1\nlinks:\n" {
			// links: with nothing is null, not an empty mapping.
			if err == nil || !strings.Contains(err.Error(), "links: expected a mapping, got null") {
				t.Errorf("%q: err = %v", src, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		want := &Manifest{File: testFile, Path: "/w/links.yaml", Root: "/w", StateDir: ".links", Vars: map[string]string{}, Links: []Link{}}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("%q (-want +got):\n%s", src, diff)
		}
	}
}

// TestEncodings checks that a BOM, CRLF line ends and CR line ends parse
// like the plain document, positions included.
func TestEncodings(t *testing.T) {
	skipOnWindows(t)
	plain := "version: 1\nlinks:\n  a: {dest: x, target: y}\n  b:\n    dest: z\n    target: y\n"
	want := mustParse(t, plain, nil)
	for name, src := range map[string]string{
		"BOM":       "\ufeff" + plain,
		"CRLF":      strings.ReplaceAll(plain, "\n", "\r\n"),
		"BOM+CRLF":  "\ufeff" + strings.ReplaceAll(plain, "\n", "\r\n"),
		"CR":        strings.ReplaceAll(plain, "\n", "\r"),
		"no EOL":    strings.TrimSuffix(plain, "\n"),
		"UTF-16 LE": utf16le("\ufeff" + plain),
	} {
		t.Run(name, func(t *testing.T) {
			m := mustParse(t, src, nil)
			if diff := cmp.Diff(want, m); diff != "" {
				t.Errorf("(-plain +%s):\n%s", name, diff)
			}
		})
	}
	// And errors keep their positions.
	bad := "version: 1\nlinks:\n  a: {dest: x, target: 5}\n"
	wantErr := []string{`links.yaml:3:24: links.a.target: expected a string, got a number (quote it: "5")`}
	for name, src := range map[string]string{
		"BOM":  "\ufeff" + bad,
		"CRLF": strings.ReplaceAll(bad, "\n", "\r\n"),
	} {
		if diff := cmp.Diff(wantErr, parseErrors(t, src, nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func utf16le(s string) string {
	var b []byte
	for _, r := range s {
		if r > 0xFFFF {
			panic("not in the BMP")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

// TestPaths checks the paths that are accepted, and how they are made
// relative and clean.
func TestPaths(t *testing.T) {
	skipOnWindows(t)
	long := strings.Repeat("n", NameMax) // the longest name the kernel takes
	src := `version: 1
root: /srv/app/
state_dir: /srv/app/var/state/
links:
  abs: {dest: /srv/app/bin/tool, target: /opt/tool/bin/tool}
  dots: {dest: ./a/./b/../c/, target: ../../outside//x/}
  spaces: {dest: "my dir/my link", target: " lead and trail "}
  newline: {dest: "line\nbreak", target: "t\r\n"}
  unicode: {dest: "ünï/☃/日本", target: "😀"}
  dollar: {dest: "$HOME/x", target: "$${literal}/$x/${env:EMPTY}"}
  backslash: {dest: 'a\b', target: 'c:\d'}
  ? ` + long + `
  : {dest: ` + long + `/` + long + `, target: ` + long + `}
  tilde: {dest: "~/x", target: "~"}
`
	m := mustParse(t, src, nil)
	want := &Manifest{
		File: testFile,
		Path: "/w/links.yaml", Root: "/srv/app", StateDir: "var/state", Vars: map[string]string{},
		Links: []Link{
			link("dollar", "$HOME/x", "${literal}/$x", 10, 3),
			link("dots", "a/c", "../../outside/x", 6, 3),
			link("backslash", `a\b`, `c:\d`, 11, 3),
			link("abs", "bin/tool", "/opt/tool/bin/tool", 5, 3),
			link("newline", "line\nbreak", "t\r\n", 8, 3),
			link("spaces", "my dir/my link", " lead and trail ", 7, 3),
			link(long, long+"/"+long, long, 12, 5),
			link("tilde", "~/x", "~", 14, 3),
			link("unicode", "ünï/☃/日本", "😀", 9, 3),
		},
	}
	want.Links[3].TargetAbsolute = true
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
}

func TestRoot(t *testing.T) {
	skipOnWindows(t)
	for _, c := range []struct {
		root string
		want string
	}{
		{"", "/w"},
		{"root: .", "/w"},
		{"root: sub/dir/", "/w/sub/dir"},
		{"root: ..", "/"},
		{"root: ../other", "/other"},
		{"root: /abs//path/.", "/abs/path"},
		{"root: \"~\"", "/home/u"},
		{"root: ~/dots", "/home/u/dots"},
		{"root: ~/", "/home/u"},
		{"root: ${env:STAGE}/x", "/w/prod/x"},
		{"root: /srv/${base}", "/srv/b"},
	} {
		src := "version: 1\nvars: {base: b}\n" + c.root + "\nlinks: {}\n"
		m := mustParse(t, src, nil)
		if m.Root != c.want {
			t.Errorf("%q: root = %q, want %q", c.root, m.Root, c.want)
		}
	}
	// A bare ~ is null in YAML, not the home folder.
	runErrCases(t, []errCase{{
		name: "bare ~",
		src:  "version: 1\nroot: ~\nstate_dir: ~\nlinks: {}\n",
		want: []string{
			`links.yaml:2:7: root: expected a string, got null; a bare ~ is null in YAML: write "~"`,
			`links.yaml:3:12: state_dir: expected a string, got null; a bare ~ is null in YAML: write "~"`,
		},
	}})
}

func TestDefaults(t *testing.T) {
	skipOnWindows(t)
	src := `version: 1
defaults:
  strategy: absolute
  replace: any
  backup: false
  parents: false
  allow_dangling: true
  kind: dir
  allow: ["*", "x/*"]
links:
  inherits: {dest: a, target: b}
  overrides:
    dest: c
    target: d
    strategy: relative
    replace: never
    backup: true
    parents: true
    allow_dangling: false
    kind: file
    allow: []
`
	m := mustParse(t, src, nil)
	want := []Link{
		{Name: "inherits", Dest: "a", Target: "b", Strategy: Absolute, Replace: ReplaceAny, Backup: false, Parents: false, AllowDangling: true, Kind: KindDir, Allow: []string{"*", "x/*"}, Pos: Pos{11, 3}},
		{Name: "overrides", Dest: "c", Target: "d", Strategy: Relative, Replace: ReplaceNever, Backup: true, Parents: true, AllowDangling: false, Kind: KindFile, Pos: Pos{12, 3}},
	}
	if diff := cmp.Diff(want, m.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

// TestVarsAsWritten checks that numbers and booleans in vars keep the text
// they are written with.
func TestVarsAsWritten(t *testing.T) {
	skipOnWindows(t)
	src := `version: 1
vars:
  hex: 0x1F
  oct: 0o17
  octal: 0777
  under: 1_000
  float: 1.50
  exp: 1e3
  big: 99999999999999999999
  huge: 1e400
  neg: -0
  plus: +12
  bool: True
  date: 2026-02-07
  plain: hello
  quoted: "0x1F"
  block: |
    two
    lines
links:
  a: {dest: "${hex}-${oct}-${octal}-${under}-${float}-${exp}-${big}-${huge}-${neg}-${plus}-${bool}-${date}", target: y}
`
	m := mustParse(t, src, nil)
	wantVars := map[string]string{
		"hex": "0x1F", "oct": "0o17", "octal": "0777", "under": "1_000", "float": "1.50", "exp": "1e3",
		"big": "99999999999999999999", "huge": "1e400", "neg": "-0", "plus": "+12", "bool": "True",
		"date": "2026-02-07", "plain": "hello", "quoted": "0x1F", "block": "two\nlines\n",
	}
	if diff := cmp.Diff(wantVars, m.Vars); diff != "" {
		t.Errorf("vars (-want +got):\n%s", diff)
	}
	if got, want := m.Links[0].Dest, "0x1F-0o17-0777-1_000-1.50-1e3-99999999999999999999-1e400--0-+12-True-2026-02-07"; got != want {
		t.Errorf("dest = %q, want %q", got, want)
	}
}

// TestDateKeys checks that an unquoted date works as a name, as it does as
// a value.
func TestDateKeys(t *testing.T) {
	skipOnWindows(t)
	m := mustParse(t, "version: 1\nlinks:\n  2026-02-07: {dest: x, target: y}\n", nil)
	if diff := cmp.Diff([]Link{link("2026-02-07", "x", "y", 3, 3)}, m.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

func TestLoad(t *testing.T) {
	skipOnWindows(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "links.yaml")
	if err := os.WriteFile(file, []byte("version: 1\nlinks:\n  a: {dest: links.yaml, target: y}\n  b: {dest: x, target: y}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(file, Options{Display: "links.yaml"})
	want := `links.yaml:3:13: links.a.dest: dest "links.yaml" is the manifest file itself; choose another dest`
	if err == nil || err.Error() != want {
		t.Errorf("Load: err = %v, want %s", err, want)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"), Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
	if err := os.WriteFile(file, []byte("version: 1\nlinks:\n  b: {dest: x, target: y}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Root != dir || m.File != file || len(m.Links) != 1 {
		t.Errorf("Load: %+v", m)
	}
}

func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{File: "f.yaml", Line: 3, Col: 7, Path: "links.a", Msg: "bad"}, "f.yaml:3:7: links.a: bad"},
		{Error{File: "f.yaml", Line: 3, Col: 7, Msg: "bad"}, "f.yaml:3:7: bad"},
		{Error{File: "f.yaml", Msg: "--var x: bad"}, "f.yaml: --var x: bad"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
}

func TestDottedPaths(t *testing.T) {
	for _, c := range []struct {
		segs []string
		want string
	}{
		{nil, ""},
		{[]string{"links", "a", "dest"}, "links.a.dest"},
		{[]string{"links", "app.conf", "dest"}, `links["app.conf"].dest`},
		{[]string{"links", "a", "allow", "[0]"}, "links.a.allow[0]"},
		{[]string{"x y"}, `["x y"]`},
		{append([]string{"a"}, strings.Split(strings.Repeat("[0],", 100)+"z", ",")...), "a" + strings.Repeat("[0]", 11) + "…" + strings.Repeat("[0]", 11) + ".z"},
	} {
		if got := dotted(c.segs); got != c.want {
			t.Errorf("dotted(%q) = %q, want %q", c.segs, got, c.want)
		}
	}
}

// TestDeepNesting checks documents nested as deep as yaml.v3 allows: they
// parse (to an error about the unknown key), quickly, with a short path.
func TestDeepNesting(t *testing.T) {
	const depth = 9990
	for name, src := range map[string]string{
		"lists":    "version: 1\nlinks: {}\nx: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n",
		"mappings": "version: 1\nlinks: {}\nx: " + strings.Repeat("{a: ", depth) + "1" + strings.Repeat("}", depth) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			got := parseErrors(t, src, nil)
			want := []string{`links.yaml:3:1: x: unknown key "x"; allowed keys: defaults, links, root, state_dir, vars, version`}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// A problem at the bottom shows a shortened path.
	src := "version: 1\nlinks: {}\nx: " + strings.Repeat("[", depth) + "1: 2" + strings.Repeat("]", depth) + "\n"
	got := parseErrors(t, src, nil)
	want := []string{
		`links.yaml:3:1: x: unknown key "x"; allowed keys: defaults, links, root, state_dir, vars, version`,
		"links.yaml:3:9994: x" + strings.Repeat("[0]", 11) + "…" + strings.Repeat("[0]", 12) + `: key 1 is a number, not a string; quote it: "1"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPositionHelpers(t *testing.T) {
	data := []byte("a\r\nb\rc\nd\u0085e\u2028f\u2029ü☃x")
	for _, c := range []struct{ off, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {5, 3, 1}, {7, 4, 1}, {10, 5, 1}, {14, 6, 1}, {18, 7, 1}, {20, 7, 2}, {23, 7, 3},
	} {
		if l, col := position(data, c.off); l != c.line || col != c.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
	}
	want := []string{"a", "b", "c", "d", "e", "f", "ü☃x"}
	if diff := cmp.Diff(want, splitLines(data)); diff != "" {
		t.Errorf("splitLines (-want +got):\n%s", diff)
	}
}

// TestVariableBombs checks that variables cannot blow a small manifest up:
// a long value used many times stops at the expansion budget, with one
// error.
func TestVariableBombs(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	var b strings.Builder
	b.WriteString("version: 1\nvars: {v: " + long + "}\nlinks:\n")
	for i := range 30 {
		fmt.Fprintf(&b, "  l%d: {dest: \"d%d/${v}\", target: \"${v}${v}${v}\"}\n", i, i)
	}
	src := b.String()
	got := parseErrors(t, src, nil)
	// Until the budget runs out, each expanded path is too long for the
	// kernel; then expansion stops.
	want := fmt.Sprintf(`links.yaml:7:33: links.l3.target: variables expand this manifest to more than %d bytes; use fewer or shorter variables`, expandBudget(len(src)))
	if !slices.Contains(got, want) {
		t.Errorf("no budget error %q in:\n%s", want, strings.Join(got, "\n"))
	}
	for _, e := range got {
		if e != want && !strings.Contains(e, "(NAME_MAX)") {
			t.Errorf("unexpected error %q", e)
		}
	}
	if len(got) > 10 {
		t.Errorf("%d errors; expansion did not stop at the budget", len(got))
	}
}

// TestErrorSize checks that the text of the errors grows with the manifest,
// not with its square: what an error repeats from elsewhere (declared
// variables, root, state_dir, other links' names, paths) is shortened.
func TestErrorSize(t *testing.T) {
	long := strings.Repeat("r", 5000)
	var b strings.Builder
	b.WriteString("version: 1\nroot: /" + long + "\nstate_dir: " + long + "\nvars:\n")
	for i := range 200 {
		fmt.Fprintf(&b, "  v%d%s: x\n", i, long[:100])
	}
	b.WriteString("links:\n  ? " + long + "\n  : {dest: same, target: y}\n")
	for i := range 200 {
		fmt.Fprintf(&b, "  a%d: {dest: same, target: y}\n", i)             // duplicate dest
		fmt.Fprintf(&b, "  b%d: {dest: ../x, target: y}\n", i)             // leaves root
		fmt.Fprintf(&b, "  c%d: {dest: %s/x, target: y}\n", i, long)       // inside state_dir
		fmt.Fprintf(&b, "  d%d: {dest: d%d, target: \"${nope}\"}\n", i, i) // unknown variable
	}
	src := b.String()
	got := strings.Join(parseErrors(t, src, nil), "\n")
	// 800, and root's and state_dir's 5000-byte names (NAME_MAX).
	if n := strings.Count(got, "\n") + 1; n != 802 {
		t.Errorf("%d errors, want 802", n)
	}
	if len(got) > 2*len(src) {
		t.Errorf("%d bytes of errors from a %d-byte manifest", len(got), len(src))
	}
}

func TestBrief(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"short":                  "short",
		strings.Repeat("a", 70):  strings.Repeat("a", 70),
		strings.Repeat("a", 71):  strings.Repeat("a", 30) + "…" + strings.Repeat("a", 30),
		strings.Repeat("ü", 100): strings.Repeat("ü", 30) + "…" + strings.Repeat("ü", 30),
		strings.Repeat("ü", 36):  strings.Repeat("ü", 36),
	} {
		if got := brief(in); got != want {
			t.Errorf("brief(%q) = %q, want %q", in, got, want)
		}
	}
}
