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

// Getdents lists the open folder fd with getdents(2), a buffer buf at a
// time, and calls each with every entry but "." and "..": its name (a
// slice of one string made per system call) and its d_type. It stops at
// the end of the folder, at an error (returned, unwrapped), or when each
// returns false.
func Getdents(fd int, buf []byte, each func(name string, typ byte) bool) error {
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		chunk := string(buf[:n])
		for off := 0; off < n; {
			reclen, typ, name0, name1 := Dirent(buf, off)
			name := chunk[name0:name1]
			off += reclen
			if name == "." || name == ".." {
				continue
			}
			if !each(name, typ) {
				return nil
			}
		}
	}
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
