package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// phases groups the tools by the phase of a run they are measured in:
// every ratio the report computes stays within one phase, so a phase can
// be taken from another run (of the same commit) as a whole.
var phases = map[string][]string{
	"create":     {toolApply, toolCreate, toolCreateSync, toolCreateSyncFS, toolLnCreate, toolStow, toolTreeApply, toolCreateMkSync},
	"read":       {toolPlan, toolYAML, toolObserve, toolVerify, toolScan, toolScanJSON, toolScanOne, toolFind, toolRestow, toolTreePlan, toolStowN},
	"replace":    {toolReplace, toolReplaceFl, toolReplaceFlSync, toolReplaceExSync, toolLnReplace},
	"quickstart": {toolQuickstart, toolTrue},
}

// replot merges the reports in files (written by --json) and prints,
// checks and plots them as if measured in one run: a later file's result
// replaces an earlier one's for the same size, scenario and tool. A file
// named FILE:PHASE[+PHASE] contributes only the tools of those phases
// (create, read, replace, quickstart). Each source is named in the output
// with its commit and load, since ratios are only meaningful within one
// run; merge runs of the same commit.
func (b *bench) replot(files []string) error {
	var merged *Report
	for _, spec := range files {
		f, only, _ := strings.Cut(spec, ":")
		var keep []string
		for _, ph := range strings.Split(only, "+") {
			if ph == "" {
				continue
			}
			tools, ok := phases[ph]
			if !ok {
				return fmt.Errorf("--replot %s: phase %q: want create, read, replace or quickstart", spec, ph)
			}
			keep = append(keep, tools...)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if keep != nil {
			r.Results = slices.DeleteFunc(r.Results, func(res *Result) bool { return !slices.Contains(keep, res.Tool) })
		}
		nice := "nice 0"
		if r.Nice != 0 {
			nice = fmt.Sprintf("nice %d (%s)", r.Nice, orNone(r.NiceScope, "scope not recorded"))
		}
		src := fmt.Sprintf("%s: run of %s, links %s, %d runs per tool, %s, %s; load (uptime) %s", f, r.Started.Format("2006-01-02 15:04"), r.Host.LinksCommit, r.Reps, strings.Join(r.Scenarios, ", "), nice, strings.Join(r.Host.Load, "; "))
		if only != "" {
			src = "phase " + only + " from " + src
		}
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
		merged.ScanTreeSizes = union(merged.ScanTreeSizes, r.ScanTreeSizes)
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
