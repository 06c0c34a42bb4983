//go:build unix && (!linux || links_portable)

package scan

import (
	"io/fs"
	"syscall"
)

// fileDev returns the device of an open file's FileInfo.
func fileDev(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev)
	}
	return 0
}
