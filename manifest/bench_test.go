package manifest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// manifest100k is a generated manifest with 100,000 links (about 6 MB),
// each with dest, target and strategy; one target in ten uses a variable.
var manifest100k = sync.OnceValue(func() []byte { return generateManifest(100_000) })

func generateManifest(n int) []byte {
	var b strings.Builder
	b.Grow(n * 64)
	b.WriteString("version: 1\nvars:\n  v: \"1\"\nlinks:\n")
	for i := range n {
		if i%10 == 0 {
			fmt.Fprintf(&b, "  l%d: {dest: d%d, target: \"${v}/%d\", strategy: relative}\n", i, i, i)
		} else {
			fmt.Fprintf(&b, "  l%d: {dest: d%d, target: t%d, strategy: relative}\n", i, i, i)
		}
	}
	return []byte(b.String())
}

// BenchmarkYAMLNode100k is the floor: yaml.v3 parsing the document into a
// yaml.Node and nothing else. Compare BenchmarkParse100k with it.
func BenchmarkYAMLNode100k(b *testing.B) {
	data := manifest100k()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse100k is the whole of manifest.Parse on the same document.
func BenchmarkParse100k(b *testing.B) {
	data := manifest100k()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse("/m/links.yaml", data, Options{Dir: "/m"})
		if err != nil {
			b.Fatal(err)
		}
		if len(m.Links) != 100_000 {
			b.Fatalf("got %d links", len(m.Links))
		}
	}
}

// BenchmarkParseVsNode100k alternates the two, each after a GC, and
// reports the ratio of Parse to the bare yaml.Node parse: unlike the two
// benchmarks above, run one after the other, it holds on a machine whose
// load changes during the run.
func BenchmarkParseVsNode100k(b *testing.B) {
	data := manifest100k()
	var node, parse time.Duration
	for b.Loop() {
		runtime.GC()
		start := time.Now()
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
		node += time.Since(start)
		runtime.GC()
		start = time.Now()
		if _, err := Parse("/m/links.yaml", data, Options{Dir: "/m"}); err != nil {
			b.Fatal(err)
		}
		parse += time.Since(start)
	}
	b.ReportMetric(float64(node.Milliseconds())/float64(b.N), "node-ms/op")
	b.ReportMetric(float64(parse.Milliseconds())/float64(b.N), "parse-ms/op")
	b.ReportMetric(float64(parse)/float64(node), "parse/node")
}
