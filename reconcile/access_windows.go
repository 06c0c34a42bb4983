//go:build windows

package reconcile

// writeProblem is not predicted on Windows: apply finds out.
func (f *rootFS) writeProblem(dir, name string) string { return "" }

// devOf is not known on Windows (Stat.Identity has no device there).
func devOf(p string) string { return "" }
