package manifest

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// Most manifests, and all large ones, are written in a small part of YAML:
// block mappings of plain keys, whose values are nested block mappings,
// one-line flow mappings of plain keys ({dest: x, target: y}) or scalars
// written on one line. fastYAML reads that part into the node tree yaml.v3
// would build, four to five times faster (yaml.v3 scans a token at a time
// through a general state machine and allocates each node on its own),
// and declines anything else, which then goes to yaml.v3 as before. It
// never reports an error: a document it declines may well be valid.
//
// What it reads (anything else is declined):
//   - printable ASCII and line feeds only (no tabs, CRs, BOMs, other
//     bytes), the top-level mapping at column 0, no document markers or
//     directives, full-line and trailing comments;
//   - keys: a letter, digit or _ followed by letters, digits and _.-/,
//     resolving to strings, then ": " or ":" at the line's end;
//   - a key whose value is on the next lines: a block mapping indented
//     more deeply (an empty value, a null, is declined);
//   - flow mappings opened and closed on the key's line, of key: value
//     pairs (no trailing comma, no nesting);
//   - scalars on one line: quoted without escapes ("a", 'a'), or plain,
//     starting with a letter, digit or one of _./$~ and without : or #
//     (nor ,?[]{} in a flow mapping, where yaml.v3 ends a plain scalar at
//     them); a plain scalar that yaml.v3 resolves to a number other than
//     a short decimal integer, or to a timestamp, is declined, as is one
//     that a more deeply indented line continues.
//
// Comments are not kept (nothing reads them). FuzzFastYAML checks, on every
// input, that a tree fastYAML builds is yaml.v3's.

// fastMaxDepth is the deepest nesting read; deeper documents are declined.
const fastMaxDepth = 64

// fastMaxKey is the longest key read: yaml.v3 refuses implicit keys longer
// than 1024 characters.
const fastMaxKey = 1000

type fastParser struct {
	src  string
	line int // the line being read, from 1
	at   int // offset of its first byte
	slab []yaml.Node
	ptrs []*yaml.Node
	flow [16]*yaml.Node // a flow mapping's keys and values, while read
}

// fastYAML returns the top-level node of data (see above), or ok false.
func fastYAML(data []byte) (root *yaml.Node, ok bool) {
	for _, c := range data {
		if c >= 0x7f || c < 0x20 && c != '\n' {
			return nil, false
		}
	}
	p := &fastParser{src: string(data)}
	return p.parse()
}

// node returns a new node from the current slab.
func (p *fastParser) node(kind yaml.Kind, tag, value string, line, col int) *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, 512)
	}
	p.slab = p.slab[:len(p.slab)+1]
	n := &p.slab[len(p.slab)-1]
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, line, col
	return n
}

// content returns list as a mapping's Content, from a shared slab.
func (p *fastParser) content(list []*yaml.Node) []*yaml.Node {
	if cap(p.ptrs)-len(p.ptrs) < len(list) {
		p.ptrs = make([]*yaml.Node, 0, max(4096, len(list)))
	}
	start := len(p.ptrs)
	p.ptrs = append(p.ptrs, list...)
	return p.ptrs[start:len(p.ptrs):len(p.ptrs)]
}

type fastLevel struct {
	indent int
	m      *yaml.Node
}

// fastState is where parse is: the top-level mapping, the mappings open
// (innermost last), and the one whose last key awaits a block value.
type fastState struct {
	root    *yaml.Node
	levels  []fastLevel
	pending *yaml.Node
}

func (p *fastParser) parse() (*yaml.Node, bool) {
	var st fastState
	src := p.src
	for p.at < len(src) {
		p.line++
		end := p.at
		for end < len(src) && src[end] != '\n' {
			end++
		}
		text := src[p.at:end]
		p.at = end + 1
		indent := 0
		for indent < len(text) && text[indent] == ' ' {
			indent++
		}
		if indent == len(text) || text[indent] == '#' {
			continue // blank or a comment
		}
		m, ok := p.mappingAt(&st, indent)
		if !ok || !p.entry(&st, m, text, indent) {
			return nil, false
		}
	}
	if st.root == nil || st.pending != nil {
		return nil, false // nothing written, or an empty value at the end
	}
	return st.root, true
}

