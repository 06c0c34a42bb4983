package plan

import (
	"path"

	"github.com/linksdev/links/manifest"
)

// Entry types, as observed with lstat (a symlink is never followed).
const (
	TypeMissing = "missing"
	TypeSymlink = "symlink"
	TypeFile    = "file"
	TypeDir     = "dir"
	TypeOther   = "other" // FIFO, socket, device
)

// State is what is (Before) or will be (After) at a dest.
type State struct {
	// Type is one of the Type constants.
	Type string `json:"type"`
	// Link is the link text when Type is TypeSymlink.
	Link string `json:"link,omitempty"`
	// Identity fingerprints a file or directory (device, inode, size,
	// mtime) so a saved plan can tell whether it changed; empty otherwise.
	Identity string `json:"identity,omitempty"`
}

// Change is one entry of a plan.
//
// Before is what was observed at Dest when planning. After is what Dest
// will be once applied: the declared symlink for create, update, replace
// and noop (for noop After equals Before); missing for delete; for a
// conflict, the declared symlink that could not be made. Apply re-checks
// Before just before acting and stops the entry as stale if it changed.
type Change struct {
	// Name is the link's logical name in the manifest (for a delete, the
	// name it had when it was applied).
	Name string
	// Dest is where the link lives, relative to root, slash-separated.
	Dest   string
	Action Action
	Before State
	After  State
	// Backup is where a displaced file or directory goes, relative to root
	// (under state_dir/backups/<id>/). Empty when nothing is displaced or
	// when backup is false (then Reason says the entry is deleted).
	Backup string
	// Reason explains a conflict (with what to do about it), a deletion
	// without backup, or anything else a reviewer should know.
	Reason string
	// Parents lists the folders apply creates first (relative to root),
	// outermost first.
	Parents []string
	// Needs is the dest of another declared link that this link's target
	// goes through; apply makes that one first.
	Needs string
	// Folder, when set, is the dest's folder with symlinks inside root
	// resolved (relative to root), where apply makes the link; it is set
	// only when it differs from the folder Dest names.
	Folder string
	// Kind is the declared link's kind: (empty when the manifest leaves
	// it to the target; a tree's folded folder is a dir). Apply hands it
	// to the symlink call: on Windows a link is a directory link or a
	// file link from birth, and a dangling target cannot say which.
	// Elsewhere it changes nothing (plan checks it against the target
	// where the target exists).
	Kind manifest.Kind
	// Restore, set only by rollback, is the backup (relative to root) that
	// a replace moves back into dest in place of the link there; After then
	// has the backup's type (file or dir).
	Restore string
}

// Dir is the folder apply writes the change in: Folder, or Dest's folder.
func (c *Change) Dir() string {
	if c.Folder != "" {
		return c.Folder
	}
	return parent(c.Dest) // Dest is clean: path.Dir without cleaning it again
}

// Summary counts the changes by action.
type Summary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Replace  int `json:"replace"`
	Delete   int `json:"delete"`
	Noop     int `json:"noop"`
	Conflict int `json:"conflict"`
}

// Plan is the outcome of comparing a manifest with the filesystem.
type Plan struct {
	// ID identifies the plan; apply uses it as the apply id, and backups
	// go under state_dir/backups/<ID>/.
	ID string
	// Manifest is the manifest's path as the user named it.
	Manifest string
	// Root is the absolute root folder.
	Root string
	// StateDir is state_dir relative to Root.
	StateDir string
	// Changes are sorted by Dest.
	Changes []Change
	// Warnings are things a reviewer should know that are not changes.
	Warnings []string
	// Forget lists dests links stops tracking without touching them (links
	// it made that someone changed since and the manifest no longer
	// declares).
	Forget []string
	// RollbackOf, for a rollback, is the id of the apply it undoes.
	RollbackOf string
	// Trees describes the manifest's tree entries (their members' changes
	// are named ENTRY/PATH), for grouping the output.
	Trees []Tree
	// ManifestDigest is the SHA-256 of the manifest file the plan was made
	// from, hex-encoded; a saved plan is refused if the manifest changed.
	ManifestDigest string
	// Vars are the --var values the plan was made with (a saved plan is
	// planned again with them).
	Vars map[string]string
}

// Summary counts the plan's changes by action.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Replace:
			s.Replace++
		case Delete:
			s.Delete++
		case Noop:
			s.Noop++
		case Conflict:
			s.Conflict++
		}
	}
	return s
}

// Changed reports whether applying the plan would change anything.
func (s Summary) Changed() bool { return s.Create+s.Update+s.Replace+s.Delete > 0 }

// UnderRoot reports whether p is a clean slash path relative to root that
// stays beneath it: not empty, not ".", not absolute, no ".." leading
// out. Paths read from disk (the journal, the state file, a saved plan)
// steer writes only when they pass.
func UnderRoot(p string) bool {
	return p != "" && p != "." && path.Clean(p) == p && !path.IsAbs(p) && !manifest.LeadsOut(p)
}
