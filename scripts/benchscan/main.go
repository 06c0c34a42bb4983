// Command benchscan times links scan against find -xtype l on one large
// tree, in one run: it builds the tree (once), warms the cache, then
// alternates the two commands and prints the medians and their ratio.
//
//	go run ./scripts/benchscan -links ./links -dir /tmp/links-bench-scan
//
// The tree has 1,000 leaf folders of 899 files and 100 symlinks each, plus
// 100 middle folders: 1,000,100 entries, 100,000 of them symlinks (ok,
// chained, absolute, escaping, broken, looping and folder links).
//
// PLATFORM-NOTES "Benchmarking": ext4 here slows new creates for minutes
// after a mass delete, so an old tree is moved aside (to DIR.old.N), never
// deleted before the run; remove those by hand afterwards.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	mids    = 100 // d00..d99
	leaves  = 10  // s0..s9 in each
	files   = 899 // f000..f898 in each leaf
	links   = 100 // l00..l99 in each leaf
	version = "v1"
)

func main() {
	dir := flag.String("dir", filepath.Join(os.TempDir(), "links-bench-scan"), "where the tree lives (built once, reused)")
	linksBin := flag.String("links", "", "the links binary (required)")
	runs := flag.Int("runs", 5, "timed runs of each command")
	rebuild := flag.Bool("rebuild", false, "move the old tree aside and build a new one")
	flag.Parse()
	if *linksBin == "" {
		fmt.Fprintln(os.Stderr, "benchscan: -links BINARY is required")
		os.Exit(1)
	}
	tree := filepath.Join(*dir, "tree")
	stamp := filepath.Join(*dir, "built-"+version)
	if _, err := os.Stat(stamp); err != nil || *rebuild {
		if _, err := os.Stat(*dir); err == nil {
			for n := 1; ; n++ {
				old := fmt.Sprintf("%s.old.%d", *dir, n)
				if _, err := os.Lstat(old); os.IsNotExist(err) {
					must(os.Rename(*dir, old))
					fmt.Printf("moved the old tree aside to %s (delete it after the run)\n", old)
					break
				}
			}
		}
		start := time.Now()
		must(build(tree))
		must(os.WriteFile(stamp, nil, 0o644))
		fmt.Printf("built %s in %.1fs\n", tree, time.Since(start).Seconds())
	}

	findCmd := []string{"find", tree, "-xtype", "l"}
	scanCmd := []string{*linksBin, "scan", tree}
	jsonCmd := []string{*linksBin, "scan", "-o", "json", tree}
	// Warm the cache and check both run.
	for _, c := range [][]string{findCmd, scanCmd, jsonCmd} {
		run(c)
	}
	oneCmd := []string{*linksBin, "scan", "--workers", "1", tree}
	run(oneCmd)
	var tf, ts, tj, t1, cf, cs, cj, c1 []float64
	for i := 0; i < *runs; i++ {
		w, c := run(findCmd)
		tf, cf = append(tf, w), append(cf, c)
		w, c = run(scanCmd)
		ts, cs = append(ts, w), append(cs, c)
		w, c = run(jsonCmd)
		tj, cj = append(tj, w), append(cj, c)
		w, c = run(oneCmd)
		t1, c1 = append(t1, w), append(c1, c)
	}
	mf, ms, mj := median(tf), median(ts), median(tj)
	fmt.Printf("tree: %s (%d entries, %d symlinks), %d runs each, alternating\n", tree, mids+mids*leaves+mids*leaves*(files+links), mids*leaves*links, *runs)
	fmt.Printf("%-23s wall median %.3fs (runs %s); cpu median %.3fs\n", "find -xtype l", mf, show(tf), median(cf))
	fmt.Printf("%-23s wall median %.3fs (runs %s); cpu median %.3fs\n", "links scan", ms, show(ts), median(cs))
	fmt.Printf("%-23s wall median %.3fs (runs %s); cpu median %.3fs\n", "links scan -o json", mj, show(tj), median(cj))
	fmt.Printf("%-23s wall median %.3fs (runs %s); cpu median %.3fs\n", "links scan --workers 1", median(t1), show(t1), median(c1))
	fmt.Printf("ratio links scan / find: wall %.2f, cpu %.2f (below 1: links is faster)\n", ms/mf, median(cs)/median(cf))
	fmt.Printf("ratio links scan -o json / find: wall %.2f, cpu %.2f\n", mj/mf, median(cj)/median(cf))
	fmt.Printf("ratio links scan --workers 1 / find: wall %.2f, cpu %.2f\n", median(t1)/mf, median(c1)/median(cf))
}

// build makes the tree. Every leaf holds the same pattern of links; see the
// package comment.
func build(tree string) error {
	abs, err := filepath.Abs(tree)
	if err != nil {
		return err
	}
	for d := 0; d < mids; d++ {
		for s := 0; s < leaves; s++ {
			leaf := filepath.Join(abs, fmt.Sprintf("d%02d", d), fmt.Sprintf("s%d", s))
			if err := os.MkdirAll(leaf, 0o755); err != nil {
				return err
			}
			for f := 0; f < files; f++ {
				fh, err := os.OpenFile(filepath.Join(leaf, fmt.Sprintf("f%03d", f)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
				if err != nil {
					return err
				}
				fh.Close()
			}
			for l := 0; l < links; l++ {
				if err := os.Symlink(linkText(abs, d, s, l), filepath.Join(leaf, fmt.Sprintf("l%02d", l))); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// linkText is the text of link l in leaf d/s: 60 to a sibling file, 15 to a
// file in another leaf, 10 absolute into the tree, 5 chained (to a sibling
// link), 4 broken, 2 escaping (absolute, out of the tree), 2 to a folder,
// 2 a loop.
func linkText(abs string, d, s, l int) string {
	other := func(k int) (int, int) { return (d + 7*k + 1) % mids, (s + k) % leaves }
	switch {
	case l < 60:
		return fmt.Sprintf("f%03d", (l*13+d)%files)
	case l < 75:
		od, osub := other(l)
		return fmt.Sprintf("../../d%02d/s%d/f%03d", od, osub, (l*7+s)%files)
	case l < 85:
		od, osub := other(l)
		return filepath.Join(abs, fmt.Sprintf("d%02d", od), fmt.Sprintf("s%d", osub), fmt.Sprintf("f%03d", l))
	case l < 90:
		return fmt.Sprintf("l%02d", l-85) // a sibling link to a file: 2 hops
	case l < 94:
		return fmt.Sprintf("missing-%d", l)
	case l < 96:
		return "/usr/bin"
	case l < 98:
		return fmt.Sprintf("../s%d", (s+1)%leaves)
	case l == 98:
		return "l99"
	default:
		return "l98"
	}
}

// run runs c with stdout discarded and returns its wall time and CPU time
// (user + system) in seconds.
// Expected exit statuses: 2 (findings) from links scan; 1 from find, which
// reports each symlink loop on stderr ("Too many levels of symbolic links").
func run(c []string) (wall, cpu float64) {
	cmd := exec.Command(c[0], c[1:]...)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	must(err)
	defer devnull.Close()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = devnull, &stderr
	start := time.Now()
	err = cmd.Run()
	el := time.Since(start).Seconds()
	want := 2
	if c[0] == "find" {
		want = 1
	}
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == want {
		err = nil
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchscan: %s: %v\n%s", strings.Join(c, " "), err, stderr.Bytes())
		os.Exit(1)
	}
	return el, (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func show(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.3f", x)
	}
	return strings.Join(parts, " ")
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchscan:", err)
		os.Exit(1)
	}
}
