package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/manifest"
	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
)

func (s *sys) planCommand() *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "show what apply would change; writes nothing",
		ArgsUsage: " ",
		Description: "Compares the manifest with the filesystem and prints the changes apply would make,\n" +
			"sorted by dest, then a summary line. Writes nothing, not even state_dir. Exit 1 on\n" +
			"a conflict; with --detailed-exitcode, 2 when there are changes, 0 when none.\n" +
			"--out FILE saves the plan for links apply FILE (refused when it has conflicts).",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 2 when there are changes to make, 0 when none"},
			&cli.StringFlag{Name: "out", Usage: "save the plan to `FILE` for links apply FILE"},
		},
		Action: s.action(0, "plan takes no arguments; name the manifest with -f", func(c *cli.Context, g *globals) error {
			return s.withRoot(g, true, func(m *manifest.Manifest, root *reconcile.Root) error {
				return s.plan(c, g, m, root)
			})
		}),
	}
}

// plan prints the plan of m over root and saves it when --out asks.
func (s *sys) plan(c *cli.Context, g *globals, m *manifest.Manifest, root *reconcile.Root) error {
	p, err := root.Plan(m, plan.NewID(time.Now(), rand.Reader))
	if err != nil {
		return err
	}
	shown := p
	if c.String("out") == "" && g.output != "json" {
		// Not saved: the apply that follows plans again, under
		// its own id; do not show a backup folder it will not use.
		shown = withPendingBackups(p)
	}
	if err := s.printPlan(g, shown); err != nil {
		return err
	}
	sum := p.Summary()
	if out := c.String("out"); out != "" {
		if err := p.Conflicts(); err != nil {
			return withCode(exitError, fmt.Errorf("plan not saved to %s: %w", out, err))
		}
		if err := s.savePlan(g, p, out); err != nil {
			return err
		}
	}
	if err := p.Conflicts(); err != nil {
		return withCode(exitError, err)
	}
	if c.Bool("detailed-exitcode") && sum.Changed() {
		return withCode(exitChanges, nil)
	}
	return nil
}

// pendingID stands for the id of an apply not made yet in backup paths.
const pendingID = "<apply-id>"

// withPendingBackups returns a copy of p whose backup paths name the
// folder of the apply to come, whose id is not known yet, as
// state_dir/backups/<apply-id>/DEST; or
// p itself when no change has a backup (the changes are copied only when
// one must be rewritten: 100,000 of them are 25 MB).
func withPendingBackups(p *plan.Plan) *plan.Plan {
	q := *p
	prefix := plan.BackupPath(p.StateDir, p.ID, "") + "/"
	copied := false
	for i := range q.Changes {
		if b := q.Changes[i].Backup; strings.HasPrefix(b, prefix) {
			if !copied {
				q.Changes, copied = slices.Clone(p.Changes), true
			}
			q.Changes[i].Backup = plan.BackupPath(p.StateDir, pendingID, strings.TrimPrefix(b, prefix))
		}
	}
	if !copied {
		return p
	}
	return &q
}

// savePlan writes p, with the manifest's digest, to out.
func (s *sys) savePlan(g *globals, p *plan.Plan, out string) error {
	digest, err := manifestDigest(g.path)
	if err != nil {
		return err
	}
	p.ManifestDigest = digest
	if len(g.vars) > 0 {
		p.Vars = g.vars
	}
	var b bytes.Buffer
	if err := plan.WriteJSON(&b, p, plan.JSONOptions{}); err != nil {
		return err
	}
	if err := os.WriteFile(s.abs(g.dir, out), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if g.output == "text" {
		fmt.Fprintf(s.stdout, "\nSaved the plan to %s. To make exactly these changes, run:\n  links apply %s\n", out, out)
	}
	return nil
}

// manifestDigest is the hex SHA-256 of the manifest file.
func manifestDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read manifest: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func (s *sys) printPlan(g *globals, p *plan.Plan) error {
	switch g.output {
	case "json":
		return plan.WriteJSON(s.stdout, p, plan.JSONOptions{})
	case "markdown":
		return plan.WriteMarkdown(s.stdout, p)
	}
	return plan.WriteText(s.stdout, p, plan.TextOptions{Color: s.color(g)})
}

// color reports whether text output may use ANSI colours: --color always
// or never, else (auto) as no-color.org and bixense.com/clicolors say:
// never with NO_COLOR (set and not empty), always with CLICOLOR_FORCE (set
// and not 0, as CI logs want), never with CLICOLOR=0, else when stdout is
// a terminal whose TERM is not dumb.
func (s *sys) color(g *globals) bool {
	switch g.color {
	case "always":
		return true
	case "never":
		return false
	}
	if s.getenv("NO_COLOR") != "" {
		return false
	}
	if v := s.getenv("CLICOLOR_FORCE"); v != "" && v != "0" {
		return true
	}
	if s.getenv("CLICOLOR") == "0" {
		return false
	}
	return s.stdoutTTY && s.getenv("TERM") != "dumb"
}

// progress reports whether apply may draw a progress bar on stderr.
func (s *sys) progress() bool {
	return s.stderrTTY && s.getenv("TERM") != "dumb"
}

// confirm asks for "yes" on the terminal.
func (s *sys) confirm(question string) (bool, error) {
	s.flush()
	fmt.Fprintf(s.stderr, "%s\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question)
	var line []byte
	buf := make([]byte, 1)
	for {
		n, err := s.stdin.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			line = append(line, buf[0])
		}
		if err != nil {
			if len(line) == 0 {
				return false, fmt.Errorf("read answer: %w", err)
			}
			break
		}
	}
	fmt.Fprintln(s.stderr)
	return string(trimCR(line)) == "yes", nil
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}
