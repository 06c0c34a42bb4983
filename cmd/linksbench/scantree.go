package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// The scan tree is what links scan meets in a real folder (a home, a
// checkout): mostly files, a tenth symlinks, of every status. --scan-tree
// N builds one with N symlinks (a multiple of 1,000): N/1,000 middle
// folders of 10 leaf folders, each leaf holding 899 files and 100 links
// (--scan-tree 100000: 1,000,100 entries, 100,000 symlinks). Every leaf
// has the same mix (scanLinkText), and links scan, links scan -o json,
// links scan --workers 1 and find -xtype l are timed on it, interleaved.
const (
	scanTreeScenario = "scan-tree"
	scanLeaves       = 10  // leaf folders per middle folder
	scanLeafFiles    = 899 // files per leaf
	scanLeafLinks    = 100 // symlinks per leaf
)

// runScanTree builds the scan tree of n symlinks and times the scan tools
// on it, --reps times after one untimed run of each (which warms the
// cache and checks they run).
func (b *bench) runScanTree(n int) error {
	if !b.scan {
		return nil
	}
	mids := n / (scanLeaves * scanLeafLinks)
	root := filepath.Join(b.work, fmt.Sprintf("scantree%d", n))
	tree := filepath.Join(root, "tree")
	entries := mids + mids*scanLeaves*(1+scanLeafFiles+scanLeafLinks)
	b.logf("== scan tree: %s entries, %s symlinks", count(entries), count(n))
	b.sampleLoad(fmt.Sprintf("scan tree of %s symlinks, setup", count(n)))
	if err := buildScanTree(tree, mids); err != nil {
		return fmt.Errorf("scan tree: %w", err)
	}
	b.rep.note("scan tree of %s symlinks: %s entries in %d folders; per leaf of 899 files, 100 links: 60 to a sibling file, 15 to another leaf's file, 10 absolute, 5 chained, 4 broken, 2 escaping, 2 to a folder, 2 in a loop", count(n), count(entries), mids*(1+scanLeaves))
	// links scan exits 2 on what it finds, find 1 on the loops.
	tools := []struct {
		name string
		on   *bool
		run  func() (sample, error)
	}{
		{toolFind, &b.find, func() (sample, error) { return command(root, []int{1}, "find", tree, "-xtype", "l") }},
		{toolScan, &b.scan, func() (sample, error) { return command(root, []int{2}, b.links, "scan", tree) }},
		{toolScanJSON, &b.scan, func() (sample, error) { return command(root, []int{2}, b.links, "scan", "-o", "json", tree) }},
		{toolScanOne, &b.scan, func() (sample, error) { return command(root, []int{2}, b.links, "scan", "--workers", "1", tree) }},
	}
	for _, tl := range tools {
		if !*tl.on {
			continue
		}
		if _, err := tl.run(); err != nil {
			return fmt.Errorf("scan tree: %s: %w", tl.name, err)
		}
	}
	for r := range b.cfg.reps {
		b.sampleLoad(fmt.Sprintf("scan tree of %s symlinks, run %d", count(n), r+1))
		for _, tl := range tools {
			if !*tl.on {
				continue
			}
			syncAll()
			s, err := tl.run()
			if err != nil {
				return fmt.Errorf("scan tree: %s: %w", tl.name, err)
			}
			b.rep.result(n, scanTreeScenario, tl.name).add(s)
			b.logf("  %-26s %-16s %10s", tl.name, scanTreeScenario, fmtDur(s.Wall))
		}
	}
	return os.Rename(root, filepath.Join(b.trash, filepath.Base(root)))
}

// buildScanTree makes the scan tree under tree, with mids middle folders.
func buildScanTree(tree string, mids int) error {
	tree, err := filepath.Abs(tree)
	if err != nil {
		return err
	}
	for d := 0; d < mids; d++ {
		for s := 0; s < scanLeaves; s++ {
			leaf := filepath.Join(tree, fmt.Sprintf("d%02d", d), fmt.Sprintf("s%d", s))
			if err := os.MkdirAll(leaf, 0o755); err != nil {
				return err
			}
			for f := 0; f < scanLeafFiles; f++ {
				fh, err := os.OpenFile(filepath.Join(leaf, fmt.Sprintf("f%03d", f)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
				if err != nil {
					return err
				}
				fh.Close()
			}
			for l := 0; l < scanLeafLinks; l++ {
				if err := os.Symlink(scanLinkText(tree, mids, d, s, l), filepath.Join(leaf, fmt.Sprintf("l%02d", l))); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// scanLinkText is the text of link l in leaf d/s of a tree (absolute) of
// mids middle folders: 60 to a sibling file, 15 to a file in another leaf,
// 10 absolute into the tree, 5 chained (to a sibling link), 4 broken, 2
// escaping (absolute, out of the tree), 2 to a folder, 2 a loop.
func scanLinkText(tree string, mids, d, s, l int) string {
	other := func(k int) (int, int) { return (d + 7*k + 1) % mids, (s + k) % scanLeaves }
	switch {
	case l < 60:
		return fmt.Sprintf("f%03d", (l*13+d)%scanLeafFiles)
	case l < 75:
		od, osub := other(l)
		return fmt.Sprintf("../../d%02d/s%d/f%03d", od, osub, (l*7+s)%scanLeafFiles)
	case l < 85:
		od, osub := other(l)
		return filepath.Join(tree, fmt.Sprintf("d%02d", od), fmt.Sprintf("s%d", osub), fmt.Sprintf("f%03d", l))
	case l < 90:
		return fmt.Sprintf("l%02d", l-85) // a sibling link to a file: 2 hops
	case l < 94:
		return fmt.Sprintf("missing-%d", l)
	case l < 96:
		return "/usr/bin"
	case l < 98:
		return fmt.Sprintf("../s%d", (s+1)%scanLeaves)
	case l == 98:
		return "l99"
	default:
		return "l98"
	}
}
