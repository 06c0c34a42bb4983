package plan

import (
	"bytes"
	"encoding/json"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/linksdev/links/manifest"
)

// treeManifest is a manifest with one tree "t" (dest home, target src)
// whose members are the given source paths, already expanded, and a plain
// link "p".
func treeManifest(problem string, members ...string) *manifest.Manifest {
	m := &manifest.Manifest{File: "links.yaml", Root: "/r", StateDir: ".links"}
	tr := manifest.Tree{Link: link("t", "home", "src"), Problem: problem, Links: len(members), Excluded: 2}
	m.Trees = []manifest.Tree{tr}
	m.Links = append(m.Links, link("p", "home/plain", "src/plain"))
	for _, rel := range members {
		l := link("t/"+rel, "home/"+rel, "src/"+rel)
		l.Tree = "t"
		m.Links = append(m.Links, l)
	}
	return m
}

func treeObserved(m *manifest.Manifest, orphans map[string]Orphan) *Observed {
	obs := &Observed{RootReal: "/r", Links: map[string]Observation{}, Orphans: orphans}
	for _, l := range m.Links {
		obs.Links[l.Dest] = Observation{Dest: State{Type: TypeMissing}, ParentReal: path.Dir(l.Dest), TargetExists: true}
	}
	return obs
}

func summarize(p *Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, c.Action.String()+" "+c.Name+" "+c.Dest)
	}
	return out
}

func TestDiffTrees(t *testing.T) {
	gone := map[string]Orphan{
		"home/old": {Name: "t/old", Recorded: "../src/old", Now: State{Type: TypeSymlink, Link: "../src/old"}},
		"home/was": {Name: "other", Recorded: "x", Now: State{Type: TypeSymlink, Link: "x"}},
	}
	tests := []struct {
		name    string
		problem string
		members []string
		want    []string
	}{
		{"members and a pruned member", "", []string{"a", "b"}, []string{
			"create t/a home/a", "create t/b home/b", "delete t/old home/old", "create p home/plain", "delete other home/was",
		}},
		// A tree that could not be listed is one conflict, and the links it
		// made are not deleted; other orphans still are.
		{"a tree that could not be listed", "tree target src does not exist", nil, []string{
			"conflict t home", "create p home/plain", "delete other home/was",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := treeManifest(tt.problem, tt.members...)
			orphans := map[string]Orphan{}
			for k, v := range gone {
				orphans[k] = v
			}
			p := DiffTrees(m, treeObserved(m, orphans), "ID")
			if d := cmp.Diff(tt.want, summarize(p)); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
			if len(p.Trees) != 1 || p.Trees[0].Name != "t" || p.Trees[0].Problem != tt.problem {
				t.Errorf("Trees = %+v", p.Trees)
			}
		})
	}
}

// Output groups a tree's changes under a header with its counts; JSON
// adds tree and member.
func TestTreeRendering(t *testing.T) {
	m := treeManifest("", "a", "lua/b")
	p := DiffTrees(m, treeObserved(m, nil), "ID")
	var text bytes.Buffer
	if err := WriteText(&text, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `links will perform the following actions in /r:

    + create   home/plain -> ../src/plain

  tree t: home -> src (2 links, 2 excluded, 0 folded)
      + create   home/a -> ../src/a
      + create   home/lua/b -> ../../src/lua/b
`
	// Link texts (after "-> ") are in the platform's separator.
	lines := strings.Split(want, "\n")
	for i, l := range lines {
		if head, text, ok := strings.Cut(l, " -> "); ok {
			lines[i] = head + " -> " + filepath.FromSlash(text)
		}
	}
	want = strings.Join(lines, "\n")
	if got := text.String(); !strings.HasPrefix(got, want) {
		t.Errorf("text:\n%s\nwant it to begin:\n%s", got, want)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**tree t: home -> src (2 links, 2 excluded, 0 folded)**\n\n| | Action |") {
		t.Errorf("markdown has no tree header before its table:\n%s", md.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, p, JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Changes []struct{ Name, Tree, Member, Dest string }
		Trees   []struct {
			Name            string
			Links, Excluded int
			Folded          int
			Dest, Target    string
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range doc.Changes {
		got = append(got, c.Name+"|"+c.Tree+"|"+c.Member+"|"+c.Dest)
	}
	if d := cmp.Diff([]string{"t/a|t|a|home/a", "t/lua/b|t|lua/b|home/lua/b", "p|||home/plain"}, got); d != "" {
		t.Errorf("JSON changes (-want +got):\n%s", d)
	}
	if len(doc.Trees) != 1 || doc.Trees[0].Name != "t" || doc.Trees[0].Links != 2 || doc.Trees[0].Excluded != 2 || doc.Trees[0].Dest != "home" || doc.Trees[0].Target != "src" {
		t.Errorf("JSON trees = %+v", doc.Trees)
	}
}
