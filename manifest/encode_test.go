package manifest

import (
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// encodeOpts are the options the tests here read encoded manifests with.
var encodeOpts = Options{Dir: "/m", Home: "/home/u"}

// TestEncode: a document with every field Encode writes comes out as this
// text, and loads back as declared.
func TestEncode(t *testing.T) {
	d := &Document{
		Comment:  "first line\nsecond: line",
		Root:     "..",
		Strategy: Absolute,
		Trees: []Tree{{
			Link:     Link{Name: "nvim", Dest: ".config/nvim", Target: "dotfiles/nvim", Strategy: Relative},
			Dotfiles: true,
			Include:  []Pattern{{Glob: "**"}},
			Fold:     []Fold{{Path: "lua"}},
			Exclude:  []Pattern{{Glob: "*.md"}, {Glob: "${x}/"}},
		}},
		Links: []Link{
			{Name: "bashrc", Dest: ".bashrc", Target: "dotfiles/bashrc"},
			{Name: "odd", Dest: "-dash: #${HOME}", Target: "/abs/yes", Strategy: Relative, AllowDangling: true},
		},
	}
	want := `# first line
# second: line
version: 1
root: ..
defaults:
  strategy: absolute
links:
  nvim:
    dest: .config/nvim
    target: dotfiles/nvim
    tree: true
    strategy: relative
    dotfiles: true
    include:
      - "**"
    fold:
      - lua
    exclude:
      - "*.md"
      - "$${x}/"
  bashrc:
    dest: .bashrc
    target: dotfiles/bashrc
  odd:
    dest: "-dash: #$${HOME}"
    target: /abs/yes
    strategy: relative
    allow_dangling: true
`
	got := Encode(d)
	if string(got) != want {
		t.Fatalf("Encode:\n%s\nwant:\n%s", got, want)
	}
	m, err := Parse("/m/links.yaml", got, encodeOpts)
	if err != nil {
		t.Fatalf("the encoded manifest does not load: %v\n%s", err, got)
	}
	links := map[string]Link{}
	for _, l := range m.Links {
		links[l.Name] = l
	}
	if l := links["bashrc"]; l.Dest != ".bashrc" || l.Target != "dotfiles/bashrc" || l.Strategy != Absolute || l.AllowDangling {
		t.Errorf("bashrc loads as %+v", l)
	}
	if l := links["odd"]; l.Dest != "-dash: #${HOME}" || l.Target != filepath.Clean("/abs/yes") || !l.TargetAbsolute || l.Strategy != Relative || !l.AllowDangling {
		t.Errorf("odd loads as %+v", l)
	}
	if len(m.Trees) != 1 {
		t.Fatalf("%d trees, want 1", len(m.Trees))
	}
	tr := m.Trees[0]
	if tr.Dest != ".config/nvim" || tr.Target != "dotfiles/nvim" || tr.Strategy != Relative || !tr.Dotfiles ||
		!reflect.DeepEqual(globsOf(tr.Exclude), []string{"*.md", "${x}/"}) || len(tr.Fold) != 1 || tr.Fold[0].Path != "lua" {
		t.Errorf("the tree loads as %+v", tr)
	}
	if empty := string(Encode(&Document{Root: "."})); empty != "version: 1\nroot: .\nlinks: {}\n" {
		t.Errorf("an empty document: %q", empty)
	}
}

func globsOf(ps []Pattern) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Glob)
	}
	return out
}

