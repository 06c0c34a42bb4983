package manifest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// yaml.v3 reports a syntax error as "yaml: line N: problem", without a
// column, and its line is not always the line of the problem: a parser
// error (as opposed to a scanner error) reports the 0-based line of the
// construct being parsed, and no line at all when that is the first line.
// Reader errors (bad bytes) carry no line. yamlError recovers the best
// position it can and rewords the common problems as "what; what to do".

var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// parserProblems are the problems yaml.v3 raises from its parser, whose
// line is reported 0-based. Every other problem with a line comes from the
// scanner and is reported 1-based.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// readerProblems are yaml.v3's complaints about the bytes themselves.
var readerProblems = []string{
	"control characters are not allowed",
	"invalid leading UTF-8 octet",
	"invalid trailing UTF-8 octet",
	"incomplete UTF-8 octet sequence",
	"invalid length of a UTF-8 sequence",
	"invalid Unicode character",
	"found an incorrect leading UTF-8 octet",
	"found an incorrect trailing UTF-8 octet",
}

var unknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

func yamlError(file string, data []byte, err error) *Error {
	problem := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(problem); m != nil {
		line, _ = strconv.Atoi(m[1])
		problem = m[2]
	}
	e := &Error{File: file, Line: 1, Col: 1, Msg: "invalid YAML: " + problem + "; fix the syntax here"}
	for _, p := range readerProblems {
		if strings.HasPrefix(problem, p) {
			if l, c, msg, ok := badChar(data); ok {
				e.Line, e.Col, e.Msg = l, c, msg
			}
			return e
		}
	}
	if m := unknownAnchorRE.FindStringSubmatch(problem); m != nil {
		e.Msg = "invalid YAML: alias *" + m[1] + " refers to no anchor; define &" + m[1] + " before using it, or write the value out"
		if off := findAlias(data, m[1]); off >= 0 {
			e.Line, e.Col = position(data, off)
		}
		return e
	}
	if parserProblems[problem] {
		line++ // 0-based, and absent for the first line
	} else if line == 0 {
		line = 1
	}
	sp := &yamlSpot{lines: splitLines(data), line: line}
	sp.atEnd = line > len(sp.lines)
	if sp.atEnd {
		sp.line = max(len(sp.lines), 1)
	}
	e.Line = sp.line
	if sp.line <= len(sp.lines) {
		sp.text = sp.lines[sp.line-1]
	}
	sp.indent = len(sp.text) - len(strings.TrimLeft(sp.text, " \t"))
	e.Col = sp.col(sp.indent)
	if sp.atEnd {
		e.Col = sp.col(len(sp.text))
	}
	if i, ok := longKey(sp.text); ok {
		e.Col = sp.col(i)
		e.Msg = "invalid YAML: a key longer than 1024 characters, which YAML allows only as an explicit key; write \"? KEY\" on one line and \": VALUE\" under it"
		return e
	}
	sp.explain(e, problem)
	return e
}

// yamlSpot is the line a yaml.v3 error points at.
type yamlSpot struct {
	lines  []string
	line   int    // 1-based
	text   string // the line's text
	indent int    // bytes of indentation
	atEnd  bool   // the error is past the last line
}

// col is the 1-based column of byte i of the line.
func (sp *yamlSpot) col(i int) int { return utf8.RuneCountInString(sp.text[:i]) + 1 }

// explain words what yaml.v3 calls problem for a manifest's author, and
// moves e to where it is on the line.
func (sp *yamlSpot) explain(e *Error, problem string) {
	lines, line, text, indent, atEnd, col := sp.lines, sp.line, sp.text, sp.indent, sp.atEnd, sp.col
	switch problem {
	case "found a tab character that violates indentation",
		"found a tab character where an indentation space is expected":
		// The line is where the construct started; the tab may be in the
		// indentation of a later line.
		for l := line; l <= len(lines); l++ {
			t := lines[l-1]
			ind := t[:len(t)-len(strings.TrimLeft(t, " \t"))]
			if i := strings.IndexByte(ind, '\t'); i >= 0 {
				e.Line, e.Col = l, utf8.RuneCountInString(t[:i])+1
				e.Msg = "invalid YAML: a tab in the indentation; indent with spaces only"
				break
			}
		}
	case "found character that cannot start any token":
		if i := strings.IndexByte(text[:indent], '\t'); i >= 0 {
			e.Col = col(i)
			e.Msg = "invalid YAML: a tab in the indentation; indent with spaces only"
		} else if i := strings.IndexAny(text, "@`\t"); i >= 0 {
			e.Col = col(i)
			if text[i] == '\t' {
				e.Msg = "invalid YAML: a tab where YAML does not allow one; use spaces"
			} else {
				e.Msg = "invalid YAML: a value cannot start with " + text[i:i+1] + "; quote the value"
			}
		}
	case "did not find expected ',' or ']'":
		if i := strings.IndexByte(text, '['); i >= 0 {
			e.Col = col(i)
		}
		e.Msg = "invalid YAML: the list opened with [ here is not closed; add the missing ] (or a , between items)"
	case "did not find expected ',' or '}'":
		if i := strings.IndexByte(text, '{'); i >= 0 {
			e.Col = col(i)
		}
		e.Msg = "invalid YAML: the mapping opened with { here is not closed; add the missing } (or a , between entries)"
		if v, at, ok := unquotedVar(text); ok {
			// The } of ${name} closed the mapping early.
			e.Col = col(at)
			e.Msg = fmt.Sprintf("invalid YAML: inside { }, an unquoted value with ${...} breaks the mapping ({ and } are YAML's); quote the value: %q", v)
		}
	case "did not find expected key":
		e.Msg = "invalid YAML: a line in the mapping that starts here is not \"key: value\" at the mapping's indentation; check the indentation below this line"
	case "did not find expected '-' indicator":
		e.Msg = "invalid YAML: a line in the list that starts here does not start with - at the list's indentation; check the indentation below this line"
	case "mapping values are not allowed in this context":
		if i := strings.LastIndex(text, ": "); i >= 0 {
			e.Col = col(i)
		} else if strings.HasSuffix(text, ":") {
			e.Col = col(len(text) - 1)
		}
		e.Msg = "invalid YAML: unexpected \":\"; quote a value that contains \": \", or fix the indentation"
	case "found unexpected end of stream":
		if i := strings.IndexAny(text, "\"'"); i >= 0 {
			e.Col = col(i)
		}
		e.Msg = "invalid YAML: a quoted string is not closed; add the closing quote"
	case "did not find expected node content":
		if atEnd {
			e.Msg = "invalid YAML: the document ends where a value is expected; complete or remove the last entry"
		} else {
			e.Msg = "invalid YAML: a value is expected here; write one (quote it if it starts with a special character)"
		}
	case "exceeded max depth of 10000":
		e.Msg = "invalid YAML: nested more than 10000 levels deep; flatten the document"
	}
}

