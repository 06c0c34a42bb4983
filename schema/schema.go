package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed links.schema.json
var raw []byte

// URL is the schema's $id.
const URL = "https://github.com/linksdev/links/schema/links.schema.json"

// JSON returns the schema document, exactly as embedded.
func JSON() []byte { return bytes.Clone(raw) }

// compiled is the compiled schema and the schema document as plain values,
// used to look up keyword parameters (enum values, required keys) when
// wording messages.
type compiled struct {
	schema *jsonschema.Schema
	doc    any
	quick  *quick // nil if the schema uses a keyword the quick check lacks
}

// load compiles the full validator. It is needed only for a document the
// quick check refuses (to word its violations) or for a schema the quick
// check cannot take: compiling it costs ~7 ms, which every command would
// otherwise pay on every manifest (issue 17: a tree apply of 10,000 links
// has ~40 ms above its floor in all).
var load = sync.OnceValues(func() (*compiled, error) {
	fullCompiles.Add(1)
	d, err := loadDoc()
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(URL, bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("schema: add resource: %w", err)
	}
	s, err := c.Compile(URL)
	if err != nil {
		return nil, fmt.Errorf("schema: compile: %w", err)
	}
	return &compiled{schema: s, doc: d.doc, quick: d.quick}, nil
})

// fullCompiles counts load's runs (0 or 1), for the test that a valid
// document never pays for the full validator.
var fullCompiles atomic.Int32

// loadDoc decodes the schema document and compiles the quick check from it.
var loadDoc = sync.OnceValues(func() (*compiled, error) {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("schema: decode: %w", err)
	}
	q, _ := compileQuick(doc) // on error, every document gets the full check
	return &compiled{doc: doc, quick: q}, nil
})

// Violation is one place where a document breaks the schema.
type Violation struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value, or of
	// the offending key when Key is true.
	Pointer string
	// Key is true when the problem is the key itself (an unknown key, an
	// invalid name), so the position to report is the key's, not the value's.
	Key bool
	// Message says what is wrong and what is allowed, without the location.
	Message string
}

// Validate checks v, a document decoded to plain values (map[string]any,
// []any, string, bool, int64, float64, nil), against the schema and returns
// every violation, sorted by pointer. It returns an error only if the
// embedded schema itself is broken.
func Validate(v any) ([]Violation, error) {
	d, err := loadDoc()
	if err != nil {
		return nil, err
	}
	if d.quick != nil && d.quick.valid(v) {
		return nil, nil
	}
	c, err := load()
	if err != nil {
		return nil, err
	}
	return c.validate(v)
}

// validate runs the full validator and words every violation.
func (c *compiled) validate(v any) (out []Violation, err error) {
	defer func() {
		// jsonschema panics on values outside its JSON model; that is a
		// bug in the caller's conversion, but must not crash the tool.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("schema: validate: %v", r)
		}
	}()
	err = c.schema.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("schema: validate: %w", err)
	}
	seen := map[Violation]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, ce := range e.Causes {
				walk(ce)
			}
			return
		}
		e.InstanceLocation = normalize(e.InstanceLocation)
		for _, vi := range c.explain(e, v) {
			if !seen[vi] {
				seen[vi] = true
				out = append(out, vi)
			}
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out, nil
}