// TestEncodeQuoting: a dest, a target and root that YAML would read as
// something else than the string, or the manifest would expand, are
// written so that they load back as written; plain text stays plain.
func TestEncodeQuoting(t *testing.T) {
	for _, tc := range []struct {
		s, written string
	}{
		{"plain/path", "plain/path"},
		{".bashrc", ".bashrc"},
		{"-dash", `"-dash"`},
		{"- x", `"- x"`},
		{"a-b", "a-b"},
		{"a: b", `"a: b"`},
		{"a:b", `"a:b"`},
		{"#x", `"#x"`},
		{"x #y", `"x #y"`},
		{"${HOME}", `"$${HOME}"`},
		{"a${x}b", `"a$${x}b"`},
		{"$x", `"$x"`},
		{"$${x}", `"$$${x}"`},
		{"é日本", `"é日本"`},
		{"emoji 🙂", `"emoji 🙂"`},
		{"\u2028", `"\u2028"`},
		{"yes", `"yes"`},
		{"No", `"No"`},
		{"null", `"null"`},
		{"~", `"~"`},
		{"true", `"true"`},
		{"off", `"off"`},
		{"1", `"1"`},
		{"0x1f", `"0x1f"`},
		{"1e3", `"1e3"`},
		{".5", `".5"`},
		{".inf", `".inf"`},
		{"2026-02-01", `"2026-02-01"`},
		{"12:30", `"12:30"`},
		{"new\nline", `"new\nline"`},
		{"tab\there", `"tab\there"`},
		{`back\slash`, `"back\\slash"`},
		{`"dq"`, `"\"dq\""`},
		{"'q'", `"'q'"`},
		{" lead", `" lead"`},
		{"trail ", `"trail "`},
		{"*alias", `"*alias"`},
		{"[x]", `"[x]"`},
	} {
		d := &Document{Root: ".", Links: []Link{{Name: "l", Dest: "d/" + tc.s, Target: tc.s}}}
		out := string(Encode(d))
		wantTarget := "    target: " + tc.written + "\n"
		if !strings.Contains(out, wantTarget) {
			t.Errorf("%q: written as\n%s\nwant a line %q", tc.s, out, wantTarget)
		}
		m, err := Parse("/m/links.yaml", []byte(out), encodeOpts)
		if err != nil {
			t.Errorf("%q: the encoded manifest does not load: %v\n%s", tc.s, err, out)
			continue
		}
		// The loader reads a path in the platform's form (on Windows a
		// backslash separates folders too).
		if l := m.Links[0]; l.Dest != path.Clean(filepath.ToSlash("d/"+tc.s)) || l.Target != path.Clean(filepath.ToSlash(tc.s)) {
			t.Errorf("%q: loads back as dest %q, target %q", tc.s, l.Dest, l.Target)
		}
	}
}

func TestYAMLString(t *testing.T) {
	for _, s := range []string{
		"plain/path", ".bashrc", ".", "..", "../x", "/abs/path", "true", "False", "null", "~", "y", "no",
		"1", "0x1f", "1e3", ".5", ".inf", "-.inf", "2026-02-01", "12:30", "a: b", "#x", "x #y", "- x", "? x",
		"[x]", "{x}", "*alias", "&anchor", "!tag", "|", ">", "%x", "@x", "`x", "'q'", "\"dq\"", "back\\slash",
		"new\nline", "tab\there", "cr\rhere", "\x00nul", "\x7f", "\u0085", "\u2028", "\ufeff", "\ufffe",
		"é日本", "emoji 🙂", " lead", "trail ", "", "$x", "${x}",
	} {
		yaml := "version: 1\nvars:\n  v: " + yamlString(s) + "\nlinks: {}\n"
		m, err := Parse("links.yaml", []byte(yaml), Options{Dir: t.TempDir()})
		if strings.ContainsRune(s, 0) {
			continue // a NUL cannot be in a path; only check it does not crash
		}
		if err != nil {
			t.Errorf("%q written as %s: %v", s, yamlString(s), err)
			continue
		}
		if got := m.Vars["v"]; got != s {
			t.Errorf("%q written as %s reads back as %q", s, yamlString(s), got)
		}
	}
}

// oracleEncode writes d with yaml.v3's emitter, every string
// double-quoted: the oracle FuzzEncodeRoundTrip compares Encode with. The
// nodes are built by hand: yaml.v3 writes some strings in styles that do
// not read back as the string (Marshal("\n0") is "|4-\n    0", which
// reads "0"), and Node.Encode goes through that text.
func oracleEncode(t *testing.T, d *Document) []byte {
	t.Helper()
	str := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	}
	mapping := func(kv ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: kv} }
	list := func(items []string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, it := range items {
			n.Content = append(n.Content, str(escapeVars(it)))
		}
		return n
	}
	yes := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
	links := mapping()
	entry := func(l *Link, tree bool) *yaml.Node {
		e := mapping(str("dest"), str(escapeVars(l.Dest)), str("target"), str(escapeVars(l.Target)))
		if tree {
			e.Content = append(e.Content, str("tree"), yes)
		}
		if l.Strategy != "" {
			e.Content = append(e.Content, str("strategy"), str(string(l.Strategy)))
		}
		links.Content = append(links.Content, str(l.Name), e)
		return e
	}
	for i := range d.Trees {
		tr := &d.Trees[i]
		e := entry(&tr.Link, true)
		if tr.Dotfiles {
			e.Content = append(e.Content, str("dotfiles"), yes)
		}
		var folds, excludes []string
		for _, f := range tr.Fold {
			folds = append(folds, f.Path)
		}
		for _, p := range tr.Exclude {
			excludes = append(excludes, p.Glob)
		}
		if len(folds) > 0 {
			e.Content = append(e.Content, str("fold"), list(folds))
		}
		if len(excludes) > 0 {
			e.Content = append(e.Content, str("exclude"), list(excludes))
		}
	}
	for i := range d.Links {
		e := entry(&d.Links[i], false)
		if d.Links[i].AllowDangling {
			e.Content = append(e.Content, str("allow_dangling"), yes)
		}
	}
	doc := mapping(str("version"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}, str("root"), str(d.Root))
	if d.Strategy != "" {
		doc.Content = append(doc.Content, str("defaults"), mapping(str("strategy"), str(string(d.Strategy))))
	}
	doc.Content = append(doc.Content, str("links"), links)
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil // invalid UTF-8, which YAML cannot hold
	}
	return out
}

