package manifest

import (
	"fmt"
	"os"
	"path"
	"strings"
	"unicode/utf8"
)

// The kernel's limits on paths (Linux; macOS's are lower for paths, equal
// for names). A longer name, root path or link text fails with
// ENAMETOOLONG in the middle of an apply, and then in every command that
// looks at it: validate refuses it instead, at its place in the manifest.
const (
	// NameMax is the longest name (one path component), in bytes.
	NameMax = 255
	// PathMax is the longest path a system call accepts, in bytes (4096
	// with the terminating NUL); also the longest link text.
	PathMax = 4095
)

// nameLimit returns why the kernel would refuse a name in path p (one
// over NAME_MAX), or nil. Paths themselves may be longer than PATH_MAX:
// links reaches a dest one folder at a time.
func nameLimit(p string) error {
	start := 0
	for i := 0; i <= len(p); i++ {
		if i < len(p) && !os.IsPathSeparator(p[i]) && p[i] != '/' {
			continue
		}
		if n := i - start; n > NameMax {
			return fmt.Errorf("has a name of %d bytes (%s), more than the %d the kernel accepts in one name (NAME_MAX); shorten it", n, nameHead(p[start:i]), NameMax)
		}
		start = i + 1
	}
	return nil
}

// pathLimit returns why the kernel would refuse p as a whole path (one
// system call on it: the root is opened so), or nil.
func pathLimit(p string) error {
	if len(p) > PathMax {
		return fmt.Errorf("is %d bytes long, more than the %d the kernel accepts in a path (PATH_MAX); shorten it", len(p), PathMax)
	}
	return nameLimit(p)
}

// linkTextLimit returns why the kernel would refuse the link text l needs
// (a symlink's text is at most PATH_MAX), when the manifest alone tells
// its length: an absolute link, or a relative one to a target under root
// (its folders as written; plan checks the text it computes). nil
// otherwise.
func linkTextLimit(l *Link, root string) error {
	var n int
	switch {
	case l.Strategy == Absolute:
		n = len(l.TargetPath(root))
	case !l.TargetAbsolute:
		n = lexicalRelLen(path.Dir(l.Dest), l.Target)
	default:
		return nil
	}
	if n > PathMax {
		return fmt.Errorf("makes a link text of %d bytes from dest %s, more than the %d the kernel accepts in a link (PATH_MAX); shorten it, or use strategy: relative", n, brief(l.Dest), PathMax)
	}
	return nil
}

// lexicalRelLen is len(lexicalRel(from, to)), without building it.
func lexicalRelLen(from, to string) int {
	if from == "." {
		return len(to)
	}
	// Skip the components both start with (not ..).
	i := 0 // offset of the first component not in common
	for {
		fe := strings.IndexByte(from[i:], '/')
		te := strings.IndexByte(to[i:], '/')
		fc, tc := from[i:], to[i:]
		if fe >= 0 {
			fc = fc[:fe]
		}
		if te >= 0 {
			tc = tc[:te]
		}
		if fc != tc || tc == ".." {
			break
		}
		if fe < 0 || te < 0 {
			// from is used up: the rest of to follows (or, when to is
			// used up first, from's remaining folders each add ../).
			if fe < 0 && te < 0 {
				return 0
			}
			if fe < 0 {
				return len(to) - (i + len(tc) + 1)
			}
			return 3 * strings.Count(from[i+len(fc):], "/")
		}
		i += len(fc) + 1
	}
	return 3*(strings.Count(from[i:], "/")+1) + len(to) - i
}

// nameHead shows the start of a long name, cut at a character boundary.
func nameHead(s string) string {
	const keep = 24
	if len(s) <= keep {
		return fmt.Sprintf("%q", s)
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", s[:cut])
}
