package money

import (
	"strings"
	"testing"
)

// FuzzParse: whatever a person types, Parse never panics, never returns a
// negative amount, and what it accepts comes back the same through Input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "0", "1", "1,234.50", "0.5", ".5", "5.", "-1", "1e3", "NaN", "9999999999999",
		"99999999999999", "1.234", "１２", "1 000", "\x00", "\xff", "00012.30", "12..3", strings.Repeat("9", 40)} {
		for _, cur := range []string{"USD", "JPY", "BHD", "", "xx"} {
			f.Add(s, cur)
		}
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		minor, err := Parse(s, currency)
		if err != nil {
			return
		}
		if minor < 0 {
			t.Fatalf("Parse(%q, %q) = %d", s, currency, minor)
		}
		back, err := Parse(Input(minor, currency), currency)
		if err != nil || back != minor {
			t.Fatalf("Parse(%q, %q) = %d, Input %q parses to %d (%v)", s, currency, minor, Input(minor, currency), back, err)
		}
		_ = Format(minor, currency)
	})
}