// mappingAt returns the mapping that a line indented by indent adds a key
// to: the top-level one at the first line, a new one for a key awaiting a
// block value, else the open one at that indentation.
func (p *fastParser) mappingAt(st *fastState, indent int) (*yaml.Node, bool) {
	switch {
	case st.root == nil:
		if indent != 0 {
			return nil, false
		}
		st.root = p.node(yaml.MappingNode, "!!map", "", p.line, 1)
		st.levels = append(st.levels, fastLevel{0, st.root})
	case st.pending != nil:
		if indent <= st.levels[len(st.levels)-1].indent || len(st.levels) == fastMaxDepth {
			return nil, false // an empty value, or too deep
		}
		m := p.node(yaml.MappingNode, "!!map", "", p.line, indent+1)
		st.pending.Content = append(st.pending.Content, m)
		st.levels = append(st.levels, fastLevel{indent, m})
		st.pending = nil
	default:
		for len(st.levels) > 0 && st.levels[len(st.levels)-1].indent > indent {
			st.levels = st.levels[:len(st.levels)-1]
		}
		if len(st.levels) == 0 || st.levels[len(st.levels)-1].indent != indent {
			return nil, false // a continuation, or a bad indentation
		}
	}
	return st.levels[len(st.levels)-1].m, true
}

// entry reads a line's key and value into m: after the colon, the end of
// the line (the value follows on the next lines), or spaces and the value.
func (p *fastParser) entry(st *fastState, m *yaml.Node, text string, indent int) bool {
	i := indent
	k, ok := p.key(text, &i)
	if !ok {
		return false
	}
	m.Content = append(m.Content, k)
	for i < len(text) && text[i] == ' ' {
		i++
	}
	if i == len(text) || text[i] == '#' { // key() saw a space before any #
		st.pending = m
		return true
	}
	var v *yaml.Node
	if text[i] == '{' {
		v, ok = p.flowMapping(text, &i)
	} else {
		v, ok = p.scalar(text, &i, false)
	}
	if !ok {
		return false
	}
	m.Content = append(m.Content, v)
	return restIsComment(text, i)
}

// flowMapping reads a one-line flow mapping ({key: value, ...}) at
// text[*i:], *i on its {.
func (p *fastParser) flowMapping(text string, i *int) (*yaml.Node, bool) {
	f := p.node(yaml.MappingNode, "!!map", "", p.line, *i+1)
	f.Style = yaml.FlowStyle
	*i++
	list := p.flow[:0]
	for *i < len(text) && text[*i] == ' ' {
		*i++
	}
	if *i < len(text) && text[*i] == '}' {
		*i++
	} else {
		for {
			k, ok := p.key(text, i)
			if !ok || *i == len(text) || text[*i] != ' ' {
				return nil, false
			}
			for *i < len(text) && text[*i] == ' ' {
				*i++
			}
			val, ok := p.scalar(text, i, true)
			if !ok {
				return nil, false
			}
			list = append(list, k, val)
			for *i < len(text) && text[*i] == ' ' {
				*i++
			}
			if *i == len(text) {
				return nil, false
			}
			if text[*i] == '}' {
				*i++
				break
			}
			if text[*i] != ',' {
				return nil, false
			}
			*i++
			for *i < len(text) && text[*i] == ' ' {
				*i++
			}
		}
	}
	if len(list) > 0 { // yaml.v3 leaves {} without Content
		f.Content = p.content(list)
	}
	return f, true
}

// restIsComment reports whether the rest of the line after text[:i] is
// spaces and maybe a comment (which needs a space before its #).
func restIsComment(text string, i int) bool {
	j := i
	for j < len(text) && text[j] == ' ' {
		j++
	}
	return j == len(text) || (text[j] == '#' && j != i)
}

