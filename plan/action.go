package plan

import "fmt"

// Action is what apply does to one dest.
type Action int

const (
	Noop     Action = iota // dest already is the declared link
	Create                 // nothing at dest: make the link
	Update                 // a symlink pointing elsewhere: retarget it atomically
	Replace                // a file or directory displaced (to a backup unless backup: false)
	Delete                 // a link this manifest created earlier and no longer declares
	Conflict               // in the way, not allowed by replace, or invalid: blocks apply
)

var actionNames = [...]string{"noop", "create", "update", "replace", "delete", "conflict"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// MarshalText encodes the action by name.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText decodes an action name.
func (a *Action) UnmarshalText(b []byte) error {
	for i, n := range actionNames {
		if n == string(b) {
			*a = Action(i)
			return nil
		}
	}
	return fmt.Errorf("unknown action %q", b)
}
