// Package iban checks and masks International Bank Account Numbers.
package iban

import (
	"errors"
	"strings"
)

// Problems Normalize reports.
var (
	ErrFormat   = errors.New("not an IBAN")
	ErrLength   = errors.New("wrong length for the country")
	ErrChecksum = errors.New("check digits do not match")
)

// lengths are the IBAN lengths of common countries (ISO 13616 registry).
// A country not listed is checked for format and checksum only.
var lengths = map[string]int{
	"AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18,
	"FR": 27, "GB": 22, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15, "PL": 28,
	"PT": 25, "SE": 24,
}

// Normalize removes spaces (and dashes), upper-cases, and validates the
// format, the country's length where known, and the mod-97 check digits.
func Normalize(raw string) (string, error) {
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", ErrFormat
		}
	}
	s := b.String()
	if len(s) < 15 || len(s) > 34 || !isLetter(s[0]) || !isLetter(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return "", ErrFormat
	}
	if n, ok := lengths[s[:2]]; ok && len(s) != n {
		return "", ErrLength
	}
	if mod97(s[4:]+s[:4]) != 1 {
		return "", ErrChecksum
	}
	return s, nil
}

// mod97 computes the remainder of the number formed by replacing letters
// with 10..35, digit by digit so it never overflows.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// Mask shows the country and the last four characters only:
// "DE•• •••• •••• •••• 3000". The length of the number is not revealed.
func Mask(s string) string {
	if len(s) < 8 {
		return "••••"
	}
	return s[:2] + "•• •••• •••• •••• " + s[len(s)-4:]
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
