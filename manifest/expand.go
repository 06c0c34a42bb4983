package manifest

import (
	"fmt"
	"sort"
	"strings"
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
}

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
		b.WriteString(val)
		i += 2 + end + 1
	}
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
	names := make([]string, 0, len(x.vars))
	for k := range x.vars {
		names = append(names, k)
	}
	sort.Strings(names)
	hint := ""
	if len(names) > 0 {
		hint = " (declared: " + strings.Join(names, ", ") + ")"
	}
	return "", fmt.Errorf("unknown variable ${%s}; declare it under vars:%s, or write $${ for a literal ${", ref, hint)
}
