package reconcile

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/linksdev/links/internal/symlinktest"
	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

func TestUndeclared(t *testing.T) {
	root := symlinktest.TempDir(t)
	symlinktest.Build(t, root, map[string]string{
		"releases/a/x":  "file:x",
		"current":       "link:releases/a",
		"stray":         "link:releases/a/x",
		"sub/also":      "link:../current",
		"real/declared": "link:../releases/a",
		"alias":         "link:real",
		".links/state":  "link:ignored",
		".git/HEAD":     "link:ignored",
	})
	m, err := manifest.Parse(filepath.Join(root, "links.yaml"), []byte(`version: 1
links:
  live: {dest: current, target: releases/a}
  via_alias: {dest: alias/declared, target: releases/a}
`), manifest.Options{Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	probs, err := r.Undeclared(m)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.Problem+":"+p.Dest)
	}
	// alias/declared is real/declared: declared through a folder link.
	want := []string{"undeclared:alias", "undeclared:stray", "undeclared:sub/also"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_ = plan.Noop
}
