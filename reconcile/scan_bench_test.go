package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchTree builds dirs folders of files files and links links each under
// a fresh folder: links to siblings, to other folders, absolute, chained,
// broken and looping, in the proportions of scripts/benchscan (which
// times the full 1,000,000-entry tree against find).
func benchTree(b *testing.B, dirs, files, links int) string {
	b.Helper()
	root := tempRoot(b)
	for d := 0; d < dirs; d++ {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := 0; f < files; f++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", f)), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		for l := 0; l < links; l++ {
			var text string
			switch k := l * 100 / links; {
			case k < 60:
				text = fmt.Sprintf("f%03d", l%files)
			case k < 75:
				text = fmt.Sprintf("../d%03d/f%03d", (d+l)%dirs, l%files)
			case k < 85:
				text = filepath.Join(root, fmt.Sprintf("d%03d", (d+3*l)%dirs), fmt.Sprintf("f%03d", l%files))
			case k < 90:
				text = "l000"
			case k < 94:
				text = "missing"
			case k < 98:
				text = fmt.Sprintf("../d%03d", (d+1)%dirs)
			default:
				text = fmt.Sprintf("l%03d", l)
			}
			if err := os.Symlink(text, filepath.Join(dir, fmt.Sprintf("l%03d", l))); err != nil {
				b.Fatal(err)
			}
		}
	}
	return root
}

// BenchmarkScan scans 100 folders of 180 files and 20 links (20,100
// entries, 2,000 links) with 1, 2 and 4 workers.
func BenchmarkScan(b *testing.B) {
	root := benchTree(b, 100, 180, 20)
	for _, w := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			var entries int
			for b.Loop() {
				res, err := Scan([]string{root}, ScanOptions{Workers: w})
				if err != nil {
					b.Fatal(err)
				}
				entries = res.Entries
			}
			b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkImport imports the same tree, planning its output once more
// (as Import does) to check the round trip.
func BenchmarkImport(b *testing.B) {
	root := benchTree(b, 100, 180, 20)
	for b.Loop() {
		if _, err := Import(ImportOptions{Root: root, AllowDangling: true}); err != nil {
			b.Fatal(err)
		}
	}
}
