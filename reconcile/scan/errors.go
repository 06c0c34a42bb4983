package scan

import (
	"errors"
	"io/fs"
)

// unwrapPathError drops a *fs.PathError's operation and path, for
// messages that name the path themselves.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// PathErr wraps err as op on name, keeping the errno for errors.Is; nil
// stays nil. An err that is already a *fs.PathError is re-labelled, not
// nested.
func PathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: unwrapPathError(err)}
}

func describeErr(err error) string {
	return unwrapPathError(err).Error()
}
