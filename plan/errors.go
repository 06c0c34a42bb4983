package plan

import "fmt"

// The errors of the plan package, in one place.

// ConflictError reports a plan that cannot be applied: it has conflicts.
type ConflictError struct {
	Count int
}

func (e *ConflictError) Error() string {
	if e.Count == 1 {
		return "the plan has a conflict; nothing was changed"
	}
	return fmt.Sprintf("the plan has %d conflicts; nothing was changed", e.Count)
}

// Conflicts is a *ConflictError when the plan has conflicts, else nil.
func (p *Plan) Conflicts() error {
	if s := p.Summary(); s.Conflict > 0 {
		return &ConflictError{Count: s.Conflict}
	}
	return nil
}
