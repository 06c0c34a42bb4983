package manifest

import (
	"bytes"
	"errors"
	"maps"
	"runtime"

	"github.com/linksdev/links/internal/par"
)

// Large manifests are parsed in chunks of links, on every CPU.
//
// yaml.v3 can only parse a whole document into one node tree: for a
// million links that tree alone is ~800 MB and a single core's work. A
// manifest whose links: mapping is written in block style is therefore
// split at the lines where its entries begin, and each chunk of entries is
// parsed as its own document, made of the manifest with only that chunk
// under links: (so version, vars, root, defaults and anchors defined
// outside links: mean what they mean in the whole file). The chunks'
// links are then put together in document order.
//
// The split is only ever a shortcut to the whole-document result, never a
// different answer:
//
//   - Any chunk that is not a valid manifest on its own, for whatever
//     reason, sends the whole file to parseWhole, whose errors are the ones
//     reported (so every error still names its place in the file, and no
//     error is ever specific to chunking). So does a chunk whose root,
//     state_dir or vars differ from the first chunk's.
//   - A chunk boundary is a line indented exactly as the first entry, that
//     is neither blank nor a comment. In the whole document such a line
//     either starts a new entry or continues a flow collection or a quoted
//     scalar begun above it (block and plain scalars must be indented more
//     deeply); in the second case the chunk before the boundary ends inside
//     an unterminated construct and fails to parse, so the file falls back.
//   - What only the whole file can show is checked after the chunks: a
//     name or a dest declared in two chunks sends the file to parseWhole,
//     which reports it as usual.
//   - Only files whose links: mapping is the last top-level key are split
//     (a line at column 0 after it could be a new key or the end of a
//     quoted scalar, which only a parser can tell), and not those with
//     document markers, directives, CR line ends or tabs in the links
//     block's indentation.
//
// FuzzParse checks, on every input, that when the file splits into chunks
// of one or two links, the result is parseWhole's.

const (
	// chunkMin is the number of links below which a manifest is parsed
	// whole; chunkSize is the number of links per chunk. FuzzParse calls
	// parseChunkedBy with smaller ones.
	chunkMin  = 8192
	chunkSize = 2048
)

// maxChunkHeader is the most text outside links: that is repeated in every
// chunk; a larger header is parsed whole.
const maxChunkHeader = 64 << 10

// chunkPlan is how a file is split: the text before the links body (up to
// and including the links: line), and the entries' start offsets and line
// numbers. The body runs to the end of the file.
type chunkPlan struct {
	head      []byte
	bodyStart int // offset of the first body line
	bodyLine  int // its line number (1-based)
	bodyEnd   int
	starts    []int // offset of each entry's first line
	lines     []int // its line number
}

// splitLinks finds the links body and its entries; ok is false when the
// file should be parsed whole.
func splitLinks(data []byte, minLinks int) (p chunkPlan, ok bool) {
	if bytes.IndexByte(data, '\r') >= 0 || bytes.Contains(data, []byte("\n---")) || bytes.Contains(data, []byte("\n...")) ||
		bytes.HasPrefix(data, []byte("---")) || bytes.HasPrefix(data, []byte("%")) || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return p, false
	}
	linksLine := -1
	indent := -1
	line := 0
	lines := bytes.Count(data, []byte{'\n'}) + 1 // at most one entry each
	p.starts, p.lines = make([]int, 0, lines), make([]int, 0, lines)
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		text := data[off:next]
		line++
		switch {
		case len(text) > 0 && text[0] == '%':
			return p, false // a directive
		case linksLine < 0:
			if bytes.HasPrefix(text, []byte("links:")) {
				rest := bytes.TrimSpace(text[len("links:"):])
				if len(rest) > 0 && rest[0] != '#' {
					return p, false // links: { ... } or links: &anchor
				}
				linksLine = line
				p.bodyStart, p.bodyLine = next, line+1
			}
		default:
			blank := len(bytes.TrimSpace(text)) == 0
			n := 0
			for n < len(text) && text[n] == ' ' {
				n++
			}
			switch {
			case blank || n < len(text) && text[n] == '#':
				// blank or comment: part of whatever it is in
			case n == 0:
				// another top-level key after links: the file is parsed
				// whole (a line at column 0 could also continue a quoted
				// scalar or a flow collection, which only a parser knows)
				return p, false
			case n < len(text) && text[n] == '\t':
				return p, false
			case indent < 0:
				if text[n] == '-' || text[n] == '{' || text[n] == '[' {
					return p, false
				}
				indent = n
				fallthrough
			case n == indent:
				p.starts = append(p.starts, off)
				p.lines = append(p.lines, line)
			}
		}
		off = next
	}
	if linksLine < 0 {
		return p, false
	}
	p.bodyEnd = len(data)
	p.head = data[:p.bodyStart]
	return p, len(p.starts) >= minLinks && len(p.head) <= maxChunkHeader
}

// chunkText is the document of the entries [first, last): the head and
// their lines.
func (p *chunkPlan) chunkText(data []byte, first, last int) []byte {
	end := p.bodyEnd
	if last < len(p.starts) {
		end = p.starts[last]
	}
	return append(append(make([]byte, 0, len(p.head)+end-p.starts[first]), p.head...), data[p.starts[first]:end]...)
}

