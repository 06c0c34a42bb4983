package scan

import (
	"errors"
	"io/fs"
)

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

// unwrapPathError drops a *fs.PathError's operation and path, for
// messages that name the path themselves.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func describeErr(err error) string {
	return unwrapPathError(err).Error()
}
