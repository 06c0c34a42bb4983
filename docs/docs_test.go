// Package docs_test keeps docs/manifest.md in step with the schema and the
// loader: every key the schema declares is documented, every complete
// manifest shown in the page loads, and every error shown after one is the
// error links reports for it.
package docs_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/linksdev/links/manifest"
)

const page = "manifest.md"

// update rewrites the errors shown in manifest.md to what links reports:
// go test ./docs -update, then review the diff.
var update = flag.Bool("update", false, "rewrite the errors shown in "+page+" to what links reports")

func readPage(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// schemaDoc is the part of the JSON Schema the test reads.
type schemaDoc struct {
	Properties map[string]struct {
		Properties map[string]json.RawMessage `json:"properties"`
	} `json:"properties"`
	Defs map[string]struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Enum       []any                      `json:"enum"`
	} `json:"$defs"`
}

func readSchema(t *testing.T) schemaDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "schema", "links.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s schemaDoc
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("schema/links.schema.json: %v", err)
	}
	return s
}

// TestEveryKeyDocumented fails when manifest.md does not mention, in
// backticks, a key the schema declares: top-level properties, defaults
// properties and link properties ($defs/link), or a value an enum allows.
func TestEveryKeyDocumented(t *testing.T) {
	s := readSchema(t)
	doc := readPage(t)

	groups := map[string][]string{
		"top-level key": keys(s.Properties),
		"defaults key":  keys(s.Properties["defaults"].Properties),
		"link key":      keys(s.Defs["link"].Properties),
	}
	for group, names := range groups {
		// An empty group means the schema was restructured and this test
		// would pass vacuously: fix the test.
		if len(names) == 0 {
			t.Errorf("found no %ss in schema/links.schema.json; update this test to the schema's layout", group)
		}
		for _, name := range names {
			if !strings.Contains(doc, "`"+name+"`") {
				t.Errorf("docs/%s does not mention the %s `%s`", page, group, name)
			}
		}
	}

	defs := make([]string, 0, len(s.Defs))
	for def := range s.Defs {
		defs = append(defs, def)
	}
	sort.Strings(defs)
	for _, def := range defs {
		for _, v := range s.Defs[def].Enum {
			if str, ok := v.(string); ok && !strings.Contains(doc, "`"+str+"`") {
				t.Errorf("docs/%s does not mention `%s`, a value of %s", page, str, def)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// block is a fenced code block in the page.
type block struct {
	info string // the fence's info string: yaml, console, json, ...
	body string
	line int // 1-based line of the opening fence
	end  int // 1-based line of the closing fence
}

func blocks(doc string) []block {
	var out []block
	var cur *block
	var body []string
	for i, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &block{info: strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), line: i + 1}
			body = body[:0]
		case cur != nil && trimmed == "```":
			cur.body = strings.Join(body, "\n") + "\n"
			cur.end = i + 1
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	return out
}

var (
	// A YAML block with a top-level version: key is a complete manifest.
	completeRE = regexp.MustCompile(`(?m)^version:`)
	// A manifest error as links prints it, with its place.
	errorLineRE = regexp.MustCompile(`^links: links\.yaml:\d+:\d+: `)
	// The summary links validate prints after the errors.
	summaryRE = regexp.MustCompile(`^links: links\.yaml is not valid: `)
)

// The place the page's examples assume: the manifest in /home/you/project,
// the home folder /home/you.
const (
	exampleDir  = "/home/you/project"
	exampleHome = "/home/you"
)

func exampleEnv(name string) (string, bool) {
	if name == "HOME" {
		return exampleHome, true
	}
	return "", false
}

// TestExamplesLoad loads every complete manifest in the page (a yaml block
// with a top-level version: key) as links.yaml in /home/you/project. A
// manifest that loads must not be followed by a console block showing
// errors; one that does not must be followed by a console block showing
// exactly the errors links reports, in order.
func TestExamplesLoad(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the examples use Unix paths")
	}
	doc := readPage(t)
	lines := strings.Split(doc, "\n")
	bs := blocks(doc)
	n := 0
	type edit struct {
		c    block
		body []string
	}
	var edits []edit
	for i, b := range bs {
		if b.info == "json" && !json.Valid([]byte(b.body)) {
			t.Errorf("%s:%d: json block is not valid JSON", page, b.line)
		}
		if b.info != "yaml" || !completeRE.MatchString(b.body) {
			continue
		}
		n++
		var want []string
		if i+1 < len(bs) && bs[i+1].info == "console" {
			for _, line := range strings.Split(bs[i+1].body, "\n") {
				if errorLineRE.MatchString(line) {
					want = append(want, line)
				}
			}
		}
		var got []string
		_, err := manifest.Parse("links.yaml", []byte(b.body), manifest.Options{
			Dir:       exampleDir,
			Home:      exampleHome,
			LookupEnv: exampleEnv,
		})
		if err != nil {
			list, ok := err.(manifest.ErrorList)
			if !ok {
				t.Fatalf("%s:%d: %v", page, b.line, err)
			}
			for _, e := range list {
				got = append(got, "links: "+e.Error())
			}
		}
		if strings.Join(got, "\n") == strings.Join(want, "\n") {
			continue
		}
		if *update && len(want) > 0 && len(got) > 0 {
			edits = append(edits, edit{bs[i+1], rewritten(lines, bs[i+1], got)})
			continue
		}
		t.Errorf("%s:%d: the manifest shown gives\n%s\nbut the page shows\n%s\n(go test ./docs -update rewrites the errors shown)",
			page, b.line, orNone(got), orNone(want))
	}
	if len(edits) > 0 {
		// From the last block up, so earlier line numbers stay valid.
		for j := len(edits) - 1; j >= 0; j-- {
			e := edits[j]
			tail := append([]string{}, lines[e.c.end-1:]...)
			lines = append(append(lines[:e.c.line], e.body...), tail...)
		}
		if err := os.WriteFile(page, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the errors shown in %s; review the diff", page)
	}
	if n < 10 {
		t.Errorf("found only %d complete manifests in %s; did the fence syntax change?", n, page)
	}
}

// rewritten returns the body of console block c (the lines between its
// fences) with its error lines and summary line replaced by got and a
// summary that counts them. Whether a manifest shown should load at all is
// not decided here: a block that shows no error, or a manifest that gives
// none, is left for a person to fix.
func rewritten(lines []string, c block, got []string) []string {
	var out []string
	inserted := false
	for _, l := range lines[c.line : c.end-1] {
		if errorLineRE.MatchString(l) || summaryRE.MatchString(l) {
			if !inserted {
				out = append(out, got...)
				out = append(out, "links: links.yaml is not valid: "+problems(len(got)))
				inserted = true
			}
			continue
		}
		out = append(out, l)
	}
	return out
}

func problems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}

func orNone(lines []string) string {
	if len(lines) == 0 {
		return "  (no error)"
	}
	return "  " + strings.Join(lines, "\n  ")
}
