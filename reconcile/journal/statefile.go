package journal

import (
	"bytes"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The state file is JSON, written one owned link per line:
//
//	{"format_version":1,"journal_offset":1234,"links":{
//	"app/current":{"manifest":"/srv/links.yaml","name":"live","link":"releases/7","apply_id":"20261123-..."},
//	...
//	}}
//
// Any JSON reader reads it; links reads this exact layout with a small
// hand-written decoder, because encoding/json takes ~0.4 s for 100,000
// entries (the largest part of a no-op plan at that size) where this takes
// a few tens of milliseconds. Anything else that is valid JSON (a file from
// an older links, or edited by hand) is read with encoding/json, so the
// fast path changes speed only, never meaning: FuzzDecodeState holds it to
// encoding/json's result.

// stateHead is the state file's first line, up to its first link.
func stateHead(version int, offset int64) []byte {
	b := make([]byte, 0, 64)
	b = append(b, `{"format_version":`...)
	b = strconv.AppendInt(b, int64(version), 10)
	b = append(b, `,"journal_offset":`...)
	b = strconv.AppendInt(b, offset, 10)
	return append(b, `,"links":{`...)
}

// EncodeLinks is the rest of the state file: the links, one a line,
// sorted by dest. It does not depend on the header, so an apply encodes
// it during its changes, before its journal offset is known.
func EncodeLinks(links map[string]Owned) []byte {
	dests := make([]string, 0, len(links))
	size := 8
	for d, o := range links {
		dests = append(dests, d)
		size += recordSize(d, o)
	}
	slices.Sort(dests)
	return EncodeSorted(size, func(yield func(string, Owned) bool) {
		for _, d := range dests {
			if !yield(d, links[d]) {
				return
			}
		}
	})
}

// recordSize is about the length of dest d's record in the state file:
// a little more, unless its strings need escaping.
func recordSize(d string, o Owned) int {
	n := len(d) + len(o.Manifest) + len(o.Name) + len(o.Link) + len(o.ApplyID) + 64
	if o.Backup != "" {
		n += len(o.Backup) + len(o.BackupType) + len(o.BackupIdentity) + 64
	}
	return n
}

// EncodeSorted is EncodeLinks of the links seq yields, in dest order
// (the caller's promise: a state file's links are sorted), in about size
// bytes (to size the buffer).
func EncodeSorted(size int, seq iter.Seq2[string, Owned]) []byte {
	b := make([]byte, 0, size)
	first := true
	for d, o := range seq {
		b = appendOwned(b, first, d, o)
		first = false
	}
	return append(b, "\n}}\n"...)
}

// appendOwned appends dest d's line of the state file (after a comma
// unless it is the first).
func appendOwned(b []byte, first bool, d string, o Owned) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '\n')
	b = appendJSONString(b, d)
	b = appendMember(b, `:{"manifest":`, o.Manifest)
	b = appendMember(b, `,"name":`, o.Name)
	b = appendMember(b, `,"link":`, o.Link)
	b = appendMember(b, `,"apply_id":`, o.ApplyID)
	if o.Backup != "" {
		b = appendMember(b, `,"backup":`, o.Backup)
		b = appendMember(b, `,"backup_type":`, o.BackupType)
		b = appendMember(b, `,"backup_identity":`, o.BackupIdentity)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string: as is when that is valid
// JSON (the common case), escaped by encoding/json otherwise.
func appendJSONString(b []byte, s string) []byte {
	if plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// plainJSON reports whether s can be written between quotes unchanged:
// valid UTF-8 with no quote, backslash, control character, U+2028 or
// U+2029 (which encoding/json escapes).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				return false
			}
			i += size - 1
		}
	}
	return true
}

// decodeState decodes a state file: the layout encodeState writes by
// hand, anything else with encoding/json. When keep is not nil, only the
// dests it keeps are in the result (a plan needs only the owned links its
// manifest no longer declares, not a million it still does).
func decodeState(data []byte, keep func(dest string) bool) (*stateWire, error) {
	if w, ok := decodeStateFast(data, keep); ok {
		return w, nil
	}
	return decodeStateJSON(data, keep)
}

// decodeStateJSON is decodeState by encoding/json, for any other layout.
func decodeStateJSON(data []byte, keep func(dest string) bool) (*stateWire, error) {
	var w stateWire
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, err
	}
	if keep != nil {
		maps.DeleteFunc(w.Links, func(d string, _ Owned) bool { return !keep(d) })
	}
	return &w, nil
}

// stateDecoder reads encodeState's layout. Any byte it does not expect
// makes it give up (ok false), and the caller falls back to encoding/json.
type stateDecoder struct {
	b   []byte
	i   int
	bad bool
	// last manifest and apply id, shared between entries (most entries
	// carry the same few values)
	manifest, applyID string
}

func decodeStateFast(data []byte, keep func(dest string) bool) (w *stateWire, ok bool) {
	d := &stateDecoder{b: data}
	w = &stateWire{}
	w.FormatVersion, w.JournalOffset = d.header()
	if keep == nil {
		w.Links = make(map[string]Owned, bytes.Count(data, []byte{'\n'}))
	} else {
		w.Links = map[string]Owned{}
	}
	for n := 0; d.next(n); n++ {
		if keep != nil {
			raw, escaped := d.raw()
			if !d.bad && !escaped && !keep(string(raw)) {
				d.skipEntry()
				continue
			}
			d.i -= len(raw) + 2
		}
		dest, o := d.entry()
		if d.bad {
			break
		}
		if keep == nil || keep(dest) {
			w.Links[dest] = o
		}
	}
	if !d.end() {
		return nil, false
	}
	return w, true
}

