package money

import "testing"

func TestApplyBps(t *testing.T) {
	cases := []struct {
		minor, bps, want int64
	}{
		{10000, 1000, 1000},   // $100 × 10% = $10
		{12345, 1000, 1235},   // 1234.5 → 1235 (half up)
		{12344, 1000, 1234},   // 1234.4 → 1234
		{1, 5000, 1},          // 0.5 → 1
		{1, 4999, 0},          // 0.4999 → 0
		{-12345, 1000, -1235}, // refunds round away from zero too
		{-1, 5000, -1},
		{0, 1500, 0},
		{999999999999, 1500, 150000000000}, // 149999999999.85 → 150000000000
		{250, 0, 0},
		{333, 10000, 333},
	}
	for _, c := range cases {
		if got := ApplyBps(c.minor, c.bps); got != c.want {
			t.Errorf("ApplyBps(%d, %d) = %d, want %d", c.minor, c.bps, got, c.want)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		minor    int64
		currency string
		want     string
	}{
		{123450, "USD", "$1,234.50"},
		{5, "EUR", "€0.05"},
		{120000, "JPY", "¥120,000"},
		{100000000, "GBP", "£1,000,000.00"},
		{-2500, "USD", "-$25.00"},
		{12345, "CHF", "123.45 CHF"},
		{1234, "KWD", "1.234 KWD"},
	}
	for _, c := range cases {
		if got := Format(c.minor, c.currency); got != c.want {
			t.Errorf("Format(%d, %s) = %q, want %q", c.minor, c.currency, got, c.want)
		}
	}
}

func TestFormatBps(t *testing.T) {
	for bps, want := range map[int64]string{1000: "10%", 1500: "15%", 1250: "12.5%", 1234: "12.34%", 5: "0.05%"} {
		if got := FormatBps(bps); got != want {
			t.Errorf("FormatBps(%d) = %q, want %q", bps, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	ok := []struct {
		in       string
		currency string
		want     int64
	}{
		{"1,234.50", "USD", 123450}, {"1234", "USD", 123400}, {"0.5", "EUR", 50}, {".75", "USD", 75},
		{" 12 000 ", "JPY", 12000}, {"1.234", "KWD", 1234}, {"0", "USD", 0},
	}
	for _, c := range ok {
		got, err := Parse(c.in, c.currency)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q, %s) = %d, %v; want %d", c.in, c.currency, got, err, c.want)
		}
		if back, _ := Parse(Input(got, c.currency), c.currency); back != got {
			t.Errorf("Input(%d) does not parse back", got)
		}
	}
	for _, in := range []string{"", "-5", "1.234", "12a", "1.", "1e5", "99999999999999"} {
		if _, err := Parse(in, "USD"); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

func TestInputNegative(t *testing.T) {
	for _, c := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{-12550, "USD", "-125.50"}, {-5, "USD", "-0.05"}, {12550, "USD", "125.50"}, {-1852, "JPY", "-1852"}, {-1, "KWD", "-0.001"},
	} {
		if got := Input(c.minor, c.currency); got != c.want {
			t.Errorf("Input(%d, %s) = %q, want %q", c.minor, c.currency, got, c.want)
		}
	}
}
