package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/reconcile/importer"
	"github.com/linksdev/links/reconcile/scan"
)

func (s *sys) importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "print a manifest declaring the symlinks found, so links plan on it shows no change",
		ArgsUsage: "[PATH...]",
		Description: "Scans each PATH (default: --root) and prints a manifest declaring every symlink\n" +
			"found, to stdout or --write FILE. root: is written relative to where the manifest\n" +
			"goes: --write FILE, else -f (default links.yaml in the working folder).\n" +
			"Links it cannot declare as they are are skipped, each with a warning on stderr.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: ".", Usage: "the manifest's root `DIR`; every PATH must lie under it"},
			&cli.StringFlag{Name: "strategy", Value: importer.StrategyKeep, Usage: "`HOW` link texts are declared: keep (as each link is), relative, absolute"},
			&cli.StringFlag{Name: "dangling", Value: "skip", Usage: "`MODE` for broken links: skip (with a warning) or allow (declared with allow_dangling: true)"},
			&cli.StringFlag{Name: "write", Usage: "write the manifest to `FILE` instead of stdout (refuses to overwrite)"},
			&cli.BoolFlag{Name: "force", Usage: "with --write, overwrite an existing FILE"},
			&cli.BoolFlag{Name: "trees", Usage: "declare a tree entry where a folder's links all mirror one source folder (kept only if it reproduces exactly the links found)"},
			&cli.StringSliceFlag{Name: "exclude", Usage: "skip entries matching `GLOB` (by name, or by path when it has a slash; repeatable)"},
			&cli.BoolFlag{Name: "one-file-system", Aliases: []string{"x"}, Usage: "do not enter folders on other filesystems"},
			&cli.BoolFlag{Name: "no-default-excludes", Usage: "also scan .git folders"},
			&cli.IntFlag{Name: "workers", Usage: "read `N` folders at once (default: one per core, at least 2)"},
		},
		Action: s.importAction,
	}
}

// importAction checks import's flags, scans and writes the manifest.
func (s *sys) importAction(c *cli.Context) error {
	g, err := s.globals(c)
	if err != nil {
		return err
	}
	allow, err := importFlags(c)
	if err != nil {
		return err
	}
	root := s.abs(g.dir, c.String("root"))
	if fi, err := os.Stat(root); err != nil {
		return fmt.Errorf("--root %s: %w", c.String("root"), unwrapPath(err))
	} else if !fi.IsDir() {
		return fmt.Errorf("--root %s: not a directory", c.String("root"))
	}
	manifestFile := g.path
	if w := c.String("write"); w != "" {
		manifestFile = s.abs(g.dir, w)
		if _, err := os.Lstat(manifestFile); err == nil && !c.Bool("force") {
			return fmt.Errorf("%s already exists; pass --force to overwrite it", w)
		}
	}
	paths := c.Args().Slice()
	if len(paths) == 0 {
		paths = []string{c.String("root")} // shown as typed
	}
	res, err := importer.Import(importer.Options{
		Root:  root,
		Paths: paths,
		Scan: scan.Options{
			Dir:           g.dir,
			Exclude:       c.StringSlice("exclude"),
			IncludeGit:    c.Bool("no-default-excludes"),
			OneFileSystem: c.Bool("one-file-system"),
			Workers:       c.Int("workers"),
		},
		Strategy:      c.String("strategy"),
		AllowDangling: allow,
		Trees:         c.Bool("trees"),
		ManifestFile:  manifestFile,
	})
	if err != nil {
		return err
	}
	return s.reportImport(c, res, manifestFile)
}

// importFlags checks the values of --dangling, --strategy and --force,
// and returns whether dangling links are declared.
func importFlags(c *cli.Context) (allowDangling bool, err error) {
	switch d := c.String("dangling"); d {
	case "skip":
	case "allow":
		allowDangling = true
	default:
		return false, &usageError{msg: fmt.Sprintf("--dangling %q: use skip or allow", d)}
	}
	switch st := c.String("strategy"); st {
	case importer.StrategyKeep, importer.StrategyRelative, importer.StrategyAbsolute:
	default:
		return false, &usageError{msg: fmt.Sprintf("--strategy %q: use keep, relative or absolute", st)}
	}
	if c.Bool("force") && c.String("write") == "" {
		return false, &usageError{msg: "--force only applies with --write FILE"}
	}
	return allowDangling, nil
}

// reportImport warns of what import skipped and writes the manifest: to
// stdout, or to --write FILE.
func (s *sys) reportImport(c *cli.Context, res *importer.Result, manifestFile string) error {
	for _, e := range res.Unreadable {
		fmt.Fprintf(s.stderr, "links: warning: cannot read folder %s (%v); symlinks beneath it are not imported\n", showText(e.Path), unwrapPath(e.Err))
	}
	for _, k := range res.Skipped {
		fmt.Fprintf(s.stderr, "links: warning: skipped %s -> %s: %s\n", showText(k.Path), showText(k.Link), k.Reason)
	}
	summary := fmt.Sprintf("Imported %s", plural(res.Declared, "symlink"))
	if res.Trees > 0 {
		summary += fmt.Sprintf(" (%s)", plural(res.Trees, "tree"))
	}
	if n := len(res.Skipped); n > 0 {
		summary += fmt.Sprintf(" (%d skipped, see the warnings)", n)
	}
	if res.Rewritten > 0 {
		summary += fmt.Sprintf("; links apply would rewrite %d of them as %s", res.Rewritten, c.String("strategy"))
	}
	w := c.String("write")
	if w == "" {
		if _, err := s.stdout.Write(res.YAML); err != nil {
			return err
		}
		fmt.Fprintf(s.stderr, "%s. Save it as %s: its root: is relative to that folder.\n", summary, manifestFile)
		return nil
	}
	if err := writeNew(manifestFile, res.YAML, c.Bool("force")); err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "%s into %s.\n", summary, w)
	return nil
}

// writeNew writes data to file. Without force it refuses an existing file
// (O_EXCL, so even one created a moment ago); with force it replaces the
// file by renaming a complete temporary copy over it.
func writeNew(file string, data []byte, force bool) error {
	if !force {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; pass --force to overwrite it", file)
		}
		if err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		_, err = f.Write(data)
		if err2 := f.Close(); err == nil {
			err = err2
		}
		if err != nil {
			os.Remove(file)
			return fmt.Errorf("write manifest: %w", err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".links-tmp.*")
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	_, err = tmp.Write(data)
	if err2 := tmp.Close(); err == nil {
		err = err2
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}
