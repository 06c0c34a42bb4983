package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// flushWriter buffers output and writes it out when the buffer fills or
// when 100 ms have passed since the last write-out, and on Flush. Plans and
// applies of 100,000 links print as many lines; one write(2) per line
// would cost more than making the links, yet a person watching a terminal
// still sees progress as it happens.
type flushWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	last time.Time
}

func newFlushWriter(w io.Writer) *flushWriter {
	return &flushWriter{w: bufio.NewWriterSize(w, 64<<10), last: time.Now()}
}

func (f *flushWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.w.Write(p)
	if err == nil && time.Since(f.last) > 100*time.Millisecond {
		err = f.w.Flush()
		f.last = time.Now()
	}
	return n, err
}

// Flush writes out everything buffered.
func (f *flushWriter) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = time.Now()
	return f.w.Flush()
}
