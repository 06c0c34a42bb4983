//go:build unix

package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
)

// escapeBase makes base/root (with a target file t) and base/outside
// (with a file the suites watch); it returns root and outside.
func escapeBase(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	mkTree(t, base, map[string]string{
		"root/t":                "file:t",
		"outside/keep":          "file:keep",
		"outside/x":             "file:outside x",
		"outside/links.yaml":    "file:outside manifest",
		"outside/sub/journal":   "file:outside journal",
		"outside/tmp/.keep":     "file:",
		"outside/outside/.keep": "file:",
	})
	return root, outside
}

// sameTree asserts dir is as before, naming what was created, deleted or
// changed.
func sameTree(t *testing.T, what string, before, after map[string]string) (created, deleted, changed int) {
	t.Helper()
	for k, v := range after {
		if b, ok := before[k]; !ok {
			created++
			t.Errorf("%s: %s was created (%q)", what, k, v)
		} else if b != v {
			changed++
			t.Errorf("%s: %s changed from %q to %q", what, k, b, v)
		}
	}
	for k, v := range before {
		if _, ok := after[k]; !ok {
			deleted++
			t.Errorf("%s: %s was deleted or moved away (%q)", what, k, v)
		}
	}
	return
}

// TestEscapeManifestRefused: dests that leave root lexically (.., an
// absolute path, a variable, an environment variable, a --var), a
// state_dir outside root, a dest inside state_dir, a target equal to its
// own dest and a dest over the manifest itself are refused by the loader
// with the error at the offending value's line and column.
func TestEscapeManifestRefused(t *testing.T) {
	root, outside := escapeBase(t)
	tests := []struct {
		name, links string // links is the body under links: (line 4 on)
		head        string // replaces "vars: {d: ../out}" on line 2
		vars        map[string]string
		want        string // the error, from "links.yaml:"
	}{
		{name: "dotdot", links: `l: {dest: ../out/x, target: t}`, want: `4:13: links.l.dest: dest "../out/x" leaves root through ..`},
		{name: "inner dotdot", links: `l: {dest: a/b/../../../out/x, target: t}`, want: `4:13: links.l.dest: dest "a/b/../../../out/x" leaves root through ..`},
		{name: "absolute outside", links: `l: {dest: ` + outside + `/x, target: t}`, want: `4:13: links.l.dest: dest "` + outside + `/x" is outside root`},
		{name: "absolute prefix sibling", links: `l: {dest: ` + root + `2/x, target: t}`, want: `4:13: links.l.dest: dest "` + root + `2/x" is outside root`},
		{name: "variable", links: `l: {dest: "${d}/x", target: t}`, want: `4:13: links.l.dest: dest "${d}/x" ("../out/x" after expansion) leaves root through ..`},
		{name: "env variable", links: `l: {dest: "${env:LINKS_ESCAPE}/x", target: t}`, want: `4:13: links.l.dest: dest "${env:LINKS_ESCAPE}/x" ("../../x" after expansion) leaves root through ..`},
		{name: "--var override", links: `l: {dest: "${d}/x", target: t}`, vars: map[string]string{"d": "/etc"}, want: `4:13: links.l.dest: dest "${d}/x" ("/etc/x" after expansion) is outside root`},
		{name: "root itself", links: `l: {dest: x/.., target: t}`, want: `4:13: links.l.dest: dest "x/.." is root itself`},
		{name: "state_dir outside", head: `state_dir: ../state`, links: `l: {dest: x, target: t}`, want: `2:12: state_dir: state_dir "../state" leaves root through ..`},
		{name: "inside state_dir", links: `l: {dest: .links/x, target: t}`, want: `4:13: links.l.dest: dest ".links/x" is inside state_dir ".links"`},
		{name: "state_dir itself", links: `l: {dest: .links, target: t}`, want: `4:13: links.l.dest: dest ".links" is inside state_dir ".links"`},
		{name: "state journal", links: `l: {dest: ./.links/journal.jsonl, target: t, replace: any}`, want: `4:13: links.l.dest: dest ".links/journal.jsonl" is inside state_dir ".links"`},
		{name: "custom state_dir", head: `state_dir: var/links`, links: `l: {dest: var/links/state.json, target: t}`, want: `4:13: links.l.dest: dest "var/links/state.json" is inside state_dir "var/links"`},
		{name: "folder holding state_dir", head: `state_dir: var/links`, links: `l: {dest: var, target: t, replace: any}`, want: `4:13: links.l.dest: dest "var" is a folder holding state_dir "var/links"`},
		{name: "own dest", links: `l: {dest: cur, target: cur}`, want: `4:26: links.l.target: target "cur" is the link's own dest`},
		{name: "own dest spelled differently", links: `l: {dest: a/cur, target: ./a/b/../cur}`, want: `4:28: links.l.target: target "./a/b/../cur" is the link's own dest`},
		{name: "own dest absolute", links: `l: {dest: cur, target: ` + root + `/cur}`, want: `4:26: links.l.target: target "` + root + `/cur" is the link's own dest`},
		{name: "manifest itself", links: `l: {dest: links.yaml, target: t, replace: file}`, want: `4:13: links.l.dest: dest "links.yaml" is the manifest file itself`},
		{name: "manifest itself, dotted", links: `l: {dest: ./x/../links.yaml, target: t, replace: file}`, want: `4:13: links.l.dest: dest "links.yaml" is the manifest file itself`},
		{name: "manifest itself, absolute", links: `l: {dest: ` + root + `/links.yaml, target: t, replace: file}`, want: `4:13: links.l.dest: dest "links.yaml" is the manifest file itself`},
	}
	before := snapshot(t, filepath.Dir(root))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := "vars: {d: ../out}"
			if tt.head != "" {
				head = tt.head
			}
			doc := "version: 1\n" + head + "\nlinks:\n  " + tt.links + "\n"
			_, err := manifest.Parse(filepath.Join(root, "links.yaml"), []byte(doc), manifest.Options{
				Dir:  root,
				Vars: tt.vars,
				LookupEnv: func(k string) (string, bool) {
					if k == "LINKS_ESCAPE" {
						return "../..", true
					}
					return "", false
				},
			})
			var list manifest.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse: %v, want a positioned error list\n%s", err, doc)
			}
			if !strings.Contains(list.Error(), "links.yaml:"+tt.want) {
				t.Errorf("error:\n  %s\nwant it to contain:\n  links.yaml:%s\nmanifest:\n%s", list.Error(), tt.want, doc)
			}
		})
	}
	// Variables are not expanded in state_dir (docs/manifest.md): one that
	// would lead out is a folder named ${d} under root.
	m, err := manifest.Parse(filepath.Join(root, "links.yaml"), []byte("version: 1\nvars: {d: ../state}\nstate_dir: \"${d}\"\nlinks: {}\n"), manifest.Options{Dir: root})
	if err != nil || m.StateDir != "${d}" {
		t.Errorf("state_dir \"${d}\": %v, state_dir %q; want the literal folder ${d} under root", err, m.StateDir)
	}
	// The loader writes nothing anywhere.
	sameTree(t, "loader", before, snapshot(t, filepath.Dir(root)))
}