// parseChunked parses a large manifest chunk by chunk (see above); ok is
// false when it must be parsed whole.
func parseChunked(file string, data []byte, opts Options) (*Manifest, bool) {
	return parseChunkedBy(file, data, opts, chunkMin, chunkSize)
}

// parseChunkedBy is parseChunked for files of at least minLinks links, in
// chunks of size links.
func parseChunkedBy(file string, data []byte, opts Options, minLinks, size int) (*Manifest, bool) {
	if len(data) < minLinks*16 {
		return nil, false // too small to hold minLinks entries
	}
	p, ok := splitLinks(data, minLinks)
	if !ok {
		return nil, false
	}
	var chunks []*chunk
	for i := 0; i < len(p.starts); i += size {
		chunks = append(chunks, &chunk{first: i, last: min(i+size, len(p.starts))})
	}
	c := &chunked{file: file, data: data, opts: opts, p: p, all: make([]Link, len(p.starts)),
		bufs: make(chan []byte, runtime.GOMAXPROCS(0))}
	if !c.parseFirst(chunks[0]) {
		return nil, false
	}
	errChunk := errors.New("chunk")
	err := par.Each(len(chunks)-1, runtime.GOMAXPROCS(0), func(k int) error {
		if !c.parse(chunks[k+1]) {
			return errChunk
		}
		return nil
	})
	if err != nil {
		return nil, false
	}
	return c.join(chunks)
}

// A chunk is the entries [first, last) of the links body, and the
// manifest its document gave.
type chunk struct {
	first, last int
	m           *Manifest
}

// chunked is one chunked parse: the file, how it splits, and the links
// gathered in file order.
type chunked struct {
	file string
	data []byte
	opts Options
	p    chunkPlan
	all  []Link
	// head is the first chunk's document and first its manifest: the
	// head the others' one-line links are built against (lineChunk);
	// indent is the entries' indentation.
	head   *document
	first  *Manifest
	indent int
	bufs   chan []byte // buffers for a chunk's document, reused
}

// parseFirst parses the first chunk whole, for its head.
func (c *chunked) parseFirst(ch *chunk) bool {
	p := &c.p
	first, head, err := parseDocument(c.file, p.chunkText(c.data, 0, ch.last), c.opts)
	if err != nil || len(first.Links) != ch.last {
		return false
	}
	c.place(ch, first.Links)
	first.Links = nil
	ch.m, c.head, c.first = first, head, first
	for c.data[p.starts[0]+c.indent] == ' ' {
		c.indent++
	}
	return true
}

// parse reads a chunk after the first: by lineChunk, or else as its own
// document (the head and its entries).
func (c *chunked) parse(ch *chunk) bool {
	p := &c.p
	end := p.bodyEnd
	if ch.last < len(p.starts) {
		end = p.starts[ch.last]
	}
	body := c.data[p.starts[ch.first]:end]
	budget := expandBudget(len(p.head) + len(body))
	if links, ok := lineChunk(c.head, c.first, string(body), p.lines[ch.first], c.indent, budget, c.all[ch.first:ch.first:ch.last]); ok && len(links) == ch.last-ch.first {
		ch.m = c.first
		return true
	}
	var buf []byte
	select {
	case buf = <-c.bufs:
	default:
	}
	defer func() {
		select {
		case c.bufs <- buf:
		default:
		}
	}()
	buf = append(append(buf[:0], p.head...), body...)
	m, err := parseWhole(c.file, buf, c.opts)
	if err != nil || len(m.Links) != ch.last-ch.first {
		return false
	}
	c.place(ch, m.Links)
	m.Links = nil
	ch.m = m
	return true
}

// place puts a chunk's links, parsed as a document of the head and the
// chunk, at their place in the whole list with their lines in the file:
// the chunk's own list is garbage from here (a million links are ~180 MB).
func (c *chunked) place(ch *chunk, links []Link) {
	shift := c.p.lines[ch.first] - c.p.bodyLine // the chunk starts where the body did
	for i := range links {
		links[i].Pos.Line += shift
	}
	copy(c.all[ch.first:ch.last], links)
}

// join checks what only the whole file shows, and returns its manifest.
func (c *chunked) join(chunks []*chunk) (*Manifest, bool) {
	m := chunks[0].m
	for _, ch := range chunks[1:] {
		if ch.m.Root != m.Root || ch.m.StateDir != m.StateDir || !maps.Equal(ch.m.Vars, m.Vars) {
			return nil, false
		}
	}
	if !uniqueNames(c.all) {
		return nil, false
	}
	// Sorted already when the file lists its links in dest order (the
	// common case), else sorted here.
	links := sortByDest(c.all)
	for i := 1; i < len(links); i++ {
		if links[i].Dest == links[i-1].Dest {
			return nil, false // a dest declared twice: parseWhole reports it
		}
	}
	m.Links = links
	return m, true
}

// uniqueNames reports whether no two links share a name. Names in
// increasing order (a generated manifest, or one kept sorted) are unique
// without an index of them (at 100,000 links, a map built on one CPU:
// ~10 ms); otherwise they are indexed.
func uniqueNames(links []Link) bool {
	increasing := true
	for i := 1; i < len(links) && increasing; i++ {
		increasing = links[i-1].Name < links[i].Name
	}
	if increasing {
		return true
	}
	names := make(map[string]struct{}, len(links))
	for i := range links {
		if _, dup := names[links[i].Name]; dup {
			return false
		}
		names[links[i].Name] = struct{}{}
	}
	return true
}
