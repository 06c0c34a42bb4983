package main

import (
	"fmt"

	"github.com/linksdev/links/manifest"

	"github.com/linksdev/links/plan"
	"github.com/linksdev/links/reconcile"
)

// replanDiffers plans again from the manifest and the disk and lists how
// the saved plan p differs from what the manifest now plans (SPEC §1: a
// saved plan is refused whole unless every change in it is exactly one the
// manifest now plans). It catches what re-observing p's own dests cannot:
// a tree's source that gained or lost a file since p was saved declares a
// link p does not have, or no longer declares one it has.
func replanDiffers(root *reconcile.Root, m *manifest.Manifest, p *plan.Plan) ([]string, error) {
	now, err := root.Plan(m, p.ID)
	if err != nil {
		return nil, err
	}
	type key struct {
		action plan.Action
		link   string
		name   string
	}
	want := make(map[string]key, len(now.Changes))
	for _, c := range now.Changes {
		if c.Action != plan.Noop {
			want[c.Dest] = key{c.Action, c.After.Link, c.Name}
		}
	}
	var out []string
	for _, c := range p.Changes {
		if c.Action == plan.Noop {
			continue
		}
		k, ok := want[c.Dest]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: planned to %s, now nothing to do", c.Dest, c.Action))
		case k != key{c.Action, c.After.Link, c.Name}:
			out = append(out, fmt.Sprintf("%s: planned to %s, now planned to %s", c.Dest, c.Action, k.action))
		}
		delete(want, c.Dest)
	}
	for _, c := range now.Changes {
		if _, left := want[c.Dest]; left {
			out = append(out, fmt.Sprintf("%s: not in the saved plan, now planned to %s", c.Dest, c.Action))
		}
	}
	return out, nil
}