// TestEscapeParentSymlinksRefused: a dest whose parent folder is a
// symlink leading out of root (relative, absolute, through a chain of
// links, through "..", to "/", dangling) is a conflict; the plan is
// refused whole, by the library and by the binary (exit 1, a message
// saying why), and nothing is written outside root or inside it.
func TestEscapeParentSymlinksRefused(t *testing.T) {
	root, outside := escapeBase(t)
	base := filepath.Dir(root)
	mkTree(t, root, map[string]string{
		"rel":         "link:../outside",
		"abs":         "link:" + outside,
		"chain1":      "link:chain2",
		"chain2":      "link:chain3",
		"chain3":      "link:../outside",
		"up":          "link:..",
		"slash":       "link:/",
		"in/deeper":   "link:../../outside",
		"in/absroot":  "link:" + base,
		"dangling":    "link:../outside/nothing/here",
		"loop":        "link:loop",
		"inside/real": "dir",
		"inside/ok":   "link:real",
	})
	dests := []string{
		"rel/x", "rel/new/deep/x", "abs/x", "abs/keep", "chain1/x", "up/outside/x", "slash/tmp/x",
		"in/deeper/x", "in/absroot/outside/x", "dangling/x", "loop/x",
	}
	var doc strings.Builder
	doc.WriteString("version: 1\ndefaults: {replace: any, allow_dangling: true}\nlinks:\n")
	for i, d := range dests {
		fmt.Fprintf(&doc, "  l%d: {dest: %q, target: t}\n", i, d)
	}
	if err := os.WriteFile(filepath.Join(root, "links.yaml"), []byte(doc.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	m := parse(t, root, doc.String())
	outsideBefore, rootBefore := snapshot(t, outside), snapshot(t, root)

	p := mustPlan(t, m)
	for _, c := range p.Changes {
		if c.Action != plan.Conflict {
			t.Errorf("%s: %s, want a conflict", c.Dest, c.Action)
		} else if !regexp.MustCompile(`outside root|too many levels|not a folder|dangling`).MatchString(c.Reason) {
			t.Errorf("%s: reason %q does not say why", c.Dest, c.Reason)
		}
	}
	if _, _, err := planApply(t, m, ApplyOptions{}); err == nil {
		t.Error("the library applied a plan with escaping dests")
	}
	r := runLinks(t, root, "apply", "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "outside root") {
		t.Errorf("binary: exit %d, want 1 and a message about root:\n%s%s", r.code, r.stdout, r.stderr)
	}
	sameTree(t, "outside", outsideBefore, snapshot(t, outside))
	sameTree(t, "root", rootBefore, snapshot(t, root, ".links"))
}

// TestEscapeStateDirSymlinks: a state_dir, or its backups folder, that is
// a symlink leading out of root: nothing is written outside, and a file
// apply would displace stays where it is.
func TestEscapeStateDirSymlinks(t *testing.T) {
	t.Run("state_dir", func(t *testing.T) {
		root, outside := escapeBase(t)
		mkTree(t, root, map[string]string{".links": "link:../outside", "links.yaml": "file:version: 1\nlinks:\n  l: {dest: x, target: t}\n"})
		m := parse(t, root, "version: 1\nlinks:\n  l: {dest: x, target: t}\n")
		before := snapshot(t, outside)
		if r, err := Open(m); err == nil {
			if l, err := r.State.Lock(0); err == nil {
				l.Unlock()
				t.Error("took a lock in a state_dir outside root")
			}
			r.Close()
		}
		if r := runLinks(t, root, "apply", "--auto-approve"); r.code != 1 || !strings.Contains(r.stderr, "outside root") {
			t.Errorf("binary: exit %d, want 1 and a message about root:\n%s%s", r.code, r.stdout, r.stderr)
		}
		sameTree(t, "outside", before, snapshot(t, outside))
		if _, err := os.Lstat(filepath.Join(root, "x")); err == nil {
			t.Error("apply made a link without its lock and journal")
		}
	})
	t.Run("backups", func(t *testing.T) {
		root, outside := escapeBase(t)
		mkTree(t, root, map[string]string{".links/backups": "link:../../outside", "conf": "file:mine"})
		if err := os.WriteFile(filepath.Join(root, "links.yaml"), []byte("version: 1\nlinks:\n  l: {dest: conf, target: t, replace: file}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, outside)
		r := runLinks(t, root, "apply", "--auto-approve")
		if r.code != 1 || !strings.Contains(r.stderr, "outside root") {
			t.Errorf("binary: exit %d, want 1 and a message about root:\n%s%s", r.code, r.stdout, r.stderr)
		}
		sameTree(t, "outside", before, snapshot(t, outside))
		if got := snapshot(t, root)["conf"]; got != "file:mine" {
			t.Errorf("conf = %q, want the user's file in place", got)
		}
	})
}

// TestEscapeIntoStateDirThroughSymlink: a dest whose parent folder is a
// symlink into state_dir is inside state_dir, as surely as a dest written
// .links/x, and must be refused the same way.
func TestEscapeIntoStateDirThroughSymlink(t *testing.T) {
	root, _ := escapeBase(t)
	mkTree(t, root, map[string]string{"sd": "link:.links", "deep/sd": "link:../.links/backups"})
	m0 := parse(t, root, "version: 1\nlinks:\n  a: {dest: a, target: t}\n")
	if _, _, err := planApply(t, m0, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	m := parse(t, root, `version: 1
defaults: {replace: any}
links:
  a: {dest: a, target: t}
  new: {dest: sd/x, target: t}
  state: {dest: sd/state.json, target: t}
  lock: {dest: sd/lock, target: t}
  journal: {dest: sd/journal.jsonl, target: t}
  backups: {dest: deep/sd/y, target: t}
`)
	stateBefore := snapshot(t, filepath.Join(root, ".links"))
	p := mustPlan(t, m)
	for _, c := range p.Changes {
		if c.Dest != "a" && c.Action != plan.Conflict {
			t.Errorf("%s: %s, want a conflict (it is inside state_dir)", c.Dest, c.Action)
		}
	}
	planApply(t, m, ApplyOptions{})
	after := snapshot(t, filepath.Join(root, ".links"))
	for _, k := range []string{"state.json", "lock", "journal.jsonl"} {
		if !strings.HasPrefix(after[k], "file:") {
			t.Errorf(".links/%s is now %.40q", k, after[k])
		}
	}
	if _, ok := after["x"]; ok {
		t.Errorf("a link was created inside state_dir: .links/x")
	}
	_ = stateBefore
}

// TestEscapeOverManifestThroughSymlink: a dest that reaches the manifest
// file through a parent symlink must be refused like a dest written
// links.yaml.
func TestEscapeOverManifestThroughSymlink(t *testing.T) {
	root, _ := escapeBase(t)
	mkTree(t, root, map[string]string{"cfg": "link:."})
	doc := "version: 1\nlinks:\n  l: {dest: cfg/links.yaml, target: t, replace: file}\n"
	if err := os.WriteFile(filepath.Join(root, "links.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runLinks(t, root, "apply", "--auto-approve")
	if got := snapshot(t, root)["links.yaml"]; got != "file:"+doc {
		t.Errorf("the manifest is now %.60q (apply exit %d)\n%s%s", got, r.code, r.stdout, r.stderr)
	}
	if r.code != 1 {
		t.Errorf("apply over its own manifest: exit %d, want 1", r.code)
	}
}

// TestEscapeOwnDestThroughSymlink: a target that is the link's own dest
// reached through a parent symlink would make a link to itself.
func TestEscapeOwnDestThroughSymlink(t *testing.T) {
	root, _ := escapeBase(t)
	mkTree(t, root, map[string]string{"real": "dir", "alias": "link:real"})
	m := parse(t, root, "version: 1\nlinks:\n  l: {dest: alias/x, target: real/x, allow_dangling: true}\n")
	p := mustPlan(t, m)
	if c := p.Changes[0]; c.Action != plan.Conflict {
		t.Errorf("%s: %s -> %s, want a conflict (the link would point at itself)", c.Dest, c.Action, c.After.Link)
	}
}

// TestEscapeAliasedDests: two dests that name one entry through a parent
// symlink are the same dest, as two links with one dest written twice.
func TestEscapeAliasedDests(t *testing.T) {
	root, _ := escapeBase(t)
	mkTree(t, root, map[string]string{"u": "file:u", "cfg": "link:."})
	m := parse(t, root, "version: 1\nlinks:\n  a: {dest: x, target: t}\n  b: {dest: cfg/x, target: u}\n")
	conflicts := 0
	for _, c := range mustPlan(t, m).Changes {
		if c.Action == plan.Conflict {
			conflicts++
		}
	}
	if conflicts == 0 {
		t.Error("x and cfg/x are one entry, declared twice with different targets, and the plan has no conflict")
	}
}

// TestEscapeRaceLong: a live attacker swaps a folder apply writes in
// between a real folder and a symlink leading out of root (absolute or
// relative text), or swaps state_dir's backups folder the same way, while
// apply creates, updates and displaces files and folders there. Outside
// root, where files with the dests' names wait, nothing may be created,
// moved, changed or deleted; inside, no content is lost.
//
// Short: 3 trials (at least 300 swaps). LINKS_LONG=1: at least 100,000
// swaps. LINKS_ESCAPE_SWAPS sets the count.
func TestEscapeRaceLong(t *testing.T) {
	want := int64(sizeOf(t, "LINKS_ESCAPE_SWAPS", 300, 100000))
	var swaps, trials, refused, changed int64
	var created, deleted, modified, lost int
	variants := []string{"absolute", "relative", "backups"}
	start := time.Now()
	for trials < 3 || swaps < want {
		variant := variants[trials%int64(len(variants))]
		trials++
		root, outside := escapeBase(t)
		tree := map[string]string{"old": "file:old"}
		for j := 0; j < 200; j++ {
			name := fmt.Sprintf("l%d", j)
			tree["outside/"+name] = fmt.Sprintf("file:outside %d", j)
			switch j % 4 {
			case 1:
				tree["root/p/"+name] = "link:../old"
			case 2:
				tree["root/p/"+name] = fmt.Sprintf("file:mine %d %d", trials, j)
			case 3:
				tree["root/p/"+name+"/f"] = fmt.Sprintf("file:mine dir %d %d", trials, j)
			}
		}
		mkTree(t, filepath.Dir(root), tree)
		var doc strings.Builder
		doc.WriteString("version: 1\ndefaults: {replace: any}\nlinks:\n")
		for j := 0; j < 200; j++ {
			fmt.Fprintf(&doc, "  l%d: {dest: p/l%d, target: t}\n", j, j)
		}
		m := parse(t, root, doc.String())
		outsideBefore := snapshot(t, outside)
		contents := map[string]bool{}
		for _, v := range snapshot(t, root) {
			if strings.HasPrefix(v, "file:") {
				contents[v] = true
			}
		}

		var stop atomic.Bool
		var n atomic.Int64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the attacker
			defer wg.Done()
			dir, text := filepath.Join(root, "p"), outside
			switch variant {
			case "relative":
				text = "../outside"
			case "backups":
				dir, text = filepath.Join(root, ".links", "backups"), "../../outside"
			}
			aside := dir + ".real"
			for !stop.Load() {
				if os.Rename(dir, aside) != nil {
					continue
				}
				if os.Symlink(text, dir) == nil {
					n.Add(1)
					os.Remove(dir)
				}
				os.Rename(aside, dir)
			}
		}()
		if r, err := Open(m); err == nil {
			if lock, err := r.State.Lock(0); err == nil {
				if p, err := r.Plan(m, newID()); err == nil {
					s := p.Summary()
					refused += int64(s.Conflict)
					if res, _ := r.Apply(p, ApplyOptions{}); res != nil {
						refused += int64(len(res.Errors))
						changed += int64(res.Done)
					}
				}
				lock.Unlock()
			}
			r.Close()
		}
		stop.Store(true)
		wg.Wait()
		swaps += n.Load()

		c, d, mo := sameTree(t, fmt.Sprintf("trial %d (%s): outside", trials, variant), outsideBefore, snapshot(t, outside))
		created, deleted, modified = created+c, deleted+d, modified+mo
		have := map[string]bool{}
		for _, v := range snapshot(t, root) {
			have[v] = true
		}
		for v := range contents {
			if !have[v] {
				lost++
				t.Errorf("trial %d (%s): %q is nowhere under root", trials, variant, v)
			}
		}
		// Without the attacker, apply converges.
		if _, _, err := planApply(t, m, ApplyOptions{}); err != nil {
			t.Errorf("trial %d (%s): apply after the attack: %v", trials, variant, err)
		}
		assertAllNoop(t, mustPlan(t, m))
		if t.Failed() {
			break
		}
		os.RemoveAll(filepath.Dir(root))
	}
	t.Logf("escape race: %d trials (%s) in %v: %d swaps of a folder for a symlink leading out; apply made %d changes and refused or failed %d; outside root %d entries created, %d deleted or moved, %d changed; %d contents lost",
		trials, strings.Join(variants, ", "), time.Since(start).Round(time.Millisecond), swaps, changed, refused, created, deleted, modified, lost)
}