// key reads a key and its colon at text[*i:] (a line of the document); *i
// ends after the colon, which is followed by a space or the end of the
// line.
func (p *fastParser) key(text string, i *int) (*yaml.Node, bool) {
	start := *i
	value, ok := scanKey(text, i)
	if !ok {
		return nil, false
	}
	return p.node(yaml.ScalarNode, "!!str", value, p.line, start+1), true
}

// scanKey is key without the node: the key's text.
func scanKey(text string, i *int) (string, bool) {
	start := *i
	j := start
	if j == len(text) || !nameStart(text[j]) {
		return "", false
	}
	for j < len(text) && keyByte(text[j]) {
		j++
	}
	if j == len(text) || text[j] != ':' || j+1 < len(text) && text[j+1] != ' ' || j-start > fastMaxKey {
		return "", false
	}
	value := text[start:j]
	if tag, ok := plainTag(value); !ok || tag != "!!str" {
		return "", false
	}
	*i = j + 1
	return value, true
}

// scalar reads a one-line scalar at text[*i:] (a line of the document), in
// a flow mapping or not; *i ends after it (trailing spaces of a plain
// scalar not included).
func (p *fastParser) scalar(text string, i *int, inFlow bool) (*yaml.Node, bool) {
	start := *i
	value, tag, style, ok := scanScalar(text, i, inFlow)
	if !ok {
		return nil, false
	}
	n := p.node(yaml.ScalarNode, tag, value, p.line, start+1)
	n.Style = style
	return n, true
}

// scanScalar is scalar without the node: the scalar's value, the tag
// yaml.v3 resolves it to, and its style.
func scanScalar(text string, i *int, inFlow bool) (value, tag string, style yaml.Style, ok bool) {
	start := *i
	if start == len(text) {
		return "", "", 0, false
	}
	switch q := text[start]; q {
	case '"', '\'':
		j := start + 1
		for j < len(text) && text[j] != q {
			if text[j] == '\\' && q == '"' {
				return "", "", 0, false // an escape
			}
			j++
		}
		if j == len(text) || j+1 < len(text) && text[j+1] == q {
			return "", "", 0, false // not closed on this line, or '' inside
		}
		style = yaml.DoubleQuotedStyle
		if q == '\'' {
			style = yaml.SingleQuotedStyle
		}
		*i = j + 1
		return text[start+1 : j], "!!str", style, true
	}
	if !valueStart(text[start]) {
		return "", "", 0, false
	}
	j, last := start, start
	for ; j < len(text); j++ {
		c := text[j]
		if c == ':' || c == '#' && text[j-1] != ' ' {
			return "", "", 0, false
		}
		if c == '#' {
			break // a comment
		}
		if inFlow {
			if c == ',' || c == '}' {
				break
			}
			if c == '{' || c == '[' || c == ']' || c == '?' {
				return "", "", 0, false
			}
		}
		if c != ' ' {
			last = j
		}
	}
	value = text[start : last+1]
	tag, ok = plainTag(value)
	if !ok {
		return "", "", 0, false
	}
	*i = last + 1
	return value, tag, 0, true
}

// plainTag is the tag yaml.v3 resolves a plain scalar to, for the scalars
// fastYAML reads; ok is false for the others.
func plainTag(v string) (tag string, ok bool) {
	switch c := v[0]; {
	case '0' <= c && c <= '9':
		if len(v) > 18 || len(v) > 1 && c == '0' {
			return "", false
		}
		for i := 1; i < len(v); i++ {
			if v[i] < '0' || v[i] > '9' {
				return "", false
			}
		}
		return "!!int", true
	case c == '+' || c == '-':
		return "", false
	case c == '.':
		switch v {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return "", false
		}
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return "", false
		}
	}
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool", true
	case "~", "null", "Null", "NULL":
		return "!!null", true
	}
	return "!!str", true
}

func nameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func keyByte(c byte) bool {
	return nameStart(c) || c == '.' || c == '-' || c == '/'
}

func valueStart(c byte) bool {
	return nameStart(c) || c == '.' || c == '/' || c == '$' || c == '~'
}
