package plan

import (
	"encoding/hex"
	"io"
	"time"
)

// NewID returns an id like 20261123T091500Z-4f2a9c: the UTC time, so ids
// sort by age, and three random bytes read from rand, so two plans in the
// same second differ.
func NewID(t time.Time, rand io.Reader) string {
	var b [3]byte
	_, _ = io.ReadFull(rand, b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
