package manifest

// Large manifests are almost all lines of one shape, one link per line:
//
//	  name: {dest: d/x, target: t/x, strategy: relative}
//
// For those, building a node tree, converting it to plain values and
// validating them against the schema (parseWhole) costs several times what
// the link itself does, most of it in the collector. lineChunk reads such a
// chunk straight into Links, with the values buildLink would get, and
// declines the whole chunk (which then goes through parseWhole as before)
// at anything else: another shape, a key it does not know, a value of the
// wrong type or outside its enum, a link that buildLink finds a problem
// with. It never reports an error, so errors are still parseWhole's.
//
// What a line may hold (the keys of fastYAML's one-line flow mappings):
//   - at the entries' indentation, a name (the schema's pattern) and a
//     flow mapping on the same line, then nothing or a comment; blank and
//     comment lines between entries;
//   - dest and target (both required): strings, not empty;
//   - strategy, replace, kind: strings of their enums;
//   - backup, parents, allow_dangling: true or false (plain).
//
// Anything else (tree entries, allow, anchors, tags, block mappings,
// escapes, duplicate keys) is declined. FuzzParse checks, on every input,
// that when a file is split into chunks the result is parseWhole's: with
// chunks of one or two links, every chunk after the first goes through
// here.

// lineKeys are the keys a one-line link may have, with the type of value
// each takes.
var lineKeys = map[string]string{
	"dest": "!!str", "target": "!!str",
	"strategy": "!!str", "replace": "!!str", "kind": "!!str",
	"backup": "!!bool", "parents": "!!bool", "allow_dangling": "!!bool",
}

// lineEnums are the values the string settings may take (the schema's
// enums), each also boxed once, so that get does not allocate.
var lineEnums = map[string]map[string]any{
	"strategy": boxed(string(Relative), string(Absolute)),
	"replace":  boxed(string(ReplaceNever), string(ReplaceSymlink), string(ReplaceFile), string(ReplaceAny)),
	"kind":     boxed(string(KindFile), string(KindDir)),
}

func boxed(values ...string) map[string]any {
	m := make(map[string]any, len(values))
	for _, v := range values {
		m[v] = v
	}
	return m
}

// lineFields are the settings written on one line, in the order written
// (at most one of each of lineKeys).
type lineFields struct {
	keys, values [8]string
	n            int
}

func (f *lineFields) get(key string) (any, bool) {
	v, ok := f.lookup(key)
	switch {
	case !ok:
		return nil, false
	case lineKeys[key] == "!!bool":
		return v == "true" || v == "True" || v == "TRUE", true
	case lineEnums[key] != nil:
		return lineEnums[key][v], true
	}
	return v, true
}

func (f *lineFields) text(key string) string {
	v, _ := f.lookup(key)
	return v
}

func (f *lineFields) lookup(key string) (string, bool) {
	for i := range f.n {
		if f.keys[i] == key {
			return f.values[i], true
		}
	}
	return "", false
}

// lineChunk appends to out the links of text, a chunk of the links body
// whose first line is line of the file, in the one-line shape (see above),
// built against the head of the document d (whose manifest is m) as
// parseWhole would build them from the file's head and this chunk alone
// (budget is what expansions may produce: expandBudget of that
// document's size). ok is false when the chunk must be parsed whole.
func lineChunk(head *document, m *Manifest, text string, line, indent, budget int, out []Link) ([]Link, bool) {
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= 0x7f || c < 0x20 && c != '\n' {
			return out, false
		}
	}
	// Its own document and expander: chunks are read in parallel, and
	// any error only declines.
	d := &document{file: head.file, rootOK: head.rootOK, defaults: head.defaults, manifestRel: head.manifestRel, declineOnly: true}
	x := &expander{vars: m.Vars, lookupEnv: head.x.lookupEnv, skip: head.x.skip, skipAll: head.x.skipAll, left: budget, limit: budget}
	var f lineFields
	for at := 0; at < len(text); line++ {
		end := at
		for end < len(text) && text[end] != '\n' {
			end++
		}
		t := text[at:end]
		at = end + 1
		n := 0
		for n < len(t) && t[n] == ' ' {
			n++
		}
		if n == len(t) || t[n] == '#' {
			continue // blank or a comment
		}
		if n != indent {
			return out, false // a continuation, or a block mapping
		}
		i := n
		name, ok := scanKey(t, &i)
		if !ok || !lineName(name) {
			return out, false
		}
		for i < len(t) && t[i] == ' ' {
			i++
		}
		if i == len(t) || t[i] != '{' || !lineMapping(t, &i, &f) || !restIsComment(t, i) {
			return out, false
		}
		if _, ok := f.lookup("dest"); !ok {
			return out, false
		}
		if _, ok := f.lookup("target"); !ok {
			return out, false
		}
		// No JSON pointer: it only places errors, and here an error only
		// declines (100,000 links would make 100,000 strings for nothing).
		l, ok := d.buildLink(name, "", &f, d.defaults, x, m, nil, false)
		if !ok || d.declined || len(d.errs) > 0 || d.holdsManifest(l.Dest) != "" {
			return out, false
		}
		l.Pos = Pos{Line: line, Col: n + 1}
		out = append(out, l)
	}
	return out, true
}

// lineName reports whether a key (already one scanKey reads) matches the
// schema's pattern for names: letters, digits, _ . - and not starting with
// . or -.
func lineName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return false
		}
	}
	return true // scanKey's first byte is a letter, digit or _
}

// lineMapping reads the flow mapping at t[*i:] (on its {) into f: keys
// known, once each, values of their type and enum.
func lineMapping(t string, i *int, f *lineFields) bool {
	f.n = 0
	*i++
	for *i < len(t) && t[*i] == ' ' {
		*i++
	}
	for {
		k, ok := scanKey(t, i)
		if !ok || *i == len(t) || t[*i] != ' ' {
			return false
		}
		want, known := lineKeys[k]
		if !known {
			return false
		}
		for j := range f.n {
			if f.keys[j] == k {
				return false // a duplicate key: yaml.v3 refuses it
			}
		}
		for *i < len(t) && t[*i] == ' ' {
			*i++
		}
		v, tag, _, ok := scanScalar(t, i, true)
		if !ok || tag != want || tag == "!!str" && v == "" {
			return false
		}
		if enum, ok := lineEnums[k]; ok && enum[v] == nil {
			return false
		}
		f.keys[f.n], f.values[f.n] = k, v
		f.n++
		for *i < len(t) && t[*i] == ' ' {
			*i++
		}
		if *i == len(t) {
			return false
		}
		if t[*i] == '}' {
			*i++
			return true
		}
		if t[*i] != ',' {
			return false
		}
		*i++
		for *i < len(t) && t[*i] == ' ' {
			*i++
		}
	}
}
