package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

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
}

var load = sync.OnceValues(func() (*compiled, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(URL, bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("schema: add resource: %w", err)
	}
	s, err := c.Compile(URL)
	if err != nil {
		return nil, fmt.Errorf("schema: compile: %w", err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("schema: decode: %w", err)
	}
	return &compiled{schema: s, doc: doc}, nil
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
	c, err := load()
	if err != nil {
		return nil, err
	}
	err = c.schema.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("schema: validate: %w", err)
	}
	var out []Violation
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
		obj, _ := val.(map[string]any)
		allowed := propertyNames(Lookup(c.doc, strings.TrimSuffix(kwPtr, "additionalProperties")+"properties"))
		var out []Violation
		for k := range obj {
			if !contains(allowed, k) {
				out = append(out, Violation{
					Pointer: e.InstanceLocation + "/" + escape(k),
					Key:     true,
					Message: fmt.Sprintf("unknown key %q; allowed keys: %s", k, strings.Join(allowed, ", ")),
				})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "required":
		obj, _ := val.(map[string]any)
		var out []Violation
		for _, r := range toStrings(param) {
			if _, ok := obj[r]; !ok {
				out = append(out, Violation{Pointer: e.InstanceLocation, Key: true, Message: fmt.Sprintf("missing required key %q", r)})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "enum":
		return []Violation{{Pointer: e.InstanceLocation, Message: fmt.Sprintf("%s is not one of %s", show(val), strings.Join(toStrings(param), ", "))}}
	case "const":
		return []Violation{{Pointer: e.InstanceLocation, Message: fmt.Sprintf("%s is not supported; the only allowed value is %s", show(val), show(param))}}
	case "type":
		want := toStrings(param)
		if s, ok := param.(string); ok {
			want = []string{s}
		}
		msg := fmt.Sprintf("expected %s, got %s", strings.Join(articles(want), " or "), article(typeOf(val)))
		if contains(want, "string") && val != nil {
			if _, isMap := val.(map[string]any); !isMap {
				if _, isList := val.([]any); !isList {
					msg += fmt.Sprintf(" (quote it: \"%v\")", val)
				}
			}
		}
		return []Violation{{Pointer: e.InstanceLocation, Message: msg}}
	case "minLength":
		return []Violation{{Pointer: e.InstanceLocation, Message: "must not be empty"}}
	case "pattern":
		if strings.Contains(kwPtr, "/$defs/name/") {
			// Only names use a pattern. propertyNames errors point at the
			// key, and the value checked is the key itself.
			name := unescape(e.InstanceLocation[strings.LastIndexByte(e.InstanceLocation, '/')+1:])
			return []Violation{{Pointer: e.InstanceLocation, Key: true, Message: fmt.Sprintf("invalid name %q: use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'", name)}}
		}
		return []Violation{{Pointer: e.InstanceLocation, Message: fmt.Sprintf("%s does not match %s", show(val), show(param))}}
	}
	return []Violation{{Pointer: e.InstanceLocation, Message: e.Message}}
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
