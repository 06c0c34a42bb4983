package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// document is a parsed manifest: the node tree and its conversion to plain
// values (map[string]any, []any, string, bool, int64, float64, nil) for the
// schema validator and the typed decoder.
type document struct {
	file  string
	data  []byte
	root  *yaml.Node // the top-level value (not the DocumentNode)
	value any
	errs  ErrorList
	// cost is what the conversion produced, aliases followed: one per
	// node plus the length of every scalar and key. Never more than
	// budget(len(data)).
	cost int
	// expandLimit bounds what variable expansion may produce in all.
	expandLimit int
	// rootOK is false when root could not be resolved (its error is
	// recorded): absolute paths are then not checked against it.
	rootOK bool
	// badValues holds the pointers of scalars the conversion rejected.
	badValues map[string]bool
	// lastLine and lastCol are the end of the document (see place).
	lastLine, lastCol int
	// links holds the entries of the top-level links mapping in document
	// order (first of duplicates only).
	links []entry
	// x, defaults and manifestRel are what build read from the head
	// (the expander, defaults: and the manifest's path under root), kept
	// for lineChunk.
	x           *expander
	defaults    map[string]any
	manifestRel string
	// declineOnly is set on lineChunk's documents, which have no node
	// tree: an error only sets declined.
	declineOnly, declined bool
	// keyIndex caches, per mapping node, the index of each key in Content,
	// built only when an error's pointer must be mapped to a position.
	keyIndex map[*yaml.Node]map[string]int
}

const emptyMsg = "the manifest is empty; start it with \"version: 1\" and a \"links:\" mapping"

// entry is one name: value pair of the links mapping.
type entry struct {
	name  string
	key   *yaml.Node
	value any
}

// parseYAML parses data into a node tree, with fastYAML when data is
// written in the part of YAML it reads, else with yaml.v3.
func parseYAML(file string, data []byte) (root *yaml.Node, errs ErrorList) {
	if root, ok := fastYAML(data); ok {
		return root, nil
	}
	return parseYAMLv3(file, data)
}

