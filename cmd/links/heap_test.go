package main

import "testing"

func TestReservation(t *testing.T) {
	for _, c := range []struct {
		want, reserved, n int64
	}{
		{0, 0, 0},
		{minHeapReserve - 1, 0, 0},
		{minHeapReserve, 0, minHeapReserve},
		{100 << 20, 0, 100 << 20},
		{100 << 20, 95 << 20, 0},                // the rest is too little
		{160 << 20, 100 << 20, 60 << 20},        // a tree's members, after its manifest
		{1 << 40, 0, maxHeapReserve},            // capped
		{1 << 40, maxHeapReserve, 0},            // and never more
		{50 << 20, 100 << 20, 0},                // fewer links than reserved for
		{maxHeapReserve, maxHeapReserve - 1, 0}, // a byte short
	} {
		if got := reservation(c.want, c.reserved); got != c.n {
			t.Errorf("reservation(%d, %d) = %d, want %d", c.want, c.reserved, got, c.n)
		}
	}
}
