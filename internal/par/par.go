// Package par splits work over goroutines: the one helper every parallel
// loop of links uses (observe, diff, the chunked manifest parse, apply's
// steps and folder fsyncs, linksbench's floors).
package par

import (
	"sync"
	"sync/atomic"
)

// Ranges splits [0, n) into up to workers consecutive ranges of nearly
// equal size and calls f on each, concurrently (once, on the calling
// goroutine, when one range is all there is). It returns when every call
// has returned: the error of the first range, in index order, that
// failed, or nil. Consecutive ranges keep neighbours together (links
// sorted by dest: each folder's entries on one goroutine).
func Ranges(n, workers int, f func(lo, hi int) error) error {
	workers = min(workers, n)
	if workers <= 1 {
		if n <= 0 {
			return nil
		}
		return f(0, n)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = f(w*n/workers, (w+1)*n/workers)
		}()
	}
	wg.Wait()
	return first(errs)
}

// Each calls f(i) for every i in [0, n) on up to workers goroutines, each
// taking the next index as it finishes one (work that varies in cost
// stays balanced). Once a call fails, no further index starts. It returns
// when every call has returned: the error of the lowest index that
// failed, or nil.
func Each(n, workers int, f func(i int) error) error {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var (
		next   atomic.Int64
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					errs[i] = err
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return first(errs)
}

func first(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
