// Package secret makes and hashes the random tokens used for sign-in links and
// sessions. Only hashes are stored; the raw value exists in the email or the
// cookie and nowhere else.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// Bytes is the entropy of a token: 256 bits.
const Bytes = 32

// New returns a random URL-safe token.
func New() string {
	b := make([]byte, Bytes)
	if _, err := rand.Read(b); err != nil {
		panic("secret: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the SHA-256 of a token, the form stored in the database.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// WellFormed reports whether s looks like a token from New (43 base64url
// characters decoding to 32 bytes); anything else is refused before a query.
func WellFormed(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(Bytes) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == Bytes
}
