package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// replot merges the reports in files (written by --json) and prints,
// checks and plots them as if measured in one run: a later file's result
// replaces an earlier one's for the same size, scenario and tool. Each
// source is named in the output with its commit and load, since the
// ratios are only meaningful within one run; merge runs of the same
// commit.
func (b *bench) replot(files []string) error {
	var merged *Report
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		nice := "nice 0"
		if r.Nice != 0 {
			nice = fmt.Sprintf("nice %d (%s)", r.Nice, orNone(r.NiceScope, "scope not recorded"))
		}
		src := fmt.Sprintf("%s: run of %s, links %s, %d runs per tool, %s, %s; load (uptime) %s", f, r.Started.Format("2006-01-02 15:04"), r.Host.LinksCommit, r.Reps, strings.Join(r.Scenarios, ", "), nice, strings.Join(r.Host.Load, "; "))
		if merged == nil {
			merged = &r
			merged.Targets = nil
			merged.Sources = append(merged.Sources, src)
			results := merged.Results
			merged.Results, merged.index = nil, nil
			for _, res := range results {
				*merged.result(res.N, res.Scenario, res.Tool) = *res
			}
			continue
		}
		merged.Sources = append(merged.Sources, src)
		for _, res := range r.Results {
			*merged.result(res.N, res.Scenario, res.Tool) = *res
		}
		merged.Sizes = union(merged.Sizes, r.Sizes)
		merged.LargeSizes = union(merged.LargeSizes, r.LargeSizes)
		for _, s := range r.Scenarios {
			if !slices.Contains(merged.Scenarios, s) {
				merged.Scenarios = append(merged.Scenarios, s)
			}
		}
		for _, n := range r.Notes {
			merged.note("%s", n)
		}
		merged.Reps = max(merged.Reps, r.Reps)
		if r.Host.LinksCommit != merged.Host.LinksCommit {
			merged.note("merged runs measured different commits (%s, %s): compare ratios within a run", merged.Host.LinksCommit, r.Host.LinksCommit)
		}
	}
	if merged == nil {
		return fmt.Errorf("--replot: no files")
	}
	b.rep = merged
	b.cfg.sizes, b.cfg.large, b.cfg.scenarios = merged.Sizes, merged.LargeSizes, nil
	for _, s := range merged.Scenarios {
		sc, err := parseScenario(s)
		if err != nil {
			return err
		}
		b.cfg.scenarios = append(b.cfg.scenarios, sc)
	}
	b.evalTargets()
	b.printReport(b.stdout)
	if b.cfg.jsonFile != "" {
		if err := merged.writeJSON(b.cfg.jsonFile); err != nil {
			return err
		}
	}
	if b.cfg.svgFile != "" {
		return writeSVG(b.cfg.svgFile, merged, b.mainScenario())
	}
	return nil
}

func union(a, b []int) []int {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
