package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// Build stamps, for packagers. Each overrides what the Go toolchain
// recorded in the binary (runtime/debug.ReadBuildInfo):
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.revision=$(git rev-parse HEAD)" ./cmd/links
//
// Left empty, the version is the module's (set by go install ...@v1.2.0,
// or derived from the checkout's tag by go build), and the revision and
// its "modified" mark are the checkout's (vcs.revision, vcs.modified;
// recorded unless -buildvcs=false).
var (
	version  string
	revision string
)

// buildVersion is what links version prints.
type buildVersion struct {
	FormatVersion int    `json:"format_version"`
	Version       string `json:"version"`
	Revision      string `json:"revision"`
	Modified      bool   `json:"modified"`
	Go            string `json:"go"`
	Platform      string `json:"platform"`
}

// readVersion combines the -ldflags stamps with the build information.
func readVersion(info *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{FormatVersion: 1, Version: version, Revision: revision,
		Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if ok {
		if v.Version == "" && info.Main.Version != "(devel)" {
			v.Version = info.Main.Version
		}
		if info.GoVersion != "" {
			v.Go = info.GoVersion
		}
		if revision == "" {
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					v.Revision = s.Value
				case "vcs.modified":
					v.Modified = s.Value == "true"
				}
			}
		}
	}
	if v.Version == "" {
		v.Version = "devel"
	}
	return v
}

// text is the one line links version prints.
func (v buildVersion) text() string {
	rev := "revision unknown"
	if v.Revision != "" {
		rev = "revision " + v.Revision
		if v.Modified {
			rev += " (modified)"
		}
	}
	return fmt.Sprintf("links version %s, %s, %s, %s", v.Version, rev, v.Go, v.Platform)
}

func (s *sys) versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the version, revision, Go version and platform",
		ArgsUsage: " ",
		Description: "Prints the version (the module's, or as stamped with -ldflags -X main.version=...),\n" +
			"the VCS revision it was built from, the Go version and the platform.",
		Action: s.action(0, "version takes no arguments", func(_ *cli.Context, g *globals) error {
			return s.printVersion(g)
		}),
	}
}

func (s *sys) printVersion(g *globals) error {
	v := readVersion(debug.ReadBuildInfo())
	if g.output == "json" {
		return writeJSON(s.stdout, v)
	}
	fmt.Fprintln(s.stdout, v.text())
	return nil
}