// positionless drops what depends on where things are written (lines and
// columns), which the two encodings need not share.
func positionless(m *Manifest) *Manifest {
	c := *m
	c.Links = append([]Link(nil), m.Links...)
	for i := range c.Links {
		c.Links[i].Pos = Pos{}
	}
	c.Trees = append([]Tree(nil), m.Trees...)
	for i := range c.Trees {
		tr := &c.Trees[i]
		tr.Pos = Pos{}
		tr.Include = append([]Pattern(nil), tr.Include...)
		tr.Exclude = append([]Pattern(nil), tr.Exclude...)
		tr.Fold = append([]Fold(nil), tr.Fold...)
		for j := range tr.Include {
			tr.Include[j].Pos = Pos{}
		}
		for j := range tr.Exclude {
			tr.Exclude[j].Pos = Pos{}
		}
		for j := range tr.Fold {
			tr.Fold[j].Pos = Pos{}
		}
	}
	return &c
}

// FuzzEncodeRoundTrip: whatever names, dests, targets, root, strategies
// and tree globs a manifest can hold, what Encode writes loads back as the
// same manifest as the same values written by yaml.v3's encoder (an
// input whose yaml.v3 manifest does not load is not one a manifest can
// hold, and is skipped), and as the values given. Run it with
// go test ./manifest -run '^$' -fuzz FuzzEncodeRoundTrip.
func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add("bashrc", ".bashrc", "dotfiles/bashrc", ".", uint8(0), false, "", "")
	f.Add("x", "-dash: #${HOME}", "/abs/yes", "..", uint8(5), true, "${x}/", "lua")
	f.Add("n", "é日本/new\nline", "tab\there", "~/x", uint8(2), false, "", "")
	f.Add("y", "yes", "null", "/r", uint8(64+7), false, "*.md", "a/b")
	f.Add("_1", "1e3", "0x1f", "2026-02-01", uint8(64+32+8), true, "[ab]", ".5")
	f.Add("q", `"dq"/'q'`, `back\slash`, " lead", uint8(1), false, "#x", "12:30")
	f.Add("z", "$${x}", "a$b", "$$", uint8(64), false, "$${", "${")
	f.Fuzz(func(t *testing.T, name, dest, target, root string, bits uint8, dangling bool, exclude, fold string) {
		strategy := func(k uint8) Strategy { return []Strategy{"", Relative, Absolute}[k%3] }
		d := &Document{Root: root, Strategy: strategy(bits),
			Links: []Link{{Name: name, Dest: dest, Target: target, Strategy: strategy(bits / 3), AllowDangling: dangling}}}
		if bits&64 != 0 {
			tr := Tree{Link: Link{Name: name + "-tree", Dest: target, Target: dest, Strategy: strategy(bits / 9)}, Dotfiles: bits&32 != 0}
			if exclude != "" {
				tr.Exclude = []Pattern{{Glob: exclude}}
			}
			if fold != "" {
				tr.Fold = []Fold{{Path: fold}}
			}
			d.Trees = []Tree{tr}
		}
		oracle := oracleEncode(t, d)
		if oracle == nil {
			return
		}
		want, err := Parse("/m/links.yaml", oracle, encodeOpts)
		if err != nil {
			return // not values a manifest can hold
		}
		data := Encode(d)
		got, err := Parse("/m/links.yaml", data, encodeOpts)
		if err != nil {
			t.Fatalf("Encode's manifest does not load, yaml.v3's does: %v\n%s", err, data)
		}
		if g, w := positionless(got), positionless(want); !reflect.DeepEqual(g, w) {
			t.Fatalf("Encode's manifest loads as\n%+v\nyaml.v3's as\n%+v\n%s", g, w, data)
		}
		var l *Link
		for i := range got.Links {
			if got.Links[i].Name == name {
				l = &got.Links[i]
			}
		}
		if l == nil {
			t.Fatalf("link %q is missing: %+v\n%s", name, got.Links, data)
		}
		// The loader reads a path in the platform's form (on Windows a
		// backslash separates folders too).
		if d := filepath.ToSlash(dest); d == path.Clean(d) && l.Dest != d {
			t.Errorf("dest %q loads back as %q\n%s", dest, l.Dest, data)
		}
		if tg := filepath.ToSlash(target); !path.IsAbs(tg) && tg == path.Clean(tg) && l.Target != tg {
			t.Errorf("target %q loads back as %q\n%s", target, l.Target, data)
		}
	})
}
