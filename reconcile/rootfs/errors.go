package rootfs

import (
	"fmt"
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
