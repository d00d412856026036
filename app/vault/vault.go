// Package vault seals small secrets at rest (partner payout details) with
// AES-256-GCM. Keys come from configuration as "id:base64key,..." (the first
// is current: new values are sealed with it; the others only open old values
// until `portal keys rotate` has re-sealed them). The key id is stored beside
// each sealed value, and the caller binds the value to its owner with the
// associated data (organization + partner): a sealed value copied into
// another partner's row does not open.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Keyring holds the keys by id; Current seals.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
}

var idRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// ErrOpen is returned for a value that does not open: wrong key, wrong owner
// or altered bytes. It never says which.
var ErrOpen = errors.New("vault: sealed value does not open")

// Parse reads "id:base64key,id2:base64key2"; every key must be 32 bytes
// (standard or URL base64). The error never contains key material.
func Parse(spec string) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		id, b64, ok := strings.Cut(part, ":")
		if !ok || !idRe.MatchString(id) {
			return nil, fmt.Errorf("vault: key %d: want id:base64key with an id of letters, digits, - or _", i+1)
		}
		raw, err := decode(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("vault: key %q: want 32 bytes in base64", id)
		}
		if _, dup := k.keys[id]; dup {
			return nil, fmt.Errorf("vault: key id %q appears twice", id)
		}
		block, _ := aes.NewCipher(raw) // 32 bytes: cannot fail
		aead, _ := cipher.NewGCM(block)
		k.keys[id] = aead
		if i == 0 {
			k.current = id
		}
	}
	return k, nil
}

func decode(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// NewKeySpec returns a fresh "id:base64key" entry.
func NewKeySpec(id string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

// Current is the id of the key new values are sealed with.
func (k *Keyring) Current() string { return k.current }

// Has reports whether the ring holds a key with this id.
func (k *Keyring) Has(id string) bool { _, ok := k.keys[id]; return ok }

// Seal encrypts plain under the current key, bound to ad. The result is
// nonce || ciphertext+tag; store it with Current().
func (k *Keyring) Seal(plain, ad []byte) (keyID string, sealed []byte) {
	aead := k.keys[k.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	return k.current, aead.Seal(nonce, nonce, plain, ad)
}

// Open decrypts a value sealed under keyID with the same ad.
func (k *Keyring) Open(keyID string, sealed, ad []byte) ([]byte, error) {
	aead, ok := k.keys[keyID]
	if !ok || len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// OwnerAD is the associated data binding a value to a partner of an organization.
func OwnerAD(organizationID, partnerID int64) []byte {
	return fmt.Appendf(nil, "payout:org=%d:partner=%d", organizationID, partnerID)
}
