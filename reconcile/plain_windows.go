//go:build windows

package reconcile

import "github.com/linksdev/links/reconcile/scan"

// lstatKind is not used on Windows: targets are always followed.
func (f *rootFS) lstatKind(dir, name string) (kind scan.Kind, ok bool) {
	return 0, false
}
