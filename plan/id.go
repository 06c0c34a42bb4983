package plan

import (
	"encoding/hex"
	"io"
	"strings"
	"time"
)

// NewID returns an id like 20261123T091500Z-4f2a9c: the UTC time, so ids
// sort by age, and three random bytes read from rand, so two plans in the
// same second differ.
func NewID(t time.Time, rand io.Reader) string {
	var b [3]byte
	_, _ = io.ReadFull(rand, b[:])
	return t.UTC().Format(idTime) + "-" + hex.EncodeToString(b[:])
}

// idTime is the layout of an id's time.
const idTime = "20060102T150405Z"

// IDTime reads the time out of an id NewID made (any number of hex digits
// after the dash); ok is false for any other name.
func IDTime(id string) (t time.Time, ok bool) {
	stamp, rnd, found := strings.Cut(id, "-")
	if !found || len(stamp) != len(idTime) || rnd == "" || strings.Trim(rnd, "0123456789abcdef") != "" {
		return time.Time{}, false
	}
	t, err := time.Parse(idTime, stamp)
	return t, err == nil
}
