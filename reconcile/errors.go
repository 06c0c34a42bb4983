package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// EscapeError reports a path that would lead a write out of root.
type EscapeError struct {
	Path   string // relative to root
	Detail string
}

func (e *EscapeError) Error() string {
	msg := fmt.Sprintf("%s leads outside root", e.Path)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg + "; links never writes outside root"
}

// StaleError reports a dest that changed between planning and acting.
type StaleError struct {
	Dest     string
	Planned  string // what the plan expected
	Observed string // what is there now
}

func (e *StaleError) Error() string {
	now := e.Observed
	if now == e.Planned {
		// Same kind, but not the same one (device, inode, size or time).
		now = "another one, or the same one changed"
	}
	return fmt.Sprintf("%s changed since it was planned (planned against %s, now %s); run links plan again", e.Dest, e.Planned, now)
}

// isEscape recognises os.Root's "path escapes from parent" error, whose
// value is unexported (golang/go#74640).
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// pathErr wraps err as op on name, keeping the errno for errors.Is.
func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}
