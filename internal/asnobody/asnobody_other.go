//go:build !unix

package asnobody

import "testing"

// Rerun is not available here: it reports false, and the test goes on as
// it is.
func Rerun(testing.TB) bool { return false }
