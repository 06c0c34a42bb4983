// Package asnobody lets a test that root's privileges would defeat (a
// chmod 000 folder is readable to root) run as an unprivileged user: when
// the test binary runs as root, Rerun runs the current test again in a
// copy of the binary as user nobody (uid 65534) and reports its outcome.
//
// It is for tests only.
package asnobody
