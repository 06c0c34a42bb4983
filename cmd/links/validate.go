package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
)

func (s *sys) validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check manifests against the schema and their own rules; touches no file",
		ArgsUsage: "[MANIFEST...]",
		Description: "Checks the manifest named by -f (default links.yaml), or each MANIFEST given, as a\n" +
			"pre-commit hook does: links validate a/links.yaml b/links.yml. Every problem is\n" +
			"reported as FILE:LINE:COL: message; the exit status is 1 if any manifest is not valid.",
		Action: func(c *cli.Context) error {
			g, err := s.globals(c)
			if err != nil {
				return err
			}
			if c.NArg() == 0 {
				m, err := s.validate(g)
				return s.printValidate(g, m, err)
			}
			if c.IsSet("file") {
				return &usageError{msg: "name the manifests either as arguments or with -f, not both"}
			}
			if c.NArg() == 1 {
				g.file = c.Args().First()
				g.path = s.abs(g.dir, g.file)
				m, err := s.validate(g)
				return s.printValidate(g, m, err)
			}
			return s.validateMany(g, c.Args().Slice())
		},
	}
}

// validate loads the manifest g names and checks what plan would refuse.
func (s *sys) validate(g *globals) (*manifest.Manifest, error) {
	m, err := s.load(g)
	if err == nil {
		err = policyErrors(m)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// validateMany checks each manifest in files, reporting every problem of
// every one of them, and fails if any is not valid.
func (s *sys) validateMany(g *globals, files []string) error {
	out := struct {
		FormatVersion int            `json:"format_version"`
		Valid         bool           `json:"valid"`
		Manifests     []validateJSON `json:"manifests"`
	}{FormatVersion: 1, Valid: true}
	bad := 0
	for _, file := range files {
		one := *g
		one.file, one.path = file, s.abs(g.dir, file)
		m, err := s.validate(&one)
		if err != nil {
			bad++
		}
		if g.output == "json" {
			out.Manifests = append(out.Manifests, validateWire(&one, m, err))
			continue
		}
		var list manifest.ErrorList
		switch {
		case err == nil:
			fmt.Fprintf(s.stdout, "%s is valid: %s under %s.\n", file, plural(len(m.Links), "link"), m.Root)
		case errors.As(err, &list):
			s.flush()
			for _, line := range strings.Split(err.Error(), "\n") {
				fmt.Fprintf(s.stderr, "links: %s\n", line)
			}
			fmt.Fprintf(s.stderr, "links: %s is not valid: %s\n", file, plural(len(list), "problem"))
		default:
			s.flush()
			fmt.Fprintf(s.stderr, "links: %v\n", err)
		}
	}
	if g.output == "json" {
		out.Valid = bad == 0
		if err := writeJSON(s.stdout, out); err != nil {
			return err
		}
	}
	if bad > 0 {
		return withCode(exitError, fmt.Errorf("%d of %d manifests are not valid", bad, len(files)))
	}
	return nil
}

// policyErrors reports the declared targets that their allow globs refuse:
// plan would make them conflicts, so validate says so up front.
func policyErrors(m *manifest.Manifest) error {
	var list manifest.ErrorList
	nested := plan.NestedDests(m)
	for i := range m.Links {
		l := &m.Links[i]
		if outer, ok := nested[l.Dest]; ok {
			list = append(list, &manifest.Error{File: m.File, Line: l.Pos.Line, Col: l.Pos.Col, Path: "links." + l.Name + ".dest",
				Msg: fmt.Sprintf("dest %q is inside %q, the dest of links.%s, which is a link: links would write through it into that link's target; move one of the two", l.Dest, outer.Dest, outer.Name)})
		}
		if !l.Allowed(m.Root) {
			list = append(list, &manifest.Error{File: m.File, Line: l.Pos.Line, Col: l.Pos.Col, Path: "links." + l.Name + ".target",
				Msg: fmt.Sprintf("target %q is not allowed by allow: [%s]; fix the target or the allow list", l.Target, strings.Join(l.Allow, ", "))})
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}

// load reads the manifest named by the global flags.
func (s *sys) load(g *globals) (*manifest.Manifest, error) {
	home, _ := s.lookupEnv("HOME")
	if home == "" {
		home, _ = s.lookupEnv("USERPROFILE")
	}
	if gcHooks.loading != nil {
		var size int64
		if fi, err := os.Stat(g.path); err == nil {
			size = fi.Size()
		}
		gcHooks.loading(size)
	}
	m, err := manifest.Load(g.path, manifest.Options{
		Vars:      g.vars,
		LookupEnv: s.lookupEnv,
		Home:      home,
		Display:   g.file,
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such manifest in %s; name one with -f or $LINKS_FILE, or write one (links import --write %s declares the symlinks already there)", g.file, g.dir, g.file)
	}
	if err != nil {
		return nil, err
	}
	if gcHooks.loaded != nil {
		gcHooks.loaded(len(m.Links))
	}
	reconcile.Tracef("manifest loaded: %d links", len(m.Links))
	return m, nil
}

type validateJSON struct {
	FormatVersion int         `json:"format_version"`
	Valid         bool        `json:"valid"`
	Manifest      string      `json:"manifest"`
	Root          string      `json:"root,omitempty"`
	Links         int         `json:"links"`
	Errors        []errorJSON `json:"errors"`
}

type errorJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// validateWire is validate's JSON for one manifest: err is nil, a
// manifest.ErrorList, or an error reading it (reported without a place).
func validateWire(g *globals, m *manifest.Manifest, err error) validateJSON {
	out := validateJSON{FormatVersion: 1, Valid: err == nil, Manifest: g.file, Errors: []errorJSON{}}
	if m != nil {
		out.Root, out.Links = m.Root, len(m.Links)
	}
	var list manifest.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			out.Errors = append(out.Errors, errorJSON{File: e.File, Line: e.Line, Column: e.Col, Path: e.Path, Message: e.Msg})
		}
	} else if err != nil {
		out.Errors = append(out.Errors, errorJSON{File: g.file, Message: err.Error()})
	}
	return out
}

func (s *sys) printValidate(g *globals, m *manifest.Manifest, err error) error {
	var list manifest.ErrorList
	if err != nil && !errors.As(err, &list) {
		return err // not a manifest problem: cannot read it, etc.
	}
	if g.output == "json" {
		if werr := writeJSON(s.stdout, validateWire(g, m, err)); werr != nil {
			return werr
		}
		if err != nil {
			return withCode(exitError, fmt.Errorf("%s is not valid: %s", g.file, plural(len(list), "problem")))
		}
		return nil
	}
	if err != nil {
		return withCode(exitError, fmt.Errorf("%w\n%s is not valid: %s", err, g.file, plural(len(list), "problem")))
	}
	if len(m.Trees) > 0 {
		// A tree's links depend on its source, which validate does not read.
		fmt.Fprintf(s.stdout, "%s is valid: %s and %s (expanded by plan) under %s.\n", g.file, plural(len(m.Links), "link"), plural(len(m.Trees), "tree"), m.Root)
		return nil
	}
	fmt.Fprintf(s.stdout, "%s is valid: %s under %s.\n", g.file, plural(len(m.Links), "link"), m.Root)
	return nil
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	// Paths and link texts are shown as written: no \u003e for ">".
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
