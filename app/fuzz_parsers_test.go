package app

// Native fuzz targets for the parsers of the web tier. `go test` runs each
// on its seed corpus; `make fuzz` runs each for a bounded time.

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzStrings are seeds every string target gets.
var fuzzStrings = []string{
	"", " ", "a", "abc", "a\x00b", "\xff\xfe", "caf\xe9", "😀😀😀", "\u202e\ufeff",
	"-1", "99999999999999999999", "1e308", "NaN", "<script>", "../../etc/passwd",
	"javascript:alert(1)", "//evil.example", "/\\evil", "https://example.com/x?y#z",
	strings.Repeat("x", 300), "=cmd|' /C calc'!A0", "2026-02-30", "0001-01-01",
}

func addStrings(f *testing.F) {
	for _, s := range fuzzStrings {
		f.Add(s)
	}
}

func storableText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func FuzzParsePeriod(f *testing.F) {
	keys := []string{"", "lifetime", "this_month", "last_month", "last_30_days", "last_90_days", "this_year", "last_year", "custom", "nope"}
	zones := []string{"", "UTC", "Europe/Paris", "America/Sao_Paulo", "Pacific/Kiritimati", "Nowhere/City", "../../etc/passwd", "\x00"}
	for i, k := range keys {
		f.Add(k, "2026-01-01", "2026-01-31", zones[i%len(zones)], int64(1780000000))
		f.Add(k, "", "", zones[(i+3)%len(zones)], int64(0))
	}
	f.Add("custom", "1999-12-31", "2040-01-01", "UTC", int64(-62135596800))
	f.Add("custom", "2026-03-29", "2026-03-29", "Europe/London", int64(1774746000))
	f.Fuzz(func(t *testing.T, key, from, to, tz string, unix int64) {
		now := time.Unix(unix%(1<<40), 0)
		p := parsePeriod(key, from, to, now, tz)
		if p.Loc == nil || p.Label == "" {
			t.Fatalf("period without zone or label: %+v", p)
		}
		if !p.From.Before(p.To) {
			t.Fatalf("%q %q %q %q: from %v not before to %v", key, from, to, tz, p.From, p.To)
		}
		if p.Key != "lifetime" && p.Error != "" {
			t.Fatalf("error %q on a period that was kept (%s)", p.Error, p.Key)
		}
		if p.Key == "custom" && (p.FromDate > p.ToDate) {
			t.Fatalf("custom range %s..%s", p.FromDate, p.ToDate)
		}
	})
}

func FuzzSearchTerm(f *testing.F) {
	addStrings(f)
	f.Add("ab")
	f.Add("a-b-c")
	f.Add("acm")
	f.Fuzz(func(t *testing.T, q string) {
		term := leadFilter{Q: q}.Term()
		if term != "" && term != q {
			t.Fatalf("term %q from %q", term, q)
		}
		if term != "" && utf8.RuneCountInString(term) < minSearchRun {
			t.Fatalf("term %q shorter than %d", term, minSearchRun)
		}
	})
}

var emailShape = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

func FuzzNormalizeEmail(f *testing.F) {
	addStrings(f)
	for _, s := range []string{"a@b.co", "A@B.CO", " x@y.z ", "a@localhost", "\"a b\"@c.d", "a@b", "a@@b.c", "a@b.c\x00", "Ü@ü.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		e, problem := normalizeEmail(raw)
		if problem != "" {
			if e != "" {
				t.Fatalf("%q: both %q and a problem", raw, e)
			}
			return
		}
		if !storableText(e) || len(e) > 254 || e != strings.ToLower(e) || strings.ContainsAny(e, "\r\n") {
			t.Fatalf("%q accepted as %q", raw, e)
		}
		if again, p := normalizeEmail(e); p != "" || again != e {
			t.Fatalf("not idempotent: %q → %q → %q (%s)", raw, e, again, p)
		}
	})
}

func FuzzValidateLead(f *testing.F) {
	f.Add("Acme", "acme.com", "Ann", "ann@acme.com", "+1 555 0100", "USD", "1,234.50", "notes")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("a\x00b", "\xff", "x", "bad", "abc", "usd", "-1", strings.Repeat("n", 3000))
	f.Add("Co", "https://www.Example.com/pricing", "C", "c@d.ef", "12345", "JPY", "100.5", "")
	f.Add("Co", "xn--bcher-kva.example", "C", "c@d.ef", "12345", "EUR", "99999999999999999999", "")
	f.Fuzz(func(t *testing.T, company, domain, contact, email, phone, currency, deal, notes string) {
		form := map[string]string{"company": company, "domain": domain, "contact_name": contact, "email": email,
			"phone": phone, "currency": currency, "deal_value": deal, "notes": notes}
		in, errs, _ := validateLead(func(k string) string { return form[k] }, "USD")
		if len(errs) > 0 {
			return
		}
		// What passes goes into PostgreSQL: it must fit the table's checks.
		for k, v := range in.Fields() {
			if !storableText(v) {
				t.Fatalf("%s accepted as %q", k, v)
			}
		}
		if n := utf8.RuneCountInString(in.Company); n < 1 || n > 200 {
			t.Fatalf("company of %d characters accepted", n)
		}
		if !currencyCodeRe.MatchString(in.Currency) || in.DealValueMinor < 0 {
			t.Fatalf("currency %q, deal value %d accepted", in.Currency, in.DealValueMinor)
		}
	})
}

var linkCodeShape = regexp.MustCompile(`^[A-Za-z0-9_-]{4,64}$`) // tracking_links.code's CHECK

