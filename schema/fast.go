package schema

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The full validator (jsonschema/v5) costs several microseconds per link:
// on a 100,000-link manifest it took longer than parsing the YAML. Most
// manifests are valid, so Validate first runs a quick check, compiled from
// the same schema document, that can only answer "valid" or "not sure";
// the full validator then runs only on documents the quick check does not
// accept, and it alone words the errors.
//
// The quick check understands the keywords this schema uses (type, const,
// enum, required, properties, additionalProperties, propertyNames, items,
// minLength, pattern, $ref into $defs) and ignores annotations. If the
// schema ever uses any other keyword, compileQuick fails and every document
// goes to the full validator: a schema edit can make validation slower,
// never wrong.

type quick struct {
	ref       *quick // $ref target (resolved after compiling $defs)
	refName   string
	types     []string
	hasConst  bool
	constVal  any
	enum      []any
	required  []string
	props     map[string]*quick
	addl      *quick // nil: any additional property is allowed
	addlFalse bool
	propNames *quick
	items     *quick
	minLength int // -1: none
	pattern   *regexp.Regexp
}

// annotations are keywords that do not affect validation.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true,
	"description": true, "default": true, "examples": true,
	"deprecated": true, "readOnly": true, "writeOnly": true,
}

// compileQuick compiles the schema document doc for the quick check.
func compileQuick(doc any) (*quick, error) {
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema is not an object")
	}
	c := &quickCompiler{defs: map[string]*quick{}}
	q, err := c.compile(root, true)
	if err != nil {
		return nil, err
	}
	for _, r := range c.refs {
		if r.ref = c.defs[r.refName]; r.ref == nil {
			return nil, fmt.Errorf("$ref to unknown $defs/%s", r.refName)
		}
	}
	return q, nil
}

// quickCompiler compiles one schema document: its $defs, and the $refs
// to resolve once they are all compiled.
type quickCompiler struct {
	defs map[string]*quick
	refs []*quick
}

// compile compiles the subschema v (top: the document's root, the only
// place $defs may be).
func (c *quickCompiler) compile(v any, top bool) (*quick, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("subschema is not an object")
	}
	q := &quick{minLength: -1}
	for k, p := range m {
		if err := c.keyword(q, k, p, top); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// keyword compiles the keyword k with value p into q.
func (c *quickCompiler) keyword(q *quick, k string, p any, top bool) error {
	var err error
	switch k {
	case "$defs":
		dm, ok := p.(map[string]any)
		if !top || !ok {
			return fmt.Errorf("$defs below the root, or not an object")
		}
		for name, d := range dm {
			if c.defs[name], err = c.compile(d, false); err != nil {
				return err
			}
		}
	case "$ref":
		s, _ := p.(string)
		name, ok := strings.CutPrefix(s, "#/$defs/")
		if !ok || strings.ContainsAny(name, "/~%") {
			return fmt.Errorf("unsupported $ref %q", s)
		}
		q.refName = name
		c.refs = append(c.refs, q)
	case "type":
		q.types, err = schemaTypes(p)
	case "const":
		q.hasConst, q.constVal = true, p
	case "enum":
		list, ok := p.([]any)
		if !ok || len(list) == 0 {
			return fmt.Errorf("bad enum")
		}
		q.enum = list
	case "required":
		q.required, err = requiredNames(p)
	case "properties":
		pm, ok := p.(map[string]any)
		if !ok {
			return fmt.Errorf("bad properties")
		}
		q.props = map[string]*quick{}
		for name, d := range pm {
			if q.props[name], err = c.compile(d, false); err != nil {
				return err
			}
		}
	case "additionalProperties":
		if b, ok := p.(bool); ok {
			q.addlFalse = !b
		} else {
			q.addl, err = c.compile(p, false)
		}
	case "propertyNames":
		q.propNames, err = c.compile(p, false)
	case "items":
		q.items, err = c.compile(p, false)
	case "minLength":
		f, ok := p.(float64)
		if !ok || f < 0 || f != math.Trunc(f) {
			return fmt.Errorf("bad minLength")
		}
		q.minLength = int(f)
	case "pattern":
		s, ok := p.(string)
		if !ok {
			return fmt.Errorf("bad pattern")
		}
		q.pattern, err = regexp.Compile(s)
	default:
		if !annotations[k] {
			return fmt.Errorf("keyword %q is not supported by the quick check", k)
		}
	}
	return err
}

// schemaTypes reads a type keyword: one type name or a list of them.
func schemaTypes(p any) ([]string, error) {
	var types []string
	switch t := p.(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("bad type")
			}
			types = append(types, s)
		}
	default:
		return nil, fmt.Errorf("bad type")
	}
	for _, t := range types {
		switch t {
		case "null", "boolean", "object", "array", "number", "integer", "string":
		default:
			return nil, fmt.Errorf("unknown type %q", t)
		}
	}
	return types, nil
}

// requiredNames reads a required keyword (each name once).
func requiredNames(p any) ([]string, error) {
	list, ok := p.([]any)
	if !ok {
		return nil, fmt.Errorf("bad required")
	}
	var out []string
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("bad required")
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// valid reports whether v certainly satisfies q. false means "not sure".
func (q *quick) valid(v any) bool {
	if q.ref != nil && !q.ref.valid(v) {
		return false
	}
	if len(q.types) > 0 {
		t := typeName(v)
		ok := false
		for _, want := range q.types {
			if want == t || want == "number" && t == "integer" {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if q.hasConst && !sameValue(v, q.constVal) {
		return false
	}
	if q.enum != nil {
		ok := false
		for _, e := range q.enum {
			if sameValue(v, e) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	switch v := v.(type) {
	case map[string]any:
		// Required keys are counted while iterating, rather than looked up:
		// on a large document each lookup is a cache miss.
		missing := len(q.required)
		for k, x := range v {
			if missing > 0 && slices.Contains(q.required, k) {
				missing--
			}
			if q.propNames != nil && !q.propNames.valid(k) {
				return false
			}
			if p, ok := q.props[k]; ok {
				if !p.valid(x) {
					return false
				}
			} else if q.addlFalse {
				return false
			} else if q.addl != nil && !q.addl.valid(x) {
				return false
			}
		}
		if missing > 0 {
			return false
		}
	case []any:
		if q.items != nil {
			for _, x := range v {
				if !q.items.valid(x) {
					return false
				}
			}
		}
	case string:
		if q.minLength > 0 && utf8.RuneCountInString(v) < q.minLength {
			return false
		}
		if q.pattern != nil && !q.pattern.MatchString(v) {
			return false
		}
	}
	return true
}

// typeName is v's JSON type, "integer" for integral numbers, and "" for
// values the quick check does not know (which then fail every type).
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case int64:
		return "integer"
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		if v == math.Trunc(v) {
			return "integer"
		}
		return "number"
	}
	return ""
}

// sameValue is JSON equality for the values a schema's const and enum hold
// (strings, booleans, null, numbers). It answers false when unsure.
func sameValue(v, w any) bool {
	switch w := w.(type) {
	case string:
		s, ok := v.(string)
		return ok && s == w
	case bool:
		b, ok := v.(bool)
		return ok && b == w
	case nil:
		return v == nil
	case float64:
		switch v := v.(type) {
		case float64:
			return v == w
		case int64:
			// Exact only where float64 holds every integer.
			return v > -1<<53 && v < 1<<53 && float64(v) == w
		}
	}
	return false
}
