package main

import (
	"fmt"
	"sort"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/reconcile"
)

func (s *sys) verifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check every declared link exists, has the declared text, and resolves",
		ArgsUsage: " ",
		Description: "Checks that every declared link exists, is a symlink, has the declared link text,\n" +
			"resolves (unless allow_dangling), and matches kind and allow. Exit 0 in sync, 2 on\n" +
			"any problem, 1 on error. -o prometheus writes the node_exporter textfile format.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "scan", Usage: "also report symlinks under root that the manifest does not declare (problem \"undeclared\")"},
		},
		Action: s.action(0, "verify takes no arguments; name the manifest with -f", func(c *cli.Context, g *globals) error {
			return s.withRoot(g, true, func(m *manifest.Manifest, root *reconcile.Root) error {
				return s.verify(c, g, m, root)
			})
		}),
	}
}

// verify checks root against m, with --scan the undeclared links too.
func (s *sys) verify(c *cli.Context, g *globals, m *manifest.Manifest, root *reconcile.Root) error {
	problems, err := root.Verify(m)
	if err != nil {
		return err
	}
	if c.Bool("scan") {
		extra, err := root.Undeclared(m)
		if err != nil {
			return err
		}
		problems = append(problems, extra...)
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Dest < problems[j].Dest })
	}
	if err := s.printVerify(g, m, root, problems); err != nil {
		return err
	}
	if len(problems) > 0 {
		return withCode(exitChanges, nil)
	}
	return nil
}

// printVerify writes verify's result in the output format g asks.
func (s *sys) printVerify(g *globals, m *manifest.Manifest, root *reconcile.Root, problems []reconcile.Problem) error {
	if g.output == "prometheus" {
		last, err := lastApply(root)
		if err != nil {
			return err
		}
		if err := writePrometheus(s.stdout, g.path, m, problems, last); err != nil {
			return err
		}
	} else if g.output == "json" {
		out := struct {
			FormatVersion int                 `json:"format_version"`
			OK            bool                `json:"ok"`
			Manifest      string              `json:"manifest"`
			Root          string              `json:"root"`
			Links         int                 `json:"links"`
			Problems      []reconcile.Problem `json:"problems"`
		}{1, len(problems) == 0, g.file, m.Root, len(m.Links), problems}
		if out.Problems == nil {
			out.Problems = []reconcile.Problem{}
		}
		if err := writeJSON(s.stdout, out); err != nil {
			return err
		}
	} else if len(problems) == 0 {
		verb := "match"
		if len(m.Links) == 1 {
			verb = "matches"
		}
		fmt.Fprintf(s.stdout, "OK: %s in %s %s %s.\n", plural(len(m.Links), "link"), m.Root, verb, g.file)
	} else {
		for _, p := range problems {
			name := ""
			if p.Name != "" {
				name = " (" + p.Name + ")"
			}
			fmt.Fprintf(s.stdout, "  %-13s %s%s: %s\n", p.Problem, p.Dest, name, p.Detail)
		}
		fmt.Fprintf(s.stdout, "\n%s in %s. Run links plan to see the fix, links apply to make it.\n", plural(len(problems), "problem"), plural(len(m.Links), "link"))
	}
	return nil
}
