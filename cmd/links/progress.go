package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressMin is the number of changes from which apply on a terminal
// shows a progress bar instead of a line per change (a variable only so
// that tests can lower it).
var progressMin = 2000

// progressBar redraws one line on a terminal, at most every 100 ms:
//
//	[##########----------]  50%  50,000/100,000 changes
type progressBar struct {
	w     io.Writer
	total int
	done  int
	last  time.Time
}

func newProgressBar(w io.Writer, total int) *progressBar {
	return &progressBar{w: w, total: total}
}

// step counts one change and redraws when it is time.
func (b *progressBar) step() {
	b.done++
	if b.done == b.total || time.Since(b.last) >= 100*time.Millisecond {
		b.draw()
	}
}

// interrupt clears the bar so that a full line can be printed.
func (b *progressBar) interrupt() {
	fmt.Fprint(b.w, "\r\x1b[K")
	b.last = time.Time{}
}

func (b *progressBar) draw() {
	b.last = time.Now()
	const width = 30
	filled := 0
	if b.total > 0 {
		filled = b.done * width / b.total
	}
	fmt.Fprintf(b.w, "\r  [%s%s] %3d%%  %s/%s changes", strings.Repeat("#", filled), strings.Repeat("-", width-filled),
		b.done*100/max(b.total, 1), thousands(b.done), thousands(b.total))
}

// finish ends the bar's line.
func (b *progressBar) finish() {
	b.draw()
	fmt.Fprintln(b.w)
}

// thousands writes n with comma separators: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
