package main

import (
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
