package iban

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize: an accepted IBAN is upper-case letters and digits of 15 to
// 34 characters, normalizing it again changes nothing, and Mask never panics.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"DE89 3704 0044 0532 0130 00", "de89370400440532013000", "GB82WEST12345698765432",
		"", "DE00", "XX89370400440532013000", "DE8937040044053201300\x00", "\xff", strings.Repeat("9", 40), "NO9386011117947"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		_ = Mask(raw)
		s, err := Normalize(raw)
		if err != nil {
			return
		}
		if len(s) < 15 || len(s) > 34 || !utf8.ValidString(s) || strings.ToUpper(s) != s || strings.ContainsAny(s, " -\t\x00") {
			t.Fatalf("%q accepted as %q", raw, s)
		}
		if again, err := Normalize(s); err != nil || again != s {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", raw, s, again, err)
		}
		if m := Mask(s); !strings.HasSuffix(s, strings.TrimLeft(m, "•* ")) && len(m) == 0 {
			t.Fatalf("mask %q of %q", m, s)
		}
	})
}