// parseYAMLv3 parses data into a node tree with yaml.v3. A syntax error
// becomes a positioned Error. yaml.v3 is not trusted to never panic on
// hostile input: a panic is turned into an error at 1:1.
func parseYAMLv3(file string, data []byte) (root *yaml.Node, errs ErrorList) {
	defer func() {
		if r := recover(); r != nil {
			root, errs = nil, ErrorList{{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("cannot parse YAML: %v; simplify the document", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{File: file, Line: 1, Col: 1, Msg: emptyMsg}}
		}
		return nil, ErrorList{yamlError(file, data, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		line := extra.Line
		if line == 0 {
			line = 1
		}
		return nil, ErrorList{{File: file, Line: line, Col: 1, Msg: "more than one YAML document; a manifest is a single document (remove the extra ---)"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, ErrorList{yamlError(file, data, err)}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, ErrorList{{File: file, Line: 1, Col: 1, Msg: emptyMsg}}
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" && top.Value == "" && top.Style == 0 {
		// "---" alone, or only comments after it: nothing is written. (The
		// null node's place may be past the last line.)
		return nil, ErrorList{{File: file, Line: 1, Col: 1, Msg: emptyMsg}}
	}
	return top, nil
}

// converter turns a node tree into plain values. budget bounds what it
// produces (nodes, and the text of scalars and keys), so that aliases cannot
// expand a small document into a huge one ("billion laughs", or one long
// string used a million times): see budget.
type converter struct {
	d      *document
	budget int
	cost   int                 // produced so far, aliases followed
	path   []string            // dotted-path segments of the node being converted
	active map[*yaml.Node]bool // anchored nodes being converted (alias cycles)
	// outer is the outermost alias being expanded, and outerPath its path
	// length: an expansion that goes over budget is reported there, where
	// the document uses it, rather than deep inside the anchor.
	outer     *yaml.Node
	outerPath int
}

// budgetSlack is added to the alias budget, for tiny documents.
const budgetSlack = 10000

// budget is the most a document of size bytes may produce. Without aliases
// a document has at most one node per byte (plus a few), and its scalars and
// keys hold at most 1.5 times its bytes (an escape like \L, 2 bytes, gives
// 3), so only aliases can exceed it.
func budget(size int) int { return 3*size + budgetSlack }

func (c *converter) errorf(n *yaml.Node, format string, args ...any) {
	line, col := c.d.place(n)
	c.d.errs = append(c.d.errs, &Error{File: c.d.file, Line: line, Col: col, Path: dotted(c.path), Msg: fmt.Sprintf(format, args...)})
}

// valueErrorf records an error about a scalar's value, which converts to
// nil: the schema's complaint about that nil is then not reported again.
func (c *converter) valueErrorf(n *yaml.Node, format string, args ...any) {
	c.errorf(n, format, args...)
	var ptr strings.Builder
	for _, s := range c.path {
		ptr.WriteByte('/')
		if strings.HasPrefix(s, "[") {
			ptr.WriteString(strings.Trim(s, "[]"))
		} else {
			ptr.WriteString(escapePointer(s))
		}
	}
	if c.d.badValues == nil {
		c.d.badValues = map[string]bool{}
	}
	c.d.badValues[ptr.String()] = true
}

// errAbort stops the conversion: the document cannot be expanded (alias
// budget exceeded, alias cycle), and the one error recorded says why.
var errAbort = errors.New("conversion aborted")

func (c *converter) convert(n *yaml.Node) (any, error) {
	c.cost++
	if n.Kind == yaml.ScalarNode {
		c.cost += len(n.Value)
	}
	if c.cost > c.budget {
		at, path := n, c.path
		if c.outer != nil {
			at, path = c.outer, c.path[:c.outerPath]
		}
		line, col := c.d.place(at)
		c.d.errs = append(c.d.errs, &Error{File: c.d.file, Line: line, Col: col, Path: dotted(path),
			Msg: "aliases expand this document far beyond its own size; write the values out instead of using anchors and aliases"})
		return nil, errAbort
	}
	switch n.Kind {
	case yaml.AliasNode:
		if c.active[n.Alias] {
			c.errorf(n, "alias *%s is used inside its own anchor &%s, which would never end; write the value out", n.Value, n.Alias.Anchor)
			return nil, errAbort
		}
		if c.outer == nil {
			c.outer, c.outerPath = n, len(c.path)
			defer func() { c.outer = nil }()
		}
		return c.convert(n.Alias)
	case yaml.ScalarNode:
		return c.scalar(n), nil
	}
	if n.Anchor != "" {
		if c.active == nil {
			c.active = map[*yaml.Node]bool{}
		}
		c.active[n] = true
		defer delete(c.active, n)
	}
	switch n.Kind {
	case yaml.SequenceNode:
		return c.sequence(n)
	case yaml.MappingNode:
		return c.mapping(n)
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return c.convert(n.Content[0])
		}
	}
	return nil, nil
}

// sequence converts a sequence node.
func (c *converter) sequence(n *yaml.Node) (any, error) {
	if n.Tag != "!!seq" {
		c.errorf(n, "unsupported YAML tag %s; remove it", n.Tag)
	}
	list := make([]any, len(n.Content))
	for i, item := range n.Content {
		c.path = append(c.path, "["+strconv.Itoa(i)+"]")
		v, err := c.convert(item)
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return nil, err
		}
		list[i] = v
	}
	return list, nil
}

// mapping converts a mapping node: string keys only, each once, no merge
// keys. The links mapping's entries are also kept in document order.
func (c *converter) mapping(n *yaml.Node) (any, error) {
	if n.Tag != "!!map" {
		c.errorf(n, "unsupported YAML tag %s; remove it", n.Tag)
	}
	m := make(map[string]any, len(n.Content)/2)
	// The links mapping's entries are also kept in document order,
	// with their key nodes, for build.
	isLinks := len(c.path) == 1 && c.path[0] == "links"
	if isLinks {
		c.d.links = make([]entry, 0, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		// kn is where the key is written (maybe an alias), k what it is.
		kn, vn := n.Content[i], n.Content[i+1]
		k := kn
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Tag == "!!merge" {
			c.errorf(kn, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		if !stringKey(k) {
			c.errorf(kn, "%s", describeKey(k))
			continue
		}
		if _, dup := m[k.Value]; dup {
			c.path = append(c.path, k.Value)
			c.errorf(kn, "duplicate key %q (first at line %d); remove one", k.Value, firstKey(n, k.Value).Line)
			c.path = c.path[:len(c.path)-1]
			continue
		}
		c.cost += len(k.Value)
		c.path = append(c.path, k.Value)
		v, err := c.convert(vn)
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return nil, err
		}
		m[k.Value] = v
		if isLinks {
			c.d.links = append(c.d.links, entry{name: k.Value, key: kn, value: v})
		}
	}
	return m, nil
}

// firstKey returns the first key node of mapping n named name.
func firstKey(n *yaml.Node, name string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if stringKey(k) && k.Value == name {
			return n.Content[i]
		}
	}
	return n
}

// stringKey reports whether k can be a mapping key: a string scalar. An
// unquoted date (2026-02-07) counts, as it does for values.
func stringKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && (k.Tag == "!!str" || k.Tag == "!!timestamp")
}

// scalar converts a scalar by its resolved tag. Timestamps stay strings
// (JSON has none, and a release id like 2026-02-07 is text); custom tags are
// refused.
func (c *converter) scalar(n *yaml.Node) any {
	switch n.Tag {
	case "!!str", "!!timestamp", "":
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
		c.valueErrorf(n, "%q is not a boolean; write true or false", n.Value)
		return nil
	case "!!int", "!!float":
		// Numbers JSON cannot hold (NaN, ±Inf, out of range) are kept as
		// written; the schema then reports the wrong type with that text.
		s := strings.ReplaceAll(n.Value, "_", "")
		if n.Tag == "!!int" {
			if i, err := strconv.ParseInt(s, 0, 64); err == nil {
				return i
			}
		}
		switch strings.ToLower(strings.TrimLeft(s, "+-")) {
		case ".inf", ".nan", "inf", "nan", "infinity":
			return n.Value
		}
		f, err := strconv.ParseFloat(s, 64)
		switch {
		case err == nil && !math.IsInf(f, 0) && !math.IsNaN(f):
			return f
		case err == nil, errors.Is(err, strconv.ErrRange):
			return n.Value
		}
		c.valueErrorf(n, "%q is not a number; write a number, or remove the %s tag", n.Value, n.Tag)
		return nil
	}
	c.valueErrorf(n, "unsupported YAML tag %s; use plain strings, numbers and booleans", n.Tag)
	return nil
}

// describeKey says why k cannot be a key and what to write instead.
func describeKey(k *yaml.Node) string {
	switch k.Kind {
	case yaml.MappingNode:
		return "a mapping cannot be a key; use a name"
	case yaml.SequenceNode:
		return "a list cannot be a key; use a name"
	}
	what := "a " + strings.TrimPrefix(k.Tag, "!!")
	switch k.Tag {
	case "!!int", "!!float":
		what = "a number"
	case "!!bool":
		what = "a boolean"
	case "!!null":
		if k.Value == "" {
			return "empty key; write a name before the colon"
		}
		what = "null"
	}
	return fmt.Sprintf("key %s is %s, not a string; quote it: %q", k.Value, what, k.Value)
}

// identRE matches a path segment that can be shown after a dot.
var identRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)

// maxPathSegs bounds how much of a deep path an error shows.
const maxPathSegs = 24

// dotted renders path segments as links.name.key, quoting segments that are
// not plain identifiers: links["app.conf"].dest. A very deep path shows its
// first and last segments around "…".
func dotted(segs []string) string {
	var b strings.Builder
	for i := 0; i < len(segs); i++ {
		if len(segs) > maxPathSegs && i == maxPathSegs/2 {
			b.WriteString("…")
			i = len(segs) - maxPathSegs/2
		}
		s := brief(segs[i])
		switch {
		case strings.HasPrefix(s, "["):
			b.WriteString(s)
		case identRE.MatchString(s):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		default:
			b.WriteString("[" + strconv.Quote(s) + "]")
		}
	}
	return b.String()
}

// pointerSegments splits a JSON pointer into dotted-path segments.
func pointerSegments(ptr string) []string {
	if ptr == "" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		toks[i] = t
	}
	return toks
}

// locate maps a JSON pointer to the node it names: the key node when key is
// true (for unknown keys and invalid names), else the value node. Where the
// pointer goes further than the tree (a missing key), the deepest existing
// node is returned.
func (d *document) locate(ptr string, key bool) *yaml.Node {
	n := d.root
	toks := pointerSegments(ptr)
	var keyNode *yaml.Node
	for _, tok := range toks {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			idx := d.keys(n)
			i, ok := idx[tok]
			if !ok {
				return n
			}
			keyNode, n = n.Content[i], n.Content[i+1]
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return n
			}
			keyNode, n = nil, n.Content[i]
		default:
			return n
		}
	}
	if key && keyNode != nil {
		return keyNode // where the key is written, even if an alias
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func (d *document) keys(n *yaml.Node) map[string]int {
	if d.keyIndex == nil {
		d.keyIndex = map[*yaml.Node]map[string]int{}
	}
	idx, ok := d.keyIndex[n]
	if !ok {
		idx = make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			if _, dup := idx[k.Value]; !dup {
				idx[k.Value] = i
			}
		}
		d.keyIndex[n] = idx
	}
	return idx
}

// place is where an error about n is shown. yaml.v3 places an empty value
// at the next token, which at the end of a document without a final line
// break is past the last line: such a place becomes the end of the last
// line.
func (d *document) place(n *yaml.Node) (line, col int) {
	line, col = max(n.Line, 1), max(n.Column, 1)
	if d.lastLine == 0 {
		lines := splitLines(d.data)
		d.lastLine = max(len(lines), 1)
		if len(lines) > 0 {
			d.lastCol = utf8.RuneCountInString(lines[len(lines)-1]) + 1
		} else {
			d.lastCol = 1
		}
	}
	if line > d.lastLine {
		return d.lastLine, d.lastCol
	}
	return line, col
}

// errorAt records an error at the node a JSON pointer names.
func (d *document) errorAt(ptr string, key bool, format string, args ...any) {
	if d.declineOnly {
		d.declined = true
		return
	}
	n := d.locate(ptr, key)
	line, col := d.place(n)
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Col: col, Path: d.pathOf(ptr), Msg: fmt.Sprintf(format, args...)})
}

// pathOf renders a JSON pointer as a dotted path, showing list indexes as
// [i] where the node tree has a list.
func (d *document) pathOf(ptr string) string {
	segs := pointerSegments(ptr)
	n := d.root
	for i, s := range segs {
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil {
			break
		}
		switch n.Kind {
		case yaml.SequenceNode:
			segs[i] = "[" + s + "]"
			if j, err := strconv.Atoi(s); err == nil && j >= 0 && j < len(n.Content) {
				n = n.Content[j]
			} else {
				n = nil
			}
		case yaml.MappingNode:
			if j, ok := d.keys(n)[s]; ok {
				n = n.Content[j+1]
			} else {
				n = nil
			}
		default:
			n = nil
		}
	}
	return dotted(segs)
}
