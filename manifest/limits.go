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
	var text string
	switch {
	case l.Strategy == Absolute:
		text = l.TargetPath(root)
	case !l.TargetAbsolute:
		text = lexicalRel(path.Dir(l.Dest), l.Target)
	default:
		return nil
	}
	if len(text) > PathMax {
		return fmt.Errorf("makes a link text of %d bytes from dest %s, more than the %d the kernel accepts in a link (PATH_MAX); shorten it, or use strategy: relative", len(text), brief(l.Dest), PathMax)
	}
	return nil
}

// lexicalRel is the slash path from folder from to to, both relative to
// root and clean, as written.
func lexicalRel(from, to string) string {
	f := strings.Split(from, "/")
	t := strings.Split(to, "/")
	if from == "." {
		f = nil
	}
	i := 0
	for i < len(f) && i < len(t) && f[i] == t[i] && t[i] != ".." {
		i++
	}
	return strings.Repeat("../", len(f)-i) + strings.Join(t[i:], "/")
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
