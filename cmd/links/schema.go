package main

import (
	"github.com/urfave/cli/v2"

	"github.com/linksdev/links/schema"
)

func (s *sys) schemaCommand() *cli.Command {
	return &cli.Command{
		Name:      "schema",
		Usage:     "print the manifest's JSON Schema",
		ArgsUsage: " ",
		Description: "Prints the manifest's JSON Schema (draft 2020-12). Save it beside the manifest\n" +
			"(links schema > links.schema.json) for editors that read the\n" +
			"yaml-language-server modeline links init writes.",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &usageError{msg: "schema takes no arguments"}
			}
			if err := checkOutput(c, c.String("output")); err != nil {
				return err
			}
			_, err := s.stdout.Write(schema.JSON())
			return err
		},
	}
}