func FuzzLinkCode(f *testing.F) {
	addStrings(f)
	f.Add("Wayne Enterprises")
	f.Add("---")
	f.Add(strings.Repeat("ab-", 50))
	f.Fuzz(func(t *testing.T, base string) {
		code := newLinkCode(base)
		if !linkCodeShape.MatchString(code) || strings.Contains(code, "--") {
			t.Fatalf("%q → code %q", base, code)
		}
	})
}

func FuzzSafeNext(f *testing.F) {
	addStrings(f)
	for _, s := range []string{"/leads?x=1", "/%2F/evil.example", "/\t/evil.example", "https:/evil", "/a/../../b", "/\\\\evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") ||
			strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("%q kept as a redirect target", next)
		}
	})
}

func FuzzCSVCell(f *testing.F) {
	addStrings(f)
	for _, s := range []string{"=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := csvCell(s)
		if got != s && got != "'"+s {
			t.Fatalf("%q → %q", s, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Fatalf("%q still starts a formula: %q", s, got)
		}
	})
}

func FuzzAllowLists(f *testing.F) {
	addStrings(f)
	f.Add("https://www.example.com/\nhttps://shop.example.com/signup")
	f.Add("https://example.com:8443\nhttp://localhost:3000")
	f.Add("https://user@example.com/\nhttps://example.com:0")
	f.Add(strings.Repeat("https://example.com/\n", 200))
	f.Fuzz(func(t *testing.T, text string) {
		for name, parse := range map[string]func(string) ([]string, string){"destinations": parseDestinations, "origins": parseOrigins} {
			out, problem := parse(text)
			if problem != "" {
				if !utf8.ValidString(problem) {
					t.Fatalf("%s: message not UTF-8: %q", name, problem)
				}
				continue
			}
			for _, line := range out {
				u, err := url.Parse(line)
				if !storableText(line) || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
					t.Fatalf("%s: %q accepted", name, line)
				}
			}
		}
	})
}

func FuzzCheckWebsite(f *testing.F) {
	addStrings(f)
	f.Fuzz(func(t *testing.T, raw string) {
		if checkWebsite(raw) != "" || raw == "" {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || len(raw) > 500 {
			t.Fatalf("%q accepted", raw)
		}
	})
}

func FuzzCleanUserAgent(f *testing.F) {
	addStrings(f)
	f.Add(strings.Repeat("é", 400))
	f.Fuzz(func(t *testing.T, ua string) {
		got := cleanUserAgent(ua)
		if !storableText(got) || len(got) > maxUserAgent {
			t.Fatalf("%q → %q", ua, got)
		}
	})
}

func FuzzFieldLabel(f *testing.F) {
	addStrings(f)
	f.Fuzz(func(t *testing.T, name string) {
		got := fieldLabel([]byte(name))
		if !storableText(got) || got == "" || utf8.RuneCountInString(got) > 61 || strings.ContainsAny(got, "\r\n\x1b") {
			t.Fatalf("%q → %q", name, got)
		}
		if storable([]byte(name)) != storableText(name) {
			t.Fatalf("storable(%q) disagrees", name)
		}
	})
}

func FuzzDecodeSignupObject(f *testing.F) {
	for _, s := range []string{`{"click_id":"x","email":"a@b.co"}`, `{}`, `[]`, `null`, `{"a":1}{}`, `{"email":"\u0000"}`,
		`{"email":`, "", `{"name":"\xff"}`, `{"a":{"b":[1,2,{"c":null}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := decodeObject(body)
		if err != nil && obj != nil {
			t.Fatal("an object and an error")
		}
		if err != nil && !utf8.ValidString(err.Error()) {
			t.Fatalf("error message not UTF-8: %q", err)
		}
	})
}

// FuzzSignatureImage feeds the drawn-signature check data URLs (the seeds:
// real drawings, blank and transparent ones, broken PNGs).
func FuzzSignatureImage(f *testing.F) {
	enc := func(img image.Image) []byte {
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		return b.Bytes()
	}
	ink := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	ink.Set(3, 3, color.NRGBA{0x1a, 0x1a, 0x2e, 0xff})
	white := image.NewGray(image.Rect(0, 0, 10, 10))
	for i := range white.Pix {
		white.Pix[i] = 0xff
	}
	for _, b := range [][]byte{enc(ink), enc(image.NewNRGBA(image.Rect(0, 0, 40, 20))), enc(white),
		enc(image.NewPaletted(image.Rect(0, 0, 5, 5), color.Palette{color.Black})), []byte("\x89PNG\r\n\x1a\n"), nil} {
		f.Add(b, true)
		if len(b) > 20 {
			f.Add(b[:len(b)/2], true)
		}
	}
	f.Add([]byte("data:image/png;base64,@@"), false)
	f.Fuzz(func(t *testing.T, b []byte, wrap bool) {
		dataURL := string(b)
		if wrap {
			dataURL = pngDataURLPrefix + base64.StdEncoding.EncodeToString(b)
		}
		problem := signatureImageProblem(dataURL)
		shown := drawnSignatureImage(dataURL)
		if (problem == "") != (shown != "") && len(dataURL) < maxSignatureURL {
			t.Fatalf("accepted (%q) but shown %v", problem, shown != "")
		}
		if problem != "" {
			return
		}
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(dataURL, pngDataURLPrefix))
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil || !hasInk(img) {
			t.Fatal("accepted a drawing without ink")
		}
	})
}
