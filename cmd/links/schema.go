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