// explain turns one leaf error into violations worded for people. It looks
// up the keyword's parameters in the schema document and the offending value
// in the instance, rather than parsing the library's message text.
func (c *compiled) explain(e *jsonschema.ValidationError, inst any) []Violation {
	kwPtr := e.AbsoluteKeywordLocation
	if i := strings.IndexByte(kwPtr, '#'); i >= 0 {
		kwPtr = kwPtr[i+1:]
	}
	keyword := kwPtr[strings.LastIndexByte(kwPtr, '/')+1:]
	param := Lookup(c.doc, kwPtr)
	val := Lookup(inst, e.InstanceLocation)

	switch keyword {
	case "additionalProperties":
		if out := c.unknownKeys(e, kwPtr, val); len(out) > 0 {
			return out
		}
	case "required":
		obj, _ := val.(map[string]any)
		var out []Violation
		for _, r := range toStrings(param) {
			if _, ok := obj[r]; !ok {
				out = append(out, Violation{Pointer: e.InstanceLocation, Key: true, Message: fmt.Sprintf("missing required key %q; %s", r, requiredHint(r))})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "enum":
		return []Violation{{Pointer: e.InstanceLocation, Message: fmt.Sprintf("%s is not one of %s", show(val), strings.Join(toStrings(param), ", "))}}
	case "const":
		if s, ok := val.(string); ok && s == show(param) {
			return []Violation{{Pointer: e.InstanceLocation, Message: fmt.Sprintf("%s is a string; write %s without quotes", show(val), s)}}
		}
		return []Violation{{Pointer: e.InstanceLocation, Message: fmt.Sprintf("%s is not supported; the only allowed value is %s", show(val), show(param))}}
	case "type":
		return []Violation{{Pointer: e.InstanceLocation, Message: typeMessage(param, val)}}
	case "minLength":
		return []Violation{{Pointer: e.InstanceLocation, Message: "must not be empty"}}
	case "pattern":
		if strings.Contains(kwPtr, "/$defs/name/") {
			// Only names use a pattern. propertyNames errors point at the
			// key, and the value checked is the key itself.
			ptr := e.InstanceLocation
			name := unescape(ptr[strings.LastIndexByte(ptr, '/')+1:])
			if re := namePattern(fmt.Sprint(param)); re != nil && re.MatchString(name) {
				// jsonschema gives the empty name the location of the
				// object holding it (it drops an empty last token), so
				// the last token is the object's own, valid, name.
				ptr, name = ptr+"/", ""
			}
			return []Violation{{Pointer: ptr, Key: true, Message: fmt.Sprintf("invalid name %q: use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'", name)}}
		}
		return []Violation{{Pointer: e.InstanceLocation, Message: fmt.Sprintf("%s does not match %s", show(val), show(param))}}
	}
	return []Violation{{Pointer: e.InstanceLocation, Message: e.Message}}
}

// unknownKeys are the keys of the object val that its schema (at kwPtr,
// an additionalProperties keyword) does not allow, each with the nearest
// allowed one.
func (c *compiled) unknownKeys(e *jsonschema.ValidationError, kwPtr string, val any) []Violation {
	obj, _ := val.(map[string]any)
	allowed := propertyNames(Lookup(c.doc, strings.TrimSuffix(kwPtr, "additionalProperties")+"properties"))
	var out []Violation
	for k := range obj {
		if !contains(allowed, k) {
			hint := ""
			if near := nearest(k, allowed); near != "" {
				hint = fmt.Sprintf("did you mean %q? ", near)
			}
			out = append(out, Violation{
				Pointer: e.InstanceLocation + "/" + escape(k),
				Key:     true,
				Message: fmt.Sprintf("unknown key %q; %sallowed keys: %s", k, hint, strings.Join(allowed, ", ")),
			})
		}
	}
	return out
}

// typeMessage says what type was expected (param) and what val is.
func typeMessage(param, val any) string {
	want := toStrings(param)
	if s, ok := param.(string); ok {
		want = []string{s}
	}
	msg := fmt.Sprintf("expected %s, got %s", strings.Join(articles(want), " or "), article(typeOf(val)))
	if contains(want, "boolean") && len(want) == 1 {
		msg += "; write true or false"
	}
	if contains(want, "string") && val != nil {
		if _, isMap := val.(map[string]any); !isMap {
			if _, isList := val.([]any); !isList {
				msg += fmt.Sprintf(" (quote it: \"%v\")", val)
			}
		}
	}
	return msg
}

var patterns sync.Map // pattern text -> *regexp.Regexp (nil if invalid)

// namePattern compiles a pattern of the schema once.
func namePattern(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	patterns.Store(p, re)
	return re
}

// Lookup resolves a JSON pointer in a document of plain values and returns
// nil when it does not exist.
func Lookup(doc any, ptr string) any {
	if ptr == "" {
		return doc
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = unescape(tok)
		switch v := cur.(type) {
		case map[string]any:
			cur = v[tok]
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(v) {
				return nil
			}
			cur = v[i]
		default:
			return nil
		}
	}
	return cur
}

// normalize turns the library's instance locations, whose tokens are also
// percent-encoded, into plain RFC 6901 pointers.
func normalize(ptr string) string {
	if !strings.Contains(ptr, "%") {
		return ptr
	}
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		if u, err := url.PathUnescape(t); err == nil {
			toks[i] = u
		}
	}
	return strings.Join(toks, "/")
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func propertyNames(props any) []string {
	m, _ := props.(map[string]any)
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// requiredHint says what to add for a missing required key.
func requiredHint(key string) string {
	switch key {
	case "version":
		return "add version: 1"
	case "links":
		return "add a links: mapping of name -> {dest, target}"
	case "dest":
		return "add dest: (where the link lives, under root)"
	case "target":
		return "add target: (what the link points to)"
	}
	return "add it"
}

// nearest returns the allowed key closest to k, if it is a likely typo
// (at most 2 edits, and fewer than half of k's letters).
func nearest(k string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := editDistance(strings.ToLower(k), a); d < bestD && 2*d < len(a) {
			best, bestD = a, d
		}
	}
	return best
}

// editDistance is the edit distance counting a swap of two neighbouring
// letters as one edit (optimal string alignment); it gives up at 3.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 || abs(len(a)-len(b)) > 2 {
		return 3
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func show(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	}
	return "number"
}

func articles(types []string) []string {
	out := make([]string, len(types))
	for i, t := range types {
		switch t {
		case "object":
			t = "mapping"
		case "array":
			t = "list"
		}
		out[i] = article(t)
	}
	return out
}

func article(t string) string {
	if t == "null" {
		return "null"
	}
	return "a " + t
}
