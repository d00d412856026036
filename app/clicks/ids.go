package clicks

import (
	"crypto/rand"
	"encoding/base64"
)

// IDLen is the length of a click id and of a visitor id: 22 base64url
// characters, 132 random bits.
const IDLen = 22

// NewIDs returns 2×IDLen random base64url characters from one read of the
// system's random source: the first IDLen are a click id, the rest a visitor
// id when one is needed. (Two tokens cut from two 32-byte secrets cost twice
// the reads and four allocations per click.)
func NewIDs() string {
	var raw [2 * IDLen * 6 / 8]byte // 33 bytes → 44 characters
	if _, err := rand.Read(raw[:]); err != nil {
		panic("clicks: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	var out [2 * IDLen]byte
	base64.RawURLEncoding.Encode(out[:], raw[:])
	return string(out[:])
}

// ValidID reports whether b has the shape of an id from NewIDs.
func ValidID(b []byte) bool {
	if len(b) != IDLen {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
