package journal

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// TempMarker is in every temporary name links makes: an apply's
// temporary links and folders beside a dest, a backup being pruned, the
// state file being written.
const TempMarker = ".links-tmp."

// TempName is a recognisable temporary name in the same folder as name:
// "." + name + TempMarker + 8 random hex digits. The name part is
// shortened so the result stays under 255 bytes.
func TempName(name string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	if len(name) > 200 {
		name = name[:200]
	}
	return "." + name + TempMarker + hex.EncodeToString(b[:])
}

// ValidTemp reports whether t is a temporary name links makes: a single
// name holding TempMarker. (The journal is untrusted: a name with a slash
// could point anywhere.)
func ValidTemp(t string) bool {
	return t != "" && strings.Contains(t, TempMarker) && !strings.ContainsAny(t, "/\\\x00") && t != "." && t != ".."
}
