package vault_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"partnerportal/app/vault"
)

func TestSealOpenRotate(t *testing.T) {
	old, err := vault.Parse(vault.NewKeySpec("k1"))
	if err != nil {
		t.Fatal(err)
	}
	ad := vault.OwnerAD(1, 2)
	id, sealed := old.Seal([]byte("DE89370400440532013000"), ad)
	if id != "k1" || bytes.Contains(sealed, []byte("DE89")) {
		t.Fatalf("id %q, sealed %x", id, sealed)
	}
	plain, err := old.Open(id, sealed, ad)
	if err != nil || string(plain) != "DE89370400440532013000" {
		t.Fatalf("open: %q %v", plain, err)
	}
	// Another partner's associated data, a flipped byte, an unknown key: refused.
	if _, err := old.Open(id, sealed, vault.OwnerAD(1, 3)); !errors.Is(err, vault.ErrOpen) {
		t.Errorf("other partner: %v", err)
	}
	if _, err := old.Open(id, sealed, vault.OwnerAD(2, 2)); !errors.Is(err, vault.ErrOpen) {
		t.Errorf("other organization: %v", err)
	}
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	if _, err := old.Open(id, bad, ad); !errors.Is(err, vault.ErrOpen) {
		t.Errorf("altered: %v", err)
	}
	if _, err := old.Open("k9", sealed, ad); !errors.Is(err, vault.ErrOpen) {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := old.Open(id, sealed[:5], ad); !errors.Is(err, vault.ErrOpen) {
		t.Errorf("short: %v", err)
	}
	// Two seals of one value differ (random nonce).
	if _, again := old.Seal([]byte("DE89370400440532013000"), ad); bytes.Equal(again, sealed) {
		t.Error("same ciphertext twice")
	}
	// After rotation: the new key seals, the old one still opens.
	k1 := vault.NewKeySpec("k1")
	ring1, _ := vault.Parse(k1)
	id1, s1 := ring1.Seal([]byte("x"), ad)
	ring2, err := vault.Parse(vault.NewKeySpec("k2") + "," + k1)
	if err != nil {
		t.Fatal(err)
	}
	if ring2.Current() != "k2" || !ring2.Has("k1") {
		t.Fatalf("current %q", ring2.Current())
	}
	if p, err := ring2.Open(id1, s1, ad); err != nil || string(p) != "x" {
		t.Fatalf("old value under the rotated ring: %q %v", p, err)
	}
	if id2, _ := ring2.Seal([]byte("x"), ad); id2 != "k2" {
		t.Errorf("sealed with %q", id2)
	}
}

func TestParseRefusesBadSpecs(t *testing.T) {
	secretish := "c2hvcnQ=" // "short"
	for _, spec := range []string{"", "nokey", "k1:" + secretish, "k 1:AAAA", "k1:!!!",
		vault.NewKeySpec("a") + "," + vault.NewKeySpec("a")} {
		_, err := vault.Parse(spec)
		if err == nil {
			t.Errorf("%q accepted", spec)
			continue
		}
		if strings.Contains(err.Error(), secretish) || (len(spec) > 20 && strings.Contains(err.Error(), spec[3:12])) {
			t.Errorf("error shows key material: %v", err)
		}
	}
}
