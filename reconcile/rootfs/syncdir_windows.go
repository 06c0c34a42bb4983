//go:build windows

package rootfs

import (
	"os"

	"golang.org/x/sys/windows"
)

var procReOpenFile = windows.NewLazySystemDLL("kernel32.dll").NewProc("ReOpenFile")

// syncDir flushes the folder handle d as far as Windows allows.
//
// FlushFileBuffers needs a handle with write access (GENERIC_WRITE), and
// the folder handles apply holds are read-only: flushing them fails with
// "Access is denied" (microsoft/go#1907 reports the same on Windows 11).
// So the handle is reopened for writing with ReOpenFile (the same folder,
// not a path looked up again) and that handle is flushed. NTFS records
// the names a folder holds in its metadata log: a create or rename is
// never half done after a crash, but the last ones may be lost until the
// log is written. Flushing the folder asks for that write. Where Windows
// refuses (no write access to the folder: "Access is denied"; a
// filesystem that cannot flush a folder: "Incorrect function"), nothing
// more can be done and syncDir reports success, as Unix does for a
// filesystem that cannot fsync a folder.
func syncDir(d *os.File) error {
	h, err := reopenForWrite(windows.Handle(d.Fd()))
	if err == nil {
		err = windows.FlushFileBuffers(h)
		windows.CloseHandle(h)
	}
	switch err {
	case nil, windows.ERROR_ACCESS_DENIED, windows.ERROR_INVALID_FUNCTION, windows.ERROR_INVALID_PARAMETER, windows.ERROR_NOT_SUPPORTED:
		return nil
	}
	return err
}

func reopenForWrite(h windows.Handle) (windows.Handle, error) {
	if err := procReOpenFile.Find(); err != nil {
		return windows.InvalidHandle, windows.ERROR_NOT_SUPPORTED
	}
	r, _, err := procReOpenFile.Call(uintptr(h),
		windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		windows.FILE_FLAG_BACKUP_SEMANTICS)
	if windows.Handle(r) == windows.InvalidHandle {
		return windows.InvalidHandle, err
	}
	return windows.Handle(r), nil
}
