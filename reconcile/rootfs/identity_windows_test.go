//go:build windows

package rootfs

import (
	"errors"
	"strconv"
	"testing"

	"golang.org/x/sys/windows"
)

// handleIdentity refuses a handle whose entry is not of the type Lstat
// found (replaced between the two looks), and packs the 64-bit index and
// size.
func TestHandleIdentity(t *testing.T) {
	info := windows.ByHandleFileInformation{VolumeSerialNumber: 7, FileIndexHigh: 1, FileIndexLow: 2, FileSizeHigh: 0, FileSizeLow: 5}
	got, err := handleIdentity(&info, false)
	if err != nil || got != "7:4294967298:5:"+strconv.FormatInt(info.LastWriteTime.Nanoseconds(), 10) {
		t.Errorf("handleIdentity = %q, %v", got, err)
	}
	if _, err := handleIdentity(&info, true); !errors.Is(err, errChangedWhileLooked) {
		t.Errorf("a file where a folder was found: %v, want errChangedWhileLooked", err)
	}
	info.FileAttributes = windows.FILE_ATTRIBUTE_DIRECTORY
	if _, err := handleIdentity(&info, false); !errors.Is(err, errChangedWhileLooked) {
		t.Errorf("a folder where a file was found: %v, want errChangedWhileLooked", err)
	}
}