// maxKey is the longest implicit key YAML allows, in characters.
const maxKey = 1024

// longKey finds, on one line, an implicit key (text before ": ") longer
// than YAML allows, and returns its byte offset. It does not understand
// quotes; it only serves to word an error.
func longKey(text string) (int, bool) {
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '{', '[', ',', '?', '-':
			start = i + 1
		case ':':
			if i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\t' {
				continue
			}
			k := strings.TrimLeft(text[start:i], " \t")
			if utf8.RuneCountInString(k) > maxKey {
				return i - len(k), true
			}
			start = i + 1
		}
	}
	return 0, false
}

// badChar finds the first byte sequence that is not valid UTF-8 or is a
// character YAML does not allow, and describes it. Documents in UTF-16
// (which yaml.v3 also reads) are not examined.
func badChar(data []byte) (line, col int, msg string, ok bool) {
	if len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF) {
		return 0, 0, "", false
	}
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		switch {
		case r == utf8.RuneError && size <= 1:
			line, col = position(data, off)
			return line, col, "invalid UTF-8 (byte 0x" + strconv.FormatUint(uint64(data[off]), 16) + "); save the file as UTF-8", true
		case !yamlPrintable(r):
			line, col = position(data, off)
			name := "control character " + strings.TrimPrefix(strconv.QuoteRune(r), "'")
			name = strings.TrimSuffix(name, "'")
			if r == 0 {
				name = "NUL byte"
			}
			return line, col, "invalid YAML: a " + name + " is not allowed in a YAML file; remove it, or write it as an escape in a double-quoted string", true
		}
		off += size
	}
	return 0, 0, "", false
}

// yamlPrintable is YAML's c-printable set, as yaml.v3's reader checks it.
func yamlPrintable(r rune) bool {
	switch {
	case r == 0x09, r == 0x0A, r == 0x0D, r >= 0x20 && r <= 0x7E, r == 0x85,
		r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// findAlias returns the offset of the first "*name" that stands as an
// alias (at a token start), or -1.
func findAlias(data []byte, name string) int {
	s := string(data)
	for from := 0; ; {
		i := strings.Index(s[from:], "*"+name)
		if i < 0 {
			return -1
		}
		i += from
		end := i + 1 + len(name)
		before := i == 0 || strings.ContainsRune(" \t\r\n[{,:", rune(s[i-1]))
		after := end == len(s) || strings.ContainsRune(" \t\r\n]},", rune(s[end]))
		if before && after {
			return i
		}
		from = i + 1
	}
}

// position converts a byte offset into a 1-based line and column (in
// characters), counting line breaks as yaml.v3 does (LF, CR, CRLF, NEL, LS,
// PS).
func position(data []byte, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch r {
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				size = 2
			}
			fallthrough
		case '\n', 0x85, 0x2028, 0x2029:
			line, col = line+1, 1
		default:
			col++
		}
		i += size
	}
	return line, col
}

// splitLines splits data into lines as position counts them, without the
// line breaks.
func splitLines(data []byte) []string {
	var lines []string
	start := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch r {
		case '\r', '\n', 0x85, 0x2028, 0x2029:
			lines = append(lines, string(data[start:i]))
			if r == '\r' && i+1 < len(data) && data[i+1] == '\n' {
				size = 2
			}
			start = i + size
		}
		i += size
	}
	if start < len(data) {
		lines = append(lines, string(data[start:]))
	}
	return lines
}

// unquotedVar finds, in a line of a flow mapping, a plain (unquoted)
// value holding ${...}, and returns it and where it starts.
func unquotedVar(line string) (value string, at int, ok bool) {
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '$' && i+1 < len(line) && line[i+1] == '{':
			start := i
			for start > 0 && !strings.ContainsRune(" \t,{[:", rune(line[start-1])) {
				start--
			}
			end := strings.IndexByte(line[i:], '}')
			if end < 0 {
				return "", 0, false
			}
			end += i + 1
			for end < len(line) && !strings.ContainsRune(" \t,}]", rune(line[end])) {
				end++
			}
			return line[start:end], start, true
		}
	}
	return "", 0, false
}
