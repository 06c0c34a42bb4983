//go:build windows

package journal

// noFollow is not available to os.OpenFile on Windows; openStateFile's
// Lstat is the only check there.
const noFollow = 0
