package main

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// Help texts: each flag on one line as "-f, --file PATH  usage (default:
// x)", the placeholder taken from the `BACKQUOTED` word of its usage,
// the default shown once and only when there is one (never "(default:
// false)" or "(default: 0)"). The man page and docs/cli.md are made from
// the same pieces.
func init() {
	cli.FlagStringer = flagString
}

func flagString(f cli.Flag) string {
	s := flagSynopsis(f) + "\t" + flagUsage(f)
	if d := flagDefault(f); d != "" {
		s += " (default: " + d + ")"
	}
	return s
}

// flagSynopsis is "-f, --file PATH": short names first, then long ones,
// the last with the placeholder if the flag takes a value.
func flagSynopsis(f cli.Flag) string {
	var short, long []string
	for _, n := range f.Names() {
		if len(n) == 1 {
			short = append(short, "-"+n)
		} else {
			long = append(long, "--"+n)
		}
	}
	names := append(short, long...)
	s := strings.Join(names, ", ")
	if p := flagPlaceholder(f); p != "" {
		s += " " + p
	}
	return s
}

// flagPlaceholder is the flag's value's name, "" for a boolean flag.
func flagPlaceholder(f cli.Flag) string {
	if !takesValue(f) {
		return ""
	}
	usage := ""
	if d, ok := f.(cli.DocGenerationFlag); ok {
		usage = d.GetUsage()
	}
	if i := strings.Index(usage, "`"); i >= 0 {
		if j := strings.Index(usage[i+1:], "`"); j >= 0 {
			return usage[i+1 : i+1+j]
		}
	}
	return "VALUE"
}

// flagUsage is the flag's usage text without the placeholder's quotes.
func flagUsage(f cli.Flag) string {
	if d, ok := f.(cli.DocGenerationFlag); ok {
		return strings.ReplaceAll(d.GetUsage(), "`", "")
	}
	return ""
}

// flagDefault is the flag's default as the user would write it, "" when
// it has none worth saying.
func flagDefault(f cli.Flag) string {
	switch f := f.(type) {
	case *cli.StringFlag:
		return cmp.Or(f.DefaultText, f.Value)
	case *cli.StringSliceFlag:
		if f.DefaultText == "" && f.Value != nil {
			return strings.Join(f.Value.Value(), ",")
		}
		return f.DefaultText
	case *cli.IntFlag:
		if f.DefaultText == "" && f.Value != 0 {
			return fmt.Sprint(f.Value)
		}
		return f.DefaultText
	case *cli.DurationFlag:
		if f.DefaultText == "" && f.Value != 0 {
			return f.Value.String()
		}
		return f.DefaultText
	case *cli.BoolFlag:
		return f.DefaultText
	}
	return ""
}

// suggest returns the name in names closest to typed, if close enough to
// be a typo of it (at most 2 edits, or a prefix of it), else "".
func suggest(typed string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		d := editDistance(typed, n)
		if strings.HasPrefix(n, typed) && len(typed) >= 2 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
