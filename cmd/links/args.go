package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// reorder lets flags come before or after the command and its arguments
// (SPEC §1: `links apply plan.json --auto-approve` works). urfave/cli stops
// parsing flags at the first positional argument and only knows global flags
// before the command, so the arguments are rearranged into
//
//	GLOBAL-FLAGS COMMAND COMMAND-FLAGS -- POSITIONALS
//
// Unknown flags stay with the command, where urfave/cli reports them. A "--"
// ends flag parsing as usual.
func reorder(app *cli.App, args []string) []string {
	global := flagArity(app.Flags)
	var globals, cmdFlags, positionals []string
	var cmd *cli.Command
	var cmdPath []string
	var local map[string]bool
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positionals = append(positionals, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if cmd == nil && len(positionals) == 0 {
				if c := app.Command(a); c != nil {
					cmd, local = c, flagArity(c.Flags)
					cmdPath = append(cmdPath, a)
					continue
				}
			} else if cmd != nil && len(positionals) == 0 && len(cmd.Subcommands) > 0 {
				if sc := cmd.Command(a); sc != nil {
					cmd, local = sc, flagArity(sc.Flags)
					cmdPath = append(cmdPath, a)
					continue
				}
			}
			positionals = append(positionals, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		takesValue, isLocal := local[name]
		dst := &cmdFlags
		if !isLocal {
			if tv, isGlobal := global[name]; isGlobal {
				takesValue, dst = tv, &globals
			}
		}
		*dst = append(*dst, a)
		if takesValue && !hasValue && i+1 < len(args) {
			*dst = append(*dst, args[i+1])
			i++
		}
	}
	out := append([]string{}, globals...)
	out = append(out, cmdPath...)
	out = append(out, cmdFlags...)
	if len(positionals) > 0 {
		out = append(out, "--")
		out = append(out, positionals...)
	}
	return out
}

// flagArity maps every name and alias of flags to whether it takes a value.
func flagArity(flags []cli.Flag) map[string]bool {
	m := map[string]bool{"help": false, "h": false}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			m[n] = !isBool
		}
	}
	return m
}

// emptyArgument reports the first empty argument (a positional "" or a
// flag given an empty value) as a usage error. An empty string is never a
// path, a plan file, an apply id or a flag value: taken as "not given" it
// would silently choose the default (`links rollback ""` would roll back
// the last apply), taken as a path it names the working folder.
func emptyArgument(app *cli.App, args []string) error {
	global := flagArity(app.Flags)
	var cmd *cli.Command
	var local map[string]bool
	name := func() string {
		if cmd == nil {
			return "links"
		}
		return cmd.Name
	}
	positional := func() error {
		what := "argument"
		if cmd != nil {
			if u := strings.Trim(cmd.ArgsUsage, "[]. "); u != "" {
				what = u
			}
		}
		return &usageError{msg: fmt.Sprintf("%s: an empty %s (\"\") names nothing; give one or leave it out", name(), what)}
	}
	positionals := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if positionals || a == "--" {
			if positionals && a == "" {
				return positional()
			}
			positionals = true
			continue
		}
		if a == "" {
			return positional()
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if cmd == nil {
				if c := app.Command(a); c != nil {
					cmd, local = c, flagArity(c.Flags)
					continue
				}
			} else if len(cmd.Subcommands) > 0 {
				if sc := cmd.Command(a); sc != nil {
					cmd, local = sc, flagArity(sc.Flags)
					continue
				}
			}
			continue
		}
		flag := strings.TrimLeft(a, "-")
		flag, value, hasValue := strings.Cut(flag, "=")
		takesValue, isLocal := local[flag]
		if !isLocal {
			takesValue = global[flag]
		}
		if !takesValue {
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value, hasValue = args[i], true
		}
		if hasValue && value == "" {
			dash := "--"
			if len(flag) == 1 {
				dash = "-"
			}
			return &usageError{msg: fmt.Sprintf("%s%s \"\": the flag needs a value; give one or leave the flag out", dash, flag)}
		}
	}
	return nil
}
