package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Exit codes (SPEC §3).
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // plan --detailed-exitcode: changes; verify: drift; scan: findings
)

// exitError carries an exit code through urfave/cli. A nil err means "exit
// with code, nothing more to print" (the command already reported).
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *codeError) Unwrap() error { return e.err }

// withCode returns err with an exit code attached.
func withCode(code int, err error) error { return &codeError{code: code, err: err} }

// usageError marks a mistake on the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// sys is the process's surroundings, injectable for tests.
type sys struct {
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	lookupEnv func(string) (string, bool)
	// stdinTTY, stdoutTTY and stderrTTY report whether these are
	// terminals.
	stdinTTY, stdoutTTY, stderrTTY bool
}

// Main runs links with args (without the program name) and returns the exit
// code.
func Main(args []string) int {
	out := newFlushWriter(os.Stdout)
	defer out.Flush()
	s := &sys{
		stdin:     os.Stdin,
		stdout:    out,
		stderr:    os.Stderr,
		lookupEnv: os.LookupEnv,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	return s.run(args)
}

func (s *sys) getenv(k string) string {
	v, _ := s.lookupEnv(k)
	return v
}

func (s *sys) run(args []string) int {
	switch {
	case len(args) > 0 && args[0] == completeCmd:
		defer s.flush()
		return s.runComplete(args[1:])
	case len(args) > 0 && args[len(args)-1] == bashCompleteMarker:
		defer s.flush()
		return s.runBashComplete(args)
	}
	app := s.newApp()
	if err := emptyArgument(app, args); err != nil {
		return s.report(err)
	}
	args = reorder(app, args)
	err := app.Run(append([]string{"links"}, args...))
	s.flush() // stdout before any error on stderr
	return s.report(err)
}

// flush writes out buffered stdout (before a prompt or an error, so the
// two streams read in order on a terminal).
func (s *sys) flush() {
	if f, ok := s.stdout.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
}

// report prints err (if any) and returns the exit code.
func (s *sys) report(err error) int {
	if err == nil {
		return exitOK
	}
	code := exitError
	var ce *codeError
	if errors.As(err, &ce) {
		code = ce.code
		if ce.err == nil {
			return code
		}
		err = ce.err
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(s.stderr, "links: %s\nRun 'links --help' for usage.\n", ue.msg)
		return exitError
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(s.stderr, "links: %s\n", line)
	}
	return code
}

func (s *sys) newApp() *cli.App {
	app := &cli.App{
		Name:           "links",
		Usage:          "keep symbolic links in the state a YAML manifest declares",
		Description:    "links plan shows what would change, links apply makes it so, links verify proves it still is.",
		HideVersion:    true,
		Writer:         s.stdout,
		ErrWriter:      s.stderr,
		Reader:         s.stdin,
		Flags:          globalFlags(),
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError(globalFlags()),
		CommandNotFound: func(c *cli.Context, name string) {
			// Reported through Action below: CommandNotFound cannot return
			// an error in urfave/cli v2.
		},
		Before: func(c *cli.Context) error {
			if !c.Bool("version") {
				return nil
			}
			g, err := s.globals(c)
			if err != nil {
				return err
			}
			if err := s.printVersion(g); err != nil {
				return err
			}
			return withCode(exitOK, nil) // print the version, run no command
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				msg := fmt.Sprintf("unknown command %q", c.Args().First())
				var names []string
				for _, cmd := range c.App.Commands {
					if !cmd.Hidden {
						names = append(names, cmd.Names()...)
					}
				}
				if m := suggest(c.Args().First(), names); m != "" {
					msg += fmt.Sprintf("; did you mean %q?", m)
				}
				return &usageError{msg: msg}
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			s.initCommand(),
			s.validateCommand(),
			s.schemaCommand(),
			s.planCommand(),
			s.applyCommand(),
			s.verifyCommand(),
			s.rollbackCommand(),
			s.scanCommand(),
			s.importCommand(),
			s.logCommand(),
			s.backupsCommand(),
			s.versionCommand(),
			s.completionCommand(),
		},
	}
	var setUsage func(cmds []*cli.Command)
	setUsage = func(cmds []*cli.Command) {
		for _, cmd := range cmds {
			cmd.OnUsageError = onUsageError(append(slices.Clone(cmd.Flags), app.Flags...))
			setUsage(cmd.Subcommands)
		}
	}
	setUsage(app.Commands)
	return app
}

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "the manifest `PATH` (default links.yaml, or $LINKS_FILE)"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: text, json, markdown or prometheus (each command writes some of them)"},
		&cli.StringSliceFlag{Name: "var", Usage: "override a declared variable: `NAME=VALUE` (repeatable)"},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour text output: `WHEN` auto (on a terminal, unless NO_COLOR; CLICOLOR_FORCE forces it), always or never"},
		&cli.BoolFlag{Name: "no-color", Usage: "no colour: as --color never (also NO_COLOR)"},
		&cli.StringFlag{Name: "C", Usage: "run as if links was started in `DIR`"},
		&cli.BoolFlag{Name: "version", Usage: "print the version and exit (as links version)"},
	}
}

