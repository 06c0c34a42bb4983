package scan

import (
	"fmt"
	"testing"

	"github.com/linksdev/links/internal/symlinktest"
)

// BenchmarkScan scans 100 folders of 180 files and 20 links (20,100
// entries, 2,000 links) with 1, 2 and 4 workers.
func BenchmarkScan(b *testing.B) {
	root := symlinktest.BenchTree(b, 100, 180, 20)
	for _, w := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			var entries int
			for b.Loop() {
				res, err := Scan([]string{root}, Options{Workers: w})
				if err != nil {
					b.Fatal(err)
				}
				entries = res.Entries
			}
			b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
