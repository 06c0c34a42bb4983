package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
)

func (s *sys) validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check the manifest against its schema and rules; touches no file",
		ArgsUsage: " ",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &usageError{msg: "validate takes no arguments; name the manifest with -f"}
			}
			g, err := s.globals(c)
			if err != nil {
				return err
			}
			m, err := s.load(g)
			if err == nil {
				err = policyErrors(m)
			}
			if err != nil {
				m = nil
			}
			return s.printValidate(g, m, err)
		},
	}
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
		gcHooks.loading()
	}
	m, err := manifest.Load(g.path, manifest.Options{
		Vars:      g.vars,
		LookupEnv: s.lookupEnv,
		Home:      home,
		Display:   g.file,
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such manifest in %s; name one with -f or $LINKS_FILE, or start from examples/quickstart/links.yaml", g.file, g.dir)
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

func (s *sys) printValidate(g *globals, m *manifest.Manifest, err error) error {
	var list manifest.ErrorList
	if err != nil && !errors.As(err, &list) {
		return err // not a manifest problem: cannot read it, etc.
	}
	if g.output == "json" {
		out := validateJSON{FormatVersion: 1, Valid: err == nil, Manifest: g.file, Errors: []errorJSON{}}
		if m != nil {
			out.Root, out.Links = m.Root, len(m.Links)
		}
		for _, e := range list {
			out.Errors = append(out.Errors, errorJSON{File: e.File, Line: e.Line, Column: e.Col, Path: e.Path, Message: e.Msg})
		}
		if werr := writeJSON(s.stdout, out); werr != nil {
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
