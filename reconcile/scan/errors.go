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

func describeErr(err error) string {
	return unwrapPathError(err).Error()
}
