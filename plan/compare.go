package plan

import (
	"fmt"
	"slices"
	"sort"
)

// String describes a state in words, as plans and errors show it:
// "nothing", "a symlink to X", "a regular file", "a folder", "a special
// file (FIFO, socket or device)".
func (s State) String() string {
	switch s.Type {
	case TypeMissing:
		return "nothing"
	case TypeSymlink:
		return "a symlink to " + s.Link
	case TypeFile:
		return "a regular file"
	case TypeDir:
		return "a folder"
	case TypeOther:
		return "a special file (FIFO, socket or device)"
	}
	return "an entry of unknown type " + fmt.Sprintf("%q", s.Type)
}

// Difference is one way a saved plan is not what the manifest plans now.
type Difference struct {
	// Dest is the dest concerned.
	Dest string
	// Stale is set when the dest itself changed since the plan was saved
	// (its Before is no longer what is there); otherwise the manifest or
	// the plan file says something else.
	Stale bool
	// Saved and Now describe the dest as the saved plan and the new plan
	// see it: for a stale dest, what was and what is there; otherwise the
	// change each would make ("" when one of them has none).
	Saved, Now string
}

func (d Difference) String() string {
	switch {
	case d.Stale:
		return fmt.Sprintf("%s: planned against %s, now %s", d.Dest, d.Saved, d.Now)
	case d.Saved == "":
		return fmt.Sprintf("%s: the manifest now plans %s, which the saved plan does not have", d.Dest, d.Now)
	case d.Now == "":
		return fmt.Sprintf("%s: the saved plan would %s, which the manifest does not plan", d.Dest, d.Saved)
	}
	return fmt.Sprintf("%s: the saved plan would %s, the manifest now plans %s", d.Dest, d.Saved, d.Now)
}

// Compare holds a saved plan (untrusted: it may have been edited) against
// the plan made again now from the manifest and the disk, and returns
// every difference: a change whose fields are not exactly the new plan's
// (name, action, before and after with identity, backup, restore, parents,
// needs, folder, kind), a change the manifest no longer plans, a change the new
// plan has that the saved one lacks, or links to stop tracking that differ.
// A saved plan is applied only when there is none. Reasons and warnings are
// text for people and are not compared.
func Compare(saved, now *Plan) []Difference {
	var out []Difference
	if saved.RollbackOf != "" || now.RollbackOf != "" {
		if saved.RollbackOf != now.RollbackOf {
			out = append(out, Difference{Dest: ".", Saved: "roll back apply " + saved.RollbackOf, Now: "apply the manifest"})
		}
	}
	fresh := make(map[string]*Change, len(now.Changes))
	for i := range now.Changes {
		fresh[now.Changes[i].Dest] = &now.Changes[i]
	}
	seen := make(map[string]bool, len(saved.Changes))
	for i := range saved.Changes {
		s := &saved.Changes[i]
		if seen[s.Dest] {
			out = append(out, Difference{Dest: s.Dest, Saved: "change it twice", Now: "one change"})
			continue
		}
		seen[s.Dest] = true
		n := fresh[s.Dest]
		switch {
		case n == nil:
			if s.Action != Noop {
				out = append(out, Difference{Dest: s.Dest, Saved: s.summary()})
			}
		case s.Before != n.Before:
			out = append(out, Difference{Dest: s.Dest, Stale: true, Saved: s.Before.String(), Now: nowState(s.Before, n.Before)})
		case !sameChange(s, n):
			out = append(out, Difference{Dest: s.Dest, Saved: s.summary(), Now: n.summary()})
		}
	}
	for i := range now.Changes {
		n := &now.Changes[i]
		if !seen[n.Dest] && n.Action != Noop {
			out = append(out, Difference{Dest: n.Dest, Now: n.summary()})
		}
	}
	a, b := slices.Clone(saved.Forget), slices.Clone(now.Forget)
	sort.Strings(a)
	sort.Strings(b)
	if !slices.Equal(a, b) {
		out = append(out, Difference{Dest: ".", Saved: fmt.Sprintf("stop tracking %v", a), Now: fmt.Sprintf("stop tracking %v", b)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Dest < out[j].Dest })
	return out
}

// nowState describes what is at a dest now, saying so when only the
// identity of a file or folder moved.
func nowState(before, now State) string {
	if now.Type == before.Type && now.Link == before.Link {
		return now.String() + " whose content, size or time changed"
	}
	return now.String()
}

// sameChange compares every field apply acts on.
func sameChange(a, b *Change) bool {
	return a.Name == b.Name && a.Dest == b.Dest && a.Action == b.Action &&
		a.Before == b.Before && a.After == b.After && a.Backup == b.Backup &&
		a.Restore == b.Restore && slices.Equal(a.Parents, b.Parents) &&
		a.Needs == b.Needs && a.Folder == b.Folder && a.Kind == b.Kind
}

// summary is the change in a few words, for a Difference.
func (c *Change) summary() string {
	s := fmt.Sprintf("%s (%s -> %s", c.Action, c.Before, c.After)
	if c.Backup != "" {
		s += ", backup " + c.Backup
	}
	if c.Restore != "" {
		s += ", restore " + c.Restore
	}
	if c.Kind != "" {
		s += ", kind: " + string(c.Kind)
	}
	if c.Name != "" {
		s += ", links." + c.Name
	}
	return s + ")"
}
