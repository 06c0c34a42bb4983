package journal

import (
	"fmt"
	"strings"
)

// The errors of the journal package, in one place.

// EscapeError says a path of state_dir leads outside root.
type EscapeError struct {
	Path string // relative to root
}

func (e *EscapeError) Error() string {
	return e.Path + " leads outside root; links never writes outside root"
}

// LockError reports that another apply holds the lock.
type LockError struct {
	Path   string
	Holder string // what the lock file says about its holder, if anything
}

func (e *LockError) Error() string {
	msg := fmt.Sprintf("another links apply holds the lock %s", e.Path)
	if e.Holder != "" {
		msg += " (" + e.Holder + ")"
	}
	return msg + "; wait for it, or retry with --lock-timeout"
}

// StateError reports a state file that cannot be read.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("state file %s is unreadable (%v); links will not guess which links it owns. Restore the file, or move it aside: links then rebuilds ownership from the journal", e.Path, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }

// UnknownApplyError reports an apply id that names no apply, or a prefix
// that names several.
type UnknownApplyError struct {
	ID string
	// Matches are the ids an ambiguous prefix matches (at least two).
	Matches []string
}

func (e *UnknownApplyError) Error() string {
	if len(e.Matches) > 1 {
		return fmt.Sprintf("apply id %q is ambiguous: it begins %s; give more of it", e.ID, strings.Join(e.Matches, ", "))
	}
	return fmt.Sprintf("no apply %q in the journal; links log lists them", e.ID)
}
