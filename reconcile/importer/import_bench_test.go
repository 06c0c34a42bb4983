package importer

import (
	"testing"

	"github.com/linksdev/links/internal/symlinktest"
)

// BenchmarkImport imports the same tree, planning its output once more
// (as Import does) to check the round trip.
func BenchmarkImport(b *testing.B) {
	root := symlinktest.BenchTree(b, 100, 180, 20)
	for b.Loop() {
		if _, err := Import(Options{Root: root, AllowDangling: true}); err != nil {
			b.Fatal(err)
		}
	}
}
