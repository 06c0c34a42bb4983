package manifest

import (
	"bytes"
	"fmt"
	"strings"
)

// Document is a manifest as a file declares it, for Encode: its settings
// as written, before Load merges the defaults into each entry.
type Document struct {
	// Comment is written first, each of its lines as a # line; empty
	// writes none.
	Comment string
	// Root is root: as written: a path relative to the manifest's folder,
	// or absolute.
	Root string
	// Strategy is defaults.strategy; empty writes no defaults.
	Strategy Strategy
	// Trees are the tree entries, written first, in this order: each
	// one's Name, Dest, Target, Strategy when set, Dotfiles when true, and
	// the globs of Include, Fold and Exclude.
	Trees []Tree
	// Links are the other entries, written after the trees, in this
	// order: each one's Name, Dest, Target, Strategy when set, and
	// AllowDangling when true.
	Links []Link
}

// Encode writes d as a manifest file that Load reads back as d declares
// it: every name and path as given, whatever its characters (a scalar
// YAML would read as something else is double-quoted, ${ is written $${
// so that it is not expanded). Settings Document does not list (replace,
// backup, parents, kind, allow, vars) are left to their defaults. The
// output depends on d alone: links import writes it, and its goldens hold
// it byte for byte.
func Encode(d *Document) []byte {
	var b bytes.Buffer
	if d.Comment != "" {
		for _, line := range strings.Split(d.Comment, "\n") {
			fmt.Fprintf(&b, "# %s\n", line)
		}
	}
	fmt.Fprintf(&b, "version: %d\nroot: %s\n", Version, yamlString(d.Root))
	if d.Strategy != "" {
		fmt.Fprintf(&b, "defaults:\n  strategy: %s\n", yamlString(string(d.Strategy)))
	}
	if len(d.Links) == 0 && len(d.Trees) == 0 {
		b.WriteString("links: {}\n")
		return b.Bytes()
	}
	b.WriteString("links:\n")
	for i := range d.Trees {
		encodeTree(&b, &d.Trees[i])
	}
	for i := range d.Links {
		l := &d.Links[i]
		encodeEntry(&b, l, false)
		if l.AllowDangling {
			b.WriteString("    allow_dangling: true\n")
		}
	}
	return b.Bytes()
}

// encodeEntry writes what a link and a tree entry share: the name, dest
// and target, and tree: true for a tree. The strategy follows.
func encodeEntry(b *bytes.Buffer, l *Link, tree bool) {
	fmt.Fprintf(b, "  %s:\n    dest: %s\n    target: %s\n", yamlString(l.Name), yamlString(escapeVars(l.Dest)), yamlString(escapeVars(l.Target)))
	if tree {
		b.WriteString("    tree: true\n")
	}
	if l.Strategy != "" {
		fmt.Fprintf(b, "    strategy: %s\n", yamlString(string(l.Strategy)))
	}
}

// encodeTree writes one tree entry.
func encodeTree(b *bytes.Buffer, t *Tree) {
	encodeEntry(b, &t.Link, true)
	if t.Dotfiles {
		b.WriteString("    dotfiles: true\n")
	}
	list := func(key string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(b, "    %s:\n", key)
		for _, it := range items {
			fmt.Fprintf(b, "      - %s\n", yamlString(escapeVars(it)))
		}
	}
	globs := func(ps []Pattern) []string {
		out := make([]string, len(ps))
		for i := range ps {
			out[i] = ps[i].Glob
		}
		return out
	}
	folds := make([]string, len(t.Fold))
	for i := range t.Fold {
		folds[i] = t.Fold[i].Path
	}
	list("include", globs(t.Include))
	list("fold", folds)
	list("exclude", globs(t.Exclude))
}

// escapeVars keeps the manifest from expanding ${...} found in a path.
func escapeVars(s string) string {
	return strings.ReplaceAll(s, "${", "$${")
}

// yamlString writes s as a YAML scalar that reads back as the string s:
// plain when it is unmistakably a string, double-quoted otherwise, with
// every character YAML would not keep as is escaped.
func yamlString(s string) string {
	if plainSafe(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			switch {
			case r >= 0x20 && r < 0x7f,
				r >= 0xa0 && r <= 0xd7ff && r != 0x2028 && r != 0x2029,
				r >= 0xe000 && r <= 0xfffd && r != 0xfeff,
				r >= 0x10000 && r <= 0x10ffff:
				b.WriteRune(r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainSafe reports whether s can be written as a plain YAML scalar and
// read back as the same string (never a number, bool, null or timestamp).
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	if s == "." {
		return true
	}
	if strings.HasPrefix(s, "...") {
		return false
	}
	c := s[0]
	if c == '.' {
		c = s[1] // .bashrc, ../x, ./x, but not .5 (a number)
	}
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '/' || c == '.') {
		return false
	}
	for j := 0; j < len(s); j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '/' || c == '-' || c == '+') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", ".inf", ".nan":
		return false
	}
	return true
}