// header consumes the state file's first line up to its first link.
func (d *stateDecoder) header() (version int, offset int64) {
	d.lit(`{"format_version":`)
	version = int(d.uint(1 << 30))
	d.lit(`,"journal_offset":`)
	offset = d.uint(1 << 62)
	d.lit(`,"links":{`)
	return version, offset
}

// next consumes what comes before entry n (its comma, unless it is the
// first, and its newline) and reports whether there is one; false at the
// end of the links or when the layout is broken.
func (d *stateDecoder) next(n int) bool {
	if d.bad || n > 0 && !d.peek(',') {
		return false
	}
	if n > 0 {
		d.i++
	}
	if !d.peek('\n') || d.i+1 < len(d.b) && d.b[d.i+1] == '}' {
		if n > 0 {
			d.bad = true // a comma before the end
		}
		return false
	}
	d.i++
	return true
}

// end consumes the end of the links and of the file, and reports whether
// the whole file was in the layout.
func (d *stateDecoder) end() bool {
	d.lit("\n}}")
	if d.peek('\n') {
		d.i++
	}
	return !d.bad && d.i == len(d.b)
}

// entry decodes one entry: its dest and record.
func (d *stateDecoder) entry() (dest string, o Owned) {
	dest = d.str()
	d.lit(`:{"manifest":`)
	o.Manifest = d.shared(&d.manifest)
	d.lit(`,"name":`)
	o.Name = d.str()
	d.lit(`,"link":`)
	o.Link = d.str()
	d.lit(`,"apply_id":`)
	o.ApplyID = d.shared(&d.applyID)
	if d.peek(',') {
		d.lit(`,"backup":`)
		o.Backup = d.str()
		d.lit(`,"backup_type":`)
		o.BackupType = d.str()
		d.lit(`,"backup_identity":`)
		o.BackupIdentity = d.str()
	}
	d.lit(`}`)
	return dest, o
}

// skipEntry consumes the value of an entry that is not kept, checking its
// layout as decodeStateFast does.
func (d *stateDecoder) skipEntry() { d.skipValue() }

// skipValue is skipEntry, reporting whether the record has a backup.
func (d *stateDecoder) skipValue() (backup bool) {
	for _, key := range []string{`:{"manifest":`, `,"name":`, `,"link":`, `,"apply_id":`} {
		d.lit(key)
		d.raw()
	}
	if d.peek(',') {
		backup = true
		for _, key := range []string{`,"backup":`, `,"backup_type":`, `,"backup_identity":`} {
			d.lit(key)
			d.raw()
		}
	}
	d.lit(`}`)
	return backup
}

func (d *stateDecoder) peek(c byte) bool { return !d.bad && d.i < len(d.b) && d.b[d.i] == c }

// lit consumes s exactly.
func (d *stateDecoder) lit(s string) {
	if d.bad || !bytes.HasPrefix(d.b[d.i:], []byte(s)) {
		d.bad = true
		return
	}
	d.i += len(s)
}

// uint consumes a JSON number that is a non-negative integer below max.
func (d *stateDecoder) uint(max int64) int64 {
	start := d.i
	var v int64
	for !d.bad && d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		v = v*10 + int64(d.b[d.i]-'0')
		d.i++
		if v >= max {
			d.bad = true
		}
	}
	if n := d.i - start; n == 0 || n > 1 && d.b[start] == '0' {
		d.bad = true
	}
	return v
}

// raw consumes a JSON string and returns its bytes between the quotes,
// and whether it needs decoding (has a backslash).
func (d *stateDecoder) raw() (s []byte, escaped bool) {
	if !d.peek('"') {
		d.bad = true
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			s = d.b[start:j]
			if !escaped && !utf8.Valid(s) {
				escaped = true // encoding/json replaces invalid UTF-8
			}
			return s, escaped
		case c == '\\':
			// Only escapes JSON has: a string raw accepts always decodes,
			// whether or not its entry is kept (a skipped entry is checked
			// as strictly as a decoded one).
			escaped = true
			j++
			if j >= len(d.b) {
				break
			}
			switch d.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.b) || !isHex4(d.b[j+1:j+5]) {
					d.bad = true
					return nil, false
				}
				j += 4
			default:
				d.bad = true
				return nil, false
			}
		case c < 0x20:
			d.bad = true
			return nil, false
		}
	}
	d.bad = true
	return nil, false
}

// isHex4 reports whether b is four hexadecimal digits.
func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// str consumes a JSON string and returns its value.
func (d *stateDecoder) str() string {
	s, escaped := d.raw()
	if d.bad {
		return ""
	}
	if !escaped {
		return string(s)
	}
	var v string
	if err := json.Unmarshal(d.b[d.i-len(s)-2:d.i], &v); err != nil {
		d.bad = true
	}
	return v
}

// shared is str, reusing *last when the value is the same.
func (d *stateDecoder) shared(last *string) string {
	start := d.i
	s, escaped := d.raw()
	if d.bad {
		return ""
	}
	if !escaped && string(s) == *last {
		return *last
	}
	d.i = start
	*last = d.str()
	return *last
}

// stateHeader reads only the journal offset from the start of a state
// file in encodeState's layout; ok is false for any other layout.
func stateHeader(data []byte) (offset int64, ok bool) {
	d := &stateDecoder{b: data}
	version, offset := d.header()
	return offset, !d.bad && version == stateFormat
}
