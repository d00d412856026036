// Package money is the one place amounts are computed and rounded. Amounts are
// integers of minor units (cents) with an ISO 4217 currency; rates are basis
// points (1 bp = 0.01 %, 10000 bp = 100 %). No floats touch money.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a sum of money in minor units.
type Amount struct {
	Minor    int64
	Currency string
}

// minorDigits lists currencies whose minor unit is not 1/100.
var minorDigits = map[string]int{"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}

// Digits is the number of decimal places of a currency's minor unit.
func Digits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// ApplyBps returns amount × bps / 10000 rounded half away from zero (so
// 0.5 cent rounds to 1 cent, -0.5 to -1). This is the only rounding in the
// portal: commissions call it, nothing else divides money.
func ApplyBps(minor int64, bps int64) int64 {
	if bps == 0 || minor == 0 {
		return 0
	}
	p := minor * bps
	q, r := p/10000, p%10000
	if r < 0 {
		r = -r
	}
	if r*2 >= 10000 {
		if p > 0 {
			q++
		} else {
			q--
		}
	}
	return q
}

// Format renders an amount for people: "$1,234.50", "€12.00", "¥1,200",
// other currencies as "1,234.50 CHF".
func Format(minor int64, currency string) string {
	d := Digits(currency)
	neg := minor < 0
	if neg {
		minor = -minor
	}
	unit := int64(1)
	for range d {
		unit *= 10
	}
	whole, frac := minor/unit, minor%unit
	s := group(strconv.FormatInt(whole, 10))
	if d > 0 {
		s += "." + fmt.Sprintf("%0*d", d, frac)
	}
	sym, prefix := map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$"}[currency], true
	if sym == "" {
		sym, prefix = currency, false
	}
	if prefix {
		s = sym + s
	} else {
		s = s + " " + sym
	}
	if neg {
		s = "-" + s
	}
	return s
}

func group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	lead := len(digits) % 3
	if lead > 0 {
		b.WriteString(digits[:lead])
	}
	for i := lead; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// FormatBps renders a rate: 1000 → "10%", 1250 → "12.5%".
func FormatBps(bps int64) string {
	s := strconv.FormatInt(bps/100, 10)
	if r := bps % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", r), "0")
	}
	return s + "%"
}

// Parse reads an amount typed by a person ("1,234.50", "1234", "0.5") in the
// currency's minor units. It refuses negatives, more decimals than the
// currency has, and anything that is not a number.
func Parse(s, currency string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, errors.New("empty amount")
	}
	d := Digits(currency)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if hasFrac && (frac == "" || len(frac) > d) {
		return 0, fmt.Errorf("at most %d decimals", d)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, errors.New("not a number")
			}
		}
	}
	if len(whole) > 13 {
		return 0, errors.New("too large")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	frac += strings.Repeat("0", d-len(frac))
	var f int64
	if d > 0 {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, err
		}
	}
	unit := int64(1)
	for range d {
		unit *= 10
	}
	return w*unit + f, nil
}

// Input renders minor units back into the form a person types ("1234.50",
// "-125.50" for a negative amount).
func Input(minor int64, currency string) string {
	if minor < 0 {
		return "-" + Input(-minor, currency)
	}
	d := Digits(currency)
	unit := int64(1)
	for range d {
		unit *= 10
	}
	if d == 0 {
		return strconv.FormatInt(minor, 10)
	}
	return fmt.Sprintf("%d.%0*d", minor/unit, d, minor%unit)
}
