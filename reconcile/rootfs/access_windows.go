//go:build windows

package rootfs

import (
	"strconv"

	"golang.org/x/sys/windows"
)

// WriteProblem is not predicted on Windows: apply finds out.
func (f *FS) WriteProblem(dir, name string) string { return "" }

// DevOf is the volume p lies on, as Stat.Identity writes it (the volume
// serial number GetFileInformationByHandle reports); "" when p cannot be
// looked at. Like Unix's stat, it follows p if it is a link.
func DevOf(p string) string {
	u, err := windows.UTF16PtrFromString(p)
	if err != nil {
		return ""
	}
	h, err := windows.CreateFile(u, windows.FILE_READ_ATTRIBUTES,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil,
		windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return ""
	}
	defer windows.CloseHandle(h)
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return ""
	}
	return strconv.FormatUint(uint64(info.VolumeSerialNumber), 10)
}
