package main

import "testing"

func TestReservation(t *testing.T) {
	for _, c := range []struct {
		want, reserved, n int64
	}{
		{0, 0, 0},
		{minHeapReserve - 1, 0, 0},
		{minHeapReserve, 0, minHeapReserve},
		{16 << 20, 0, 0}, // a tree of 10,000 files (heapPerLink each)
		{100 << 20, 0, 100 << 20},
		{100 << 20, 95 << 20, 0},     // once only: a second reservation would
		{160 << 20, 100 << 20, 0},    // start in the first one's unused tail
		{1 << 40, 0, maxHeapReserve}, // capped
		{1 << 40, maxHeapReserve, 0}, // and never more
		{50 << 20, 100 << 20, 0},     // fewer links than reserved for
		{maxHeapReserve + 1, 1, 0},   // anything reserved: nothing more
	} {
		if got := reservation(c.want, c.reserved); got != c.n {
			t.Errorf("reservation(%d, %d) = %d, want %d", c.want, c.reserved, got, c.n)
		}
	}
}
