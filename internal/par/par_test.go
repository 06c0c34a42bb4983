package par

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestRangesCoverEachIndexOnce(t *testing.T) {
	for _, tt := range []struct{ n, workers int }{{0, 4}, {1, 4}, {5, 1}, {7, 3}, {100, 4}, {3, 8}, {10, 0}} {
		t.Run(fmt.Sprintf("n%d_w%d", tt.n, tt.workers), func(t *testing.T) {
			seen := make([]atomic.Int32, tt.n)
			var calls atomic.Int32
			err := Ranges(tt.n, tt.workers, func(lo, hi int) error {
				calls.Add(1)
				if lo >= hi {
					t.Errorf("empty range [%d, %d)", lo, hi)
				}
				for i := lo; i < hi; i++ {
					seen[i].Add(1)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Errorf("index %d seen %d times", i, c)
				}
			}
			if want := min(max(tt.workers, 1), tt.n); int(calls.Load()) != want {
				t.Errorf("%d calls, want %d", calls.Load(), want)
			}
		})
	}
}

func TestRangesFirstErrorInOrder(t *testing.T) {
	err := Ranges(100, 4, func(lo, hi int) error {
		if lo >= 50 {
			return fmt.Errorf("range %d", lo)
		}
		return nil
	})
	if err == nil || err.Error() != "range 50" {
		t.Errorf("err = %v, want the first failing range's (range 50)", err)
	}
}

func TestEachCallsEveryIndexOnce(t *testing.T) {
	for _, tt := range []struct{ n, workers int }{{0, 2}, {1, 2}, {9, 1}, {1000, 3}, {2, 16}} {
		t.Run(fmt.Sprintf("n%d_w%d", tt.n, tt.workers), func(t *testing.T) {
			seen := make([]atomic.Int32, tt.n)
			if err := Each(tt.n, tt.workers, func(i int) error { seen[i].Add(1); return nil }); err != nil {
				t.Fatal(err)
			}
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Errorf("index %d called %d times", i, c)
				}
			}
		})
	}
}

func TestEachStopsAndReportsLowestFailure(t *testing.T) {
	var calls atomic.Int32
	errAt := func(i int) error { return fmt.Errorf("index %d", i) }
	err := Each(10000, 4, func(i int) error {
		calls.Add(1)
		if i == 10 || i == 11 {
			return errAt(i)
		}
		return nil
	})
	if err == nil || (err.Error() != "index 10" && err.Error() != "index 11") {
		t.Fatalf("err = %v, want index 10's (or 11's, if 10 never started)", err)
	}
	if c := calls.Load(); c >= 10000 {
		t.Errorf("%d calls: nothing stopped after the failure", c)
	}
	// One worker: in order, stops at the first failure.
	calls.Store(0)
	err = Each(100, 1, func(i int) error {
		calls.Add(1)
		if i == 3 {
			return errors.New("three")
		}
		return nil
	})
	if err == nil || err.Error() != "three" || calls.Load() != 4 {
		t.Errorf("one worker: err %v after %d calls, want three after 4", err, calls.Load())
	}
}
