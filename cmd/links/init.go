package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// starterManifest is what links init prints: every top-level key, the
// optional ones commented out, and one link that plans cleanly (its target
// may be missing until the release exists).
const starterManifest = `# yaml-language-server: $schema=./links.schema.json
# The symbolic links this folder should have. Editors check and complete
# this file once the schema is saved beside it:
#
#   links schema > links.schema.json
#
# Then: links plan shows what would change, links apply makes it so,
# links verify proves it still is. Reference: links --help, man links.
version: 1

# root: .              # the tree links may write to (default: this file's folder); "~" allowed
# state_dir: .links    # under root: the lock, the journal, the state, backups
# defaults:            # for every link below, unless it says otherwise
#   strategy: relative # the link text: relative (from the link's folder) or absolute
#   replace: symlink   # what may be displaced at a dest: never, symlink, file, any
vars:
  release: v1          # used as ${release}; links plan --var release=v2 overrides it

links:
  # name: where the link lives (dest) and what it points to (target),
  # both relative to root.
  current:
    dest: current
    target: releases/${release}
    allow_dangling: true  # the target may not exist yet; remove this once it does
  # dotfiles:            # a tree: one link per file under target, mirrored under dest
  #   dest: .config/nvim
  #   target: dotfiles/nvim
  #   tree: true
  #   exclude: [README.md]
`

func (s *sys) initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "print a commented starter manifest, or write it with --write FILE",
		ArgsUsage: " ",
		Description: "The manifest has the yaml-language-server modeline (save the schema beside it with\n" +
			"links schema > links.schema.json), validates, and plans one link to start from.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "write", Usage: "write the manifest to `FILE` instead of stdout (refuses to overwrite)"},
			&cli.BoolFlag{Name: "force", Usage: "with --write, overwrite an existing FILE"},
		},
		Action: s.action(0, "init takes no arguments; name the file with --write FILE", func(c *cli.Context, g *globals) error {
			w := c.String("write")
			if c.Bool("force") && w == "" {
				return &usageError{msg: "--force only applies with --write FILE"}
			}
			if w == "" {
				_, err := s.stdout.Write([]byte(starterManifest))
				return err
			}
			if err := writeNew(s.abs(g.dir, w), []byte(starterManifest), c.Bool("force")); err != nil {
				return err
			}
			fmt.Fprintf(s.stdout, "Wrote %s. Next:\n  links schema > links.schema.json   # for editors\n  links plan%s\n", w, fileFlag(w))
			return nil
		}),
	}
}

// fileFlag is " -f FILE" unless FILE is the default manifest.
func fileFlag(file string) string {
	if file == "links.yaml" {
		return ""
	}
	return " -f " + file
}
