//go:build windows

package reconcile

// lstatKind is not used on Windows: targets are always followed.
func (f *rootFS) lstatKind(dir, name string) (kind entryKind, ok bool) {
	return 0, false
}
