package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linksdev/links/reconcile/rootfs"
)

// windowsRenameFS gives Linux the Windows rename that matters here: a
// rename does not replace a directory link. A symlink that resolves to a
// folder stands for one (on Windows that is a link made with
// SYMBOLIC_LINK_FLAG_DIRECTORY); the refusal carries rootfs.ErrDirLinkInTheWay,
// as the Windows FS.Rename marks it.
type windowsRenameFS struct {
	FS
	root string
}

func (f *windowsRenameFS) Rename(dir, from, to string) error {
	p := filepath.Join(f.root, filepath.FromSlash(dir), to)
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return fmt.Errorf("rename %s: Access is denied. (%w)", from, rootfs.ErrDirLinkInTheWay)
		}
	}
	return f.FS.Rename(dir, from, to)
}

// TestUpdateDirLinkWithoutRenameOver retargets a link to a folder where
// there is no exchange and a rename does not replace a directory link
// (Windows): the old link is moved aside under the change's journaled
// name, looked at, the new one moved in without replacing, the old one
// unlinked. It runs in every build (the exchange is turned off), and so
// in the links_portable run too.
func TestUpdateDirLinkWithoutRenameOver(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"rel/a/f": "file:a", "rel/b/f": "file:b", "cur": "link:rel/b", "sub/cur": "link:../rel/b"})
	m := parse(t, root, `version: 1
links:
  l: {dest: cur, target: rel/a}
  s: {dest: sub/cur, target: rel/a}
`)
	hf := &hookFS{k: -1}
	p, _, err := planApply(t, m, ApplyOptions{WrapFS: func(f FS) FS {
		hf.FS = &windowsRenameFS{FS: f, root: root}
		return &noExchangeFS{FS: hf}
	}})
	if err != nil {
		t.Fatalf("apply: %v\nops: %s", err, strings.Join(hf.ops, ", "))
	}
	if s := p.Summary(); s.Update != 2 {
		t.Fatalf("plan %+v, want 2 updates", s)
	}
	for dest, want := range map[string]string{"cur": filepath.FromSlash("rel/a"), "sub/cur": filepath.FromSlash("../rel/a")} {
		if got, err := os.Readlink(filepath.Join(root, filepath.FromSlash(dest))); err != nil || got != want {
			t.Errorf("%s -> %q (%v), want %q", dest, got, err, want)
		}
	}
	asides := 0
	for _, op := range hf.ops {
		if strings.HasPrefix(op, "move cur ") && strings.HasSuffix(op, "-aside") {
			asides++
		}
	}
	if asides != 2 {
		t.Errorf("%d moves aside, want one per update\nops: %s", asides, strings.Join(hf.ops, ", "))
	}
	for _, d := range []string{root, filepath.Join(root, "sub")} {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.Contains(e.Name(), TempMarker) {
				t.Errorf("left behind: %s", filepath.Join(d, e.Name()))
			}
		}
	}
	if p2, _, err := planApply(t, m, ApplyOptions{}); err != nil || p2.Summary().Changed() {
		t.Errorf("second apply: %+v, %v; want all no-op", p2.Summary(), err)
	}
}

// TestUpdateDirLinkAsideIsChecked: what is moved aside is looked at. If
// dest was changed after the plan (here, to a link to another folder),
// it is put back, the new link dropped, and the change is stale.
func TestUpdateDirLinkAsideIsChecked(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"rel/a/f": "file:a", "rel/b/f": "file:b", "rel/c/f": "file:c", "cur": "link:rel/b"})
	m := parse(t, root, "version: 1\nlinks:\n  l: {dest: cur, target: rel/a}\n")
	needSymlinks(t)
	r := open(t, m)
	p, err := r.Plan(m, newID())
	if err != nil {
		t.Fatal(err)
	}
	hf := &hookFS{k: -1}
	moved := false
	res, err := r.Apply(p, ApplyOptions{WrapFS: func(f FS) FS {
		hf.FS = &windowsRenameFS{FS: f, root: root}
		return &noExchangeFS{FS: &swapBeforeAsideFS{FS: hf, do: func() {
			if moved {
				return
			}
			moved = true
			cur := filepath.Join(root, "cur")
			if err := os.Remove(cur); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.FromSlash("rel/c"), cur); err != nil {
				t.Fatal(err)
			}
		}}}
	}})
	if res == nil || len(res.Errors) != 1 {
		t.Fatalf("apply: %v, want one failed change\nops: %s", err, strings.Join(hf.ops, ", "))
	}
	var stale *StaleError
	for _, e := range res.Errors {
		if !errors.As(e, &stale) || !strings.Contains(e.Error(), "put there during the apply; left in place") {
			t.Errorf("%v: want a stale change, the entry left in place", e)
		}
	}
	if !moved {
		t.Fatal("the old link was never moved aside")
	}
	if got, _ := os.Readlink(filepath.Join(root, "cur")); got != filepath.FromSlash("rel/c") {
		t.Errorf("cur -> %q, want the link put there during the apply (rel/c) left in place", got)
	}
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		if strings.Contains(e.Name(), TempMarker) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// swapBeforeAsideFS calls do just before the first move of dest aside.
type swapBeforeAsideFS struct {
	FS
	do func()
}

func (f *swapBeforeAsideFS) Move(fromDir, fromName, toDir, toName string) error {
	if strings.HasSuffix(toName, "-aside") {
		f.do()
	}
	return f.FS.Move(fromDir, fromName, toDir, toName)
}

// TestRestoreOverDirLink deletes a link to a folder that had displaced a
// file: the file comes back from its backup in the same step. Where a
// rename does not replace a directory link (Windows), the link is moved
// aside first, as for a folder.
func TestRestoreOverDirLink(t *testing.T) {
	root := t.TempDir()
	mkTree(t, root, map[string]string{"rel/a/f": "file:a", "cur": "file:the user's file"})
	if _, _, err := planApply(t, parse(t, root, "version: 1\nlinks:\n  l: {dest: cur, target: rel/a, replace: file}\n  k: {dest: keep, target: rel/a}\n"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	hf := &hookFS{k: -1}
	p, _, err := planApply(t, parse(t, root, "version: 1\nlinks:\n  k: {dest: keep, target: rel/a}\n"), ApplyOptions{WrapFS: func(f FS) FS {
		hf.FS = &windowsRenameFS{FS: f, root: root}
		return &noExchangeFS{FS: hf}
	}})
	if err != nil {
		t.Fatalf("apply: %v\nops: %s", err, strings.Join(hf.ops, ", "))
	}
	if s := p.Summary(); s.Delete != 1 || p.Changes[0].Restore == "" {
		t.Fatalf("plan %+v, %+v: want a delete that restores", s, p.Changes[0])
	}
	if b, err := os.ReadFile(filepath.Join(root, "cur")); err != nil || string(b) != "the user's file" {
		t.Errorf("cur: %q, %v; want the user's file back", b, err)
	}
	if fi, err := os.Lstat(filepath.Join(root, "cur")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("cur is not a regular file: %v", err)
	}
	refused := false
	for _, op := range hf.ops {
		refused = refused || strings.HasPrefix(op, "rename ")
	}
	if !refused {
		t.Errorf("the rename over the directory link was never tried\nops: %s", strings.Join(hf.ops, ", "))
	}
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		if strings.Contains(e.Name(), TempMarker) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
