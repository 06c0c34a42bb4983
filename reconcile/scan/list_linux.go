//go:build linux && !links_portable

package scan

import (
	"golang.org/x/sys/unix"
)

// list reads the folder dir with getdents(2) into the worker's 64 KiB
// buffer, hundreds of entries per system call, and calls visit for each
// folder and symlink (with its text, read with readlinkat from the folder's
// handle). Other entries are only counted: their names are not even turned
// into strings. The entry type comes from d_type; where the filesystem
// leaves it unknown, fstatat tells. With OneFileSystem, a folder on
// another device than the scanned path is skipped (not counted).
func (w *scanWorker) list(dir string, st *scanStart, visit func(name string, kind Kind, text string, err error)) (entries int, skipped bool, err error) {
	fd, err := openDirPath(dir)
	if err != nil {
		return 0, false, PathErr("open", dir, err)
	}
	defer unix.Close(fd)
	if w.s.opts.OneFileSystem {
		var s unix.Stat_t
		if err := unix.Fstat(fd, &s); err != nil {
			return 0, false, PathErr("fstat", dir, err)
		}
		if uint64(s.Dev) != st.dev {
			return 0, true, nil
		}
	}
	buf := w.buf
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return entries, false, PathErr("getdents", dir, err)
		}
		if n <= 0 {
			return entries, false, nil
		}
		for off := 0; off < n; {
			reclen, typ, name0, name1 := Dirent(buf, off)
			name := buf[name0:name1]
			off += reclen
			if len(name) <= 2 && name[0] == '.' && (len(name) == 1 || name[1] == '.') {
				continue
			}
			entries++
			kind := DirentKind(typ)
			if kind == KindUnknown {
				kind = KindFile
				var s unix.Stat_t
				if err := unix.Fstatat(fd, string(name), &s, unix.AT_SYMLINK_NOFOLLOW); err == nil {
					kind = ModeKind(uint32(s.Mode))
				}
			}
			switch kind {
			case KindDir:
				visit(string(name), KindDir, "", nil)
			case KindLink:
				nm := string(name)
				text, err := w.readlinkat(fd, nm)
				visit(nm, KindLink, text, err)
			}
		}
	}
}

func openDirPath(dir string) (int, error) {
	for {
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func (w *scanWorker) readlinkat(fd int, name string) (string, error) {
	for {
		n, err := unix.Readlinkat(fd, name, w.linkBuf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", PathErr("readlink", name, err)
		}
		if n < len(w.linkBuf) {
			return string(w.linkBuf[:n]), nil
		}
		w.linkBuf = make([]byte, 2*len(w.linkBuf))
	}
}
