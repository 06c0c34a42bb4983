package manifest

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// expander substitutes ${name} from vars and ${env:NAME} from the
// environment. "$${" is a literal "${"; any other "$" is literal.
type expander struct {
	vars      map[string]string
	lookupEnv func(string) (string, bool)
	// skip holds variables declared with a bad value (already reported);
	// skipAll is set when vars itself is bad. References to them fail
	// with errSkip.
	skip    map[string]bool
	skipAll bool
	// left is how many bytes expansions may still produce, so that a long
	// value used many times cannot blow a small manifest up (the
	// "billion laughs" of variables); over reports once, then errSkip.
	left  int
	limit int
	over  bool
	hint  *string // the list of declared variables, computed once
}

// expandBudget is what all expansions of a manifest of size bytes may
// produce together: far more than any real manifest needs.
func expandBudget(size int) int { return 4*size + 1<<20 }

// expand returns s with every reference substituted, or an error naming the
// first unknown variable or malformed reference.
func (x *expander) expand(s string) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", fmt.Errorf("unclosed ${ in %q; close it with } or write $${ for a literal ${", s)
		}
		ref := s[i+2 : i+2+end]
		val, err := x.lookup(ref)
		if err != nil {
			return "", err
		}
		if b.Len()+len(val) > x.left {
			if x.over {
				return "", errSkip
			}
			x.over = true
			return "", fmt.Errorf("variables expand this manifest to more than %d bytes; use fewer or shorter variables", x.limit)
		}
		b.WriteString(val)
		i += 2 + end + 1
	}
	x.left -= b.Len()
	return b.String(), nil
}

func (x *expander) lookup(ref string) (string, error) {
	if name, ok := strings.CutPrefix(ref, "env:"); ok {
		if name == "" {
			return "", fmt.Errorf("empty environment variable name in ${env:}; write ${env:NAME}")
		}
		if x.lookupEnv != nil {
			if v, ok := x.lookupEnv(name); ok {
				return v, nil
			}
		}
		return "", fmt.Errorf("environment variable %s is not set (used as ${env:%s}); set it or use a var", name, name)
	}
	if v, ok := x.vars[ref]; ok {
		return v, nil
	}
	if ref == "" {
		return "", fmt.Errorf("empty variable reference ${}; write ${name}, or $${ for a literal ${")
	}
	if x.skip[ref] || x.skipAll {
		return "", errSkip
	}
	return "", fmt.Errorf("unknown variable ${%s}; declare it under vars:%s, or write $${ for a literal ${", ref, x.declared())
}

// declared lists the declared variables for an error message, briefly.
func (x *expander) declared() string {
	if x.hint != nil {
		return *x.hint
	}
	names := make([]string, 0, len(x.vars))
	for k := range x.vars {
		names = append(names, k)
	}
	sort.Strings(names)
	hint := ""
	if len(names) > 0 {
		var b strings.Builder
		b.WriteString(" (declared: ")
		for i, n := range names {
			if i == 10 || b.Len() > 200 {
				fmt.Fprintf(&b, "and %d more", len(names)-i)
				break
			}
			b.WriteString(brief(n))
			if i < len(names)-1 {
				b.WriteString(", ")
			}
		}
		b.WriteString(")")
		hint = b.String()
	}
	x.hint = &hint
	return hint
}

// brief shortens a long string for an error message that repeats it (a
// name or folder that is not the subject of the error), keeping its start
// and end.
func brief(s string) string {
	const keep = 30 // characters at each end
	if len(s) <= 2*keep+10 {
		return s
	}
	head, tail := 0, len(s)
	for range keep {
		_, n := utf8.DecodeRuneInString(s[head:])
		head += n
		_, n = utf8.DecodeLastRuneInString(s[:tail])
		tail -= n
	}
	if head >= tail-10 {
		return s
	}
	return s[:head] + "…" + s[tail:]
}
