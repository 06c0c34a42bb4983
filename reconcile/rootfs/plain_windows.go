//go:build windows

package rootfs

import "github.com/linksdev/links/reconcile/scan"

// Kind is not used on Windows: targets are always followed.
func (f *FS) Kind(dir, name string) (kind scan.Kind, ok bool) {
	return 0, false
}
