package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// The errors of the rootfs package, in one place.

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

// IsEscape recognises os.Root's "path escapes from parent" error, whose
// value is unexported (golang/go#74640).
func IsEscape(err error) bool {
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
