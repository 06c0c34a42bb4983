package reconcile

import "testing"

// rerunUnprivileged is not available on Windows.
func rerunUnprivileged(*testing.T) bool { return false }
