// Package taxid holds the light checks on a partner's billing details that a
// self-billing invoice prints: the country code and the tax id (an EU VAT
// id for a partner in the EU). It does not ask VIES whether a VAT id exists;
// it catches typing mistakes and a VAT id that disagrees with the country,
// since the reverse-charge note depends on the country.
package taxid

import (
	"regexp"
	"strings"
)

// eu are the EU member states by ISO 3166-1 code (the reverse-charge note
// in app/invoice uses the same list), with the prefix their VAT ids carry:
// Greece is EL.
var eu = map[string]string{"AT": "AT", "BE": "BE", "BG": "BG", "HR": "HR", "CY": "CY", "CZ": "CZ", "DK": "DK",
	"EE": "EE", "FI": "FI", "FR": "FR", "DE": "DE", "GR": "EL", "HU": "HU", "IE": "IE", "IT": "IT", "LV": "LV", "LT": "LT",
	"LU": "LU", "MT": "MT", "NL": "NL", "PL": "PL", "PT": "PT", "RO": "RO", "SK": "SK", "SI": "SI", "ES": "ES", "SE": "SE"}

// InEU reports whether country (ISO 3166-1 alpha-2, upper case) is an EU
// member state.
func InEU(country string) bool { _, ok := eu[country]; return ok }

// VATPrefix is the prefix of an EU country's VAT ids ("" outside the EU).
func VATPrefix(country string) string { return eu[country] }

var (
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
	vatRe     = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{2,13}$`)
	otherRe   = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ./-]{1,29}$`)
)

// Country normalizes a two-letter country code; ok is false when it is not
// two letters.
func Country(raw string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(raw))
	return c, countryRe.MatchString(c)
}

// Problem is what is wrong with a tax id.
type Problem int

// The problems Check reports.
const (
	OK Problem = iota
	// BadVAT: in the EU, not a VAT id (two letters then 2 to 13 letters or digits).
	BadVAT
	// WrongPrefix: an EU VAT id whose prefix is not the country's.
	WrongPrefix
	// BadOther: outside the EU, not 2 to 30 letters, digits, spaces, dots, dashes or slashes.
	BadOther
)

// Check normalizes the tax id of a partner in country and reports what is
// wrong with it. An empty id is OK (the invoice then prints none). In the EU
// the id is a VAT id: spaces, dots and dashes are dropped, letters upper
// cased, and the prefix must be the country's (EL for Greece); a VAT id
// typed without its prefix gets the country's. Elsewhere the id is kept as
// typed (trimmed) under a light check.
func Check(country, raw string) (string, Problem) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", OK
	}
	prefix, inEU := eu[country]
	if !inEU {
		s = strings.Join(strings.Fields(s), " ")
		if !otherRe.MatchString(s) {
			return s, BadOther
		}
		return s, OK
	}
	v := strings.ToUpper(strings.NewReplacer(" ", "", ".", "", "-", "", "\t", "").Replace(s))
	if len(v) > 0 && v[0] >= '0' && v[0] <= '9' {
		v = prefix + v
	}
	if !vatRe.MatchString(v) {
		return v, BadVAT
	}
	if v[:2] != prefix {
		return v, WrongPrefix
	}
	return v, OK
}
