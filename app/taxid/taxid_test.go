package taxid

import "testing"

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		country, raw, want string
		problem            Problem
	}{
		{"DE", "", "", OK},
		{"DE", "de 123.456.789", "DE123456789", OK},
		{"DE", "123456789", "DE123456789", OK},
		{"PL", "PL-526-000-12-46", "PL5260001246", OK},
		{"GR", "EL123456789", "EL123456789", OK},
		{"GR", "GR123456789", "GR123456789", WrongPrefix},
		{"FR", "DE123456789", "DE123456789", WrongPrefix},
		{"NL", "NL", "NL", BadVAT},
		{"NL", "NL123456789B01234", "NL123456789B01234", BadVAT},
		{"AT", "ATU1234567!", "ATU1234567!", BadVAT},
		{"US", "US-98-7654321", "US-98-7654321", OK},
		{"GB", " GB 123  456 789 ", "GB 123 456 789", OK},
		{"CH", "CHE-123.456.789 MWST", "CHE-123.456.789 MWST", OK},
		{"US", "<script>", "<script>", BadOther},
		{"US", "x", "x", BadOther},
	} {
		got, p := Check(c.country, c.raw)
		if got != c.want || p != c.problem {
			t.Errorf("Check(%q, %q) = %q, %d; want %q, %d", c.country, c.raw, got, p, c.want, c.problem)
		}
	}
}

func TestCountry(t *testing.T) {
	if c, ok := Country(" de "); !ok || c != "DE" || !InEU(c) {
		t.Errorf("de: %q %v", c, ok)
	}
	for _, bad := range []string{"", "DEU", "D1", "é"} {
		if _, ok := Country(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if InEU("GB") || InEU("US") || VATPrefix("GR") != "EL" {
		t.Error("membership")
	}
}
