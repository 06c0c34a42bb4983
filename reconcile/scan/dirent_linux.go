//go:build linux && !links_portable

package scan

import (
	"bytes"
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Dirent reads the getdents(2) record at buf[off:], a struct
// linux_dirent64 (d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name
// NUL-terminated): its length, its type (DirentKind tells it), and where
// its name lies in buf.
func Dirent(buf []byte, off int) (reclen int, typ byte, name0, name1 int) {
	reclen = int(binary.NativeEndian.Uint16(buf[off+16:]))
	typ = buf[off+18]
	name0, name1 = off+19, off+reclen
	if i := bytes.IndexByte(buf[name0:name1], 0); i >= 0 {
		name1 = name0 + i
	}
	return reclen, typ, name0, name1
}

// DirentKind is the Kind a getdents(2) entry type (d_type) says; it is the
// one place a listing's types are read, by Scan and by reconcile's
// listings.
func DirentKind(typ byte) Kind {
	switch typ {
	case unix.DT_DIR:
		return KindDir
	case unix.DT_LNK:
		return KindLink
	case unix.DT_UNKNOWN:
		return KindUnknown
	}
	return KindFile
}
