package reconcile

import (
	"fmt"
)

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
