// Package plan is the data of a links plan and the pure functions that make
// and show it: Desired (from a manifest), Diff (desired against what was
// observed on disk), and the text, markdown and JSON renderings.
//
// Nothing here touches the filesystem; package reconcile observes and
// applies. A Plan lists every declared link (no-ops included) and every
// planned delete, sorted by Dest.
package plan
