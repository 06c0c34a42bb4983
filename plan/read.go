package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// ReadJSON decodes a saved plan written by WriteJSON and checks that it is
// well formed: a known format version, known actions and types, and every
// dest and backup a clean path under root. A saved plan is untrusted input;
// ReadJSON never panics on it.
func ReadJSON(r io.Reader) (*Plan, error) {
	var w wirePlan
	dec := json.NewDecoder(io.LimitReader(r, 1<<31))
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("not a links plan: %w", err)
	}
	switch {
	case w.FormatVersion == 0:
		return nil, fmt.Errorf("not a links plan: no format_version")
	case w.FormatVersion > FormatVersion:
		return nil, fmt.Errorf("plan format %d is newer than this links reads (%d); upgrade links or plan again with this one", w.FormatVersion, FormatVersion)
	case w.FormatVersion < 0:
		return nil, fmt.Errorf("not a links plan: format_version %d", w.FormatVersion)
	case w.ApplyID != "":
		return nil, fmt.Errorf("this is the output of an apply, not a saved plan; save one with links plan --out FILE")
	case w.Root == "" || w.ID == "":
		return nil, fmt.Errorf("not a saved links plan: no root or id")
	case !validName(w.ID):
		return nil, fmt.Errorf("saved plan has an invalid id %q", w.ID)
	}
	p := &Plan{ID: w.ID, RollbackOf: w.RollbackOf, Manifest: w.Manifest, Root: w.Root, StateDir: w.StateDir, ManifestDigest: w.ManifestDigest,
		Warnings: w.Warnings, Forget: w.Forget, Vars: w.Vars, Changes: make([]Change, 0, len(w.Changes))}
	if !cleanRel(p.StateDir) {
		return nil, fmt.Errorf("saved plan: state_dir %q is not a clean path under root", p.StateDir)
	}
	for i, wc := range w.Changes {
		c := Change{Name: wc.Name, Dest: wc.Dest, Action: wc.Action, Before: State(wc.Before), After: State(wc.After),
			Backup: wc.Backup, Reason: wc.Reason, Parents: wc.Parents, Needs: wc.Needs, Restore: wc.Restore, Folder: wc.Folder}
		if err := checkChange(&c, p.StateDir); err != nil {
			return nil, fmt.Errorf("saved plan: change %d (%q): %w", i, wc.Dest, err)
		}
		p.Changes = append(p.Changes, c)
	}
	for _, d := range p.Forget {
		if !cleanRel(d) {
			return nil, fmt.Errorf("saved plan: forget %q is not a clean path under root", d)
		}
	}
	return p, nil
}

func checkChange(c *Change, stateDir string) error {
	if !cleanRel(c.Dest) {
		return fmt.Errorf("dest is not a clean path under root")
	}
	if c.Action < Noop || c.Action > Conflict {
		return fmt.Errorf("unknown action")
	}
	for _, s := range []State{c.Before, c.After} {
		switch s.Type {
		case TypeMissing, TypeSymlink, TypeFile, TypeDir, TypeOther:
		default:
			return fmt.Errorf("unknown type %q", s.Type)
		}
		if strings.IndexByte(s.Link, 0) >= 0 {
			return fmt.Errorf("link text contains a NUL byte")
		}
	}
	if (c.Action == Create || c.Action == Update) && c.After.Type != TypeSymlink {
		return fmt.Errorf("%s must make a symlink", c.Action)
	}
	for _, b := range []string{c.Backup, c.Restore} {
		if b != "" && (!cleanRel(b) || !strings.HasPrefix(b, stateDir+"/backups/")) {
			return fmt.Errorf("backup %q is not under %s/backups", b, stateDir)
		}
	}
	if c.Restore != "" && ((c.Action != Replace && c.Action != Delete) || (c.After.Type != TypeFile && c.After.Type != TypeDir)) {
		return fmt.Errorf("a restore must be a replace or delete that brings back a file or folder")
	}
	if c.Folder != "" && c.Folder != "." && !cleanRel(c.Folder) {
		return fmt.Errorf("folder %q is not a clean path under root", c.Folder)
	}
	for _, p := range c.Parents {
		if !cleanRel(p) {
			return fmt.Errorf("parent %q is not a clean path under root", p)
		}
	}
	return nil
}

// cleanRel is UnderRoot for a saved plan's paths, which are also refused
// a NUL, a backslash or a drive letter (they come from any machine).
func cleanRel(p string) bool {
	return UnderRoot(p) && !strings.ContainsAny(p, "\x00\\") && !(len(p) > 1 && p[1] == ':')
}

func validName(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return s != "" && s[0] != '.'
}