// globals are the global flags, resolved.
type globals struct {
	dir    string // absolute working folder (-C)
	file   string // manifest path as the user named it (for messages)
	path   string // manifest path, absolute
	output string
	vars   map[string]string
	color  string // --color: auto, always or never
}

func (s *sys) globals(c *cli.Context) (*globals, error) {
	// Global flags are defined on the app only (reorder moves them there),
	// and Context looks a flag up through its lineage.
	root := c
	g := &globals{output: root.String("output"), vars: map[string]string{}}
	if err := checkOutput(c, g.output); err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	g.dir = wd
	if d := root.String("C"); d != "" {
		g.dir = s.abs(wd, d)
		if fi, err := os.Stat(g.dir); err != nil {
			return nil, fmt.Errorf("-C %s: %w", d, unwrapPath(err))
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("-C %s: not a directory", d)
		}
	}
	g.file = root.String("file")
	if g.file == "" {
		g.file = s.getenv("LINKS_FILE")
	}
	if g.file == "" {
		g.file = "links.yaml"
	}
	g.path = s.abs(g.dir, g.file)
	for _, kv := range root.StringSlice("var") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, &usageError{msg: fmt.Sprintf("--var %q: write it as NAME=VALUE", kv)}
		}
		g.vars[name] = value
	}
	switch g.color = root.String("color"); g.color {
	case "auto", "always", "never":
	default:
		return nil, &usageError{msg: fmt.Sprintf("--color %q: use auto, always or never", g.color)}
	}
	if root.Bool("no-color") {
		g.color = "never"
	}
	return g, nil
}

func (s *sys) abs(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// unwrapPath drops the *PathError's own path when the caller names it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// outputs are the -o formats each command writes, by command name ("links"
// for links --version). Any other is a usage error, for every command: a
// script asking verify for markdown learns at once that it gets none.
var outputs = map[string][]string{
	"links":      {"text", "json"},
	"version":    {"text", "json"},
	"validate":   {"text", "json"},
	"schema":     {"text", "json"},
	"plan":       {"text", "json", "markdown"},
	"apply":      {"text", "json", "markdown"},
	"rollback":   {"text", "json", "markdown"},
	"verify":     {"text", "json", "prometheus"},
	"scan":       {"text", "json", "markdown"},
	"import":     {"text"},
	"init":       {"text"},
	"log":        {"text", "json"},
	"backups":    {"text", "json"},
	"prune":      {"text", "json"},
	"completion": {"text"},
}

// allOutputs are the formats of -o, across commands.
var allOutputs = []string{"text", "json", "markdown", "prometheus"}

// checkOutput refuses an -o format the running command does not write.
func checkOutput(c *cli.Context, output string) error {
	name := "links"
	if c.Command != nil && c.Command.Name != "" {
		name = c.Command.Name
	}
	list, ok := outputs[name]
	if !ok {
		list = []string{"text"}
	}
	for _, o := range list {
		if o == output {
			return nil
		}
	}
	cmd := "links --version"
	if name != "links" {
		cmd = "links " + name
		if name == "prune" {
			cmd = "links backups prune"
		}
	}
	if !slices.Contains(allOutputs, output) {
		return &usageError{msg: fmt.Sprintf("-o %q: output must be one of %s (%s writes %s)", output, orList(allOutputs), cmd, orList(list))}
	}
	return &usageError{msg: fmt.Sprintf("-o %s: %s writes %s", output, cmd, orList(list))}
}

// orList writes "a", "a or b", "a, b or c".
func orList(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	return strings.Join(l[:len(l)-1], ", ") + " or " + l[len(l)-1]
}

// onUsageError reports a mistake on the command line, with the flag meant
// when an unknown one looks like a typo of one of flags.
func onUsageError(flags []cli.Flag) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
			name = strings.TrimLeft(name, "-")
			msg = "unknown flag " + dashed(name)
			names := []string{"help"}
			for _, f := range flags {
				names = append(names, f.Names()...)
			}
			if m := suggest(name, names); m != "" {
				msg += fmt.Sprintf("; did you mean %s?", dashed(m))
			}
		}
		return &usageError{msg: msg}
	}
}

// dashed is a flag name as typed: -C, --file.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
