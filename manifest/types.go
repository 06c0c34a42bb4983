package manifest

import (
	"slices"
	"strings"
)

// Version is the only manifest format version.
const Version = 1

// DefaultStateDir is state_dir when the manifest does not set it.
const DefaultStateDir = ".links"

// Strategy says how the link text is written.
type Strategy string

const (
	// Relative writes the path from the link's folder to the target.
	Relative Strategy = "relative"
	// Absolute writes the target's absolute path.
	Absolute Strategy = "absolute"
)

// Replace says what may be displaced at a link's dest.
type Replace string

const (
	ReplaceNever   Replace = "never"   // nothing
	ReplaceSymlink Replace = "symlink" // a symlink pointing elsewhere
	ReplaceFile    Replace = "file"    // also a regular file
	ReplaceAny     Replace = "any"     // also a directory
)

// Allows reports whether policy r permits displacing an entry of the given
// observed type ("symlink", "file", "dir"). Other types are never displaced.
func (r Replace) Allows(typ string) bool {
	switch typ {
	case "symlink":
		return r != ReplaceNever
	case "file":
		return r == ReplaceFile || r == ReplaceAny
	case "dir":
		return r == ReplaceAny
	}
	return false
}

// Kind is what a link's target is expected to be.
type Kind string

const (
	KindAny  Kind = ""     // not declared: taken from the target
	KindFile Kind = "file" // a file (or anything that is not a directory)
	KindDir  Kind = "dir"  // a directory
)

// Manifest is a loaded, expanded and checked links.yaml.
type Manifest struct {
	// File is the manifest's path as given to Load.
	File string
	// Path is the manifest file's absolute path (its folder is Options.Dir).
	Path string
	// Root is the absolute, cleaned root folder (OS separators). Nothing is
	// written outside it.
	Root string
	// StateDir is the state folder relative to Root, slash-separated and
	// clean (default ".links").
	StateDir string
	// Vars are the variables after --var overrides.
	Vars map[string]string
	// Links are the declared links sorted by Dest: once ExpandTrees has
	// run, the trees' members too.
	Links []Link
	// Trees are the entries with tree: true, in the order written.
	Trees []Tree
}

// Link is one declared link with defaults merged and variables expanded.
type Link struct {
	// Name is the logical name (the key under links:).
	Name string
	// Dest is where the link lives, relative to Root, slash-separated and
	// clean; never "." and never starting with "..".
	Dest string
	// Target is what the link points to, expanded and cleaned: relative to
	// Root (slash-separated) unless TargetAbsolute.
	Target string
	// TargetAbsolute is true when the manifest gave an absolute target.
	TargetAbsolute bool
	Strategy       Strategy
	Replace        Replace
	Backup         bool
	Parents        bool
	AllowDangling  bool
	// Source, for a tree's member, is what the tree's walk found at its
	// target a moment before (a file, folder or symlink, never followed);
	// 0 for a link declared on its own. Observe takes a file or folder
	// found by the walk as it stands instead of looking it up again.
	Source EntryType
	Kind   Kind
	// Allow holds the globs (path.Match syntax) the target must match; empty
	// means no restriction.
	Allow []string
	// Pos is where the link is declared (its key under links:); for a
	// tree's member, where the tree is.
	Pos Pos
	// Tree is the name of the tree entry this link is a member of (its
	// Name is then TREE/PATH); empty for a link declared on its own.
	Tree string
}

// Pos is a place in the manifest.
type Pos struct {
	Line, Col int
}

// Declares reports whether m declares a link at dest, and its index in
// Links (which are sorted by Dest).
func (m *Manifest) Declares(dest string) (int, bool) {
	return slices.BinarySearchFunc(m.Links, dest, func(l Link, d string) int { return strings.Compare(l.Dest, d) })
}

// LeadsOut reports whether the clean, slash-separated relative path p
// leads out of the folder it is relative to (".." or "../..."): the one
// test of "under root" for every package.
func LeadsOut(p string) bool {
	return p == ".." || strings.HasPrefix(p, "../")
}
