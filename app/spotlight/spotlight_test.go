package spotlight

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestGeoMatchExpandsBothWays(t *testing.T) {
	g := GeoMatch([]string{"DE", "R-NORDICS"})
	for _, want := range []string{"DE", "R-EUROPE", "R-EU", "R-DACH", "R-NORDICS", "SE", "NO"} {
		if !slices.Contains(g, want) {
			t.Errorf("GeoMatch lacks %s: %v", want, g)
		}
	}
	if slices.Contains(g, "US") || slices.Contains(g, "R-NA") {
		t.Errorf("GeoMatch has unrelated areas: %v", g)
	}
	if len(Countries()) != 249 || AreaName("CI") == "" || AreaName("XX") != "" {
		t.Fatalf("ISO list: %d countries", len(Countries()))
	}
}

func TestParseProfile(t *testing.T) {
	s := Settings{Specialties: []string{"SEO", "Migrations"}, Platforms: []string{"Shopify"}, BudgetBands: []string{"$10k–$50k"}}
	form := map[string]string{"company_name": "  Northwind  ", "website": "https://northwind.test", "budget_band": "$10k–$50k", "contact_email": "Sales@Northwind.test"}
	lists := map[string][]string{"specialties": {"SEO", "SEO"}, "platforms": {"Shopify"}, "areas": {"DE", "R-EU"}, "languages": {"en"}}
	p, errs := ParseProfile(func(k string) string { return form[k] }, func(k string) []string { return lists[k] }, s)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if p.CompanyName != "Northwind" || len(p.Specialties) != 1 || p.ContactEmail != "sales@northwind.test" {
		t.Fatalf("profile: %+v", p)
	}
	f := p.Facets()
	for _, want := range []string{"s:SEO", "p:Shopify", "g:DE", "g:FR", "b:$10k–$50k", "l:en"} {
		if !slices.Contains(f, want) {
			t.Errorf("facets lack %s: %v", want, f)
		}
	}
	form = map[string]string{"company_name": "", "website": "javascript:alert(1)", "budget_band": "huge", "contact_email": "nope"}
	lists = map[string][]string{"specialties": {"Hacking"}, "platforms": {"Wix"}, "areas": {"ZZ"}, "languages": {"xx"}}
	_, errs = ParseProfile(func(k string) string { return form[k] }, func(k string) []string { return lists[k] }, s)
	for _, k := range []string{"company_name", "website", "budget_band", "contact_email", "specialties", "platforms", "areas", "languages"} {
		if errs[k] == "" {
			t.Errorf("no error for %s", k)
		}
	}
}

func TestParseOrigins(t *testing.T) {
	got, msg := ParseOrigins("https://www.Example.com\n\nhttp://localhost:3000\nhttps://www.example.com/")
	if msg != "" || !slices.Equal(got, []string{"https://www.example.com", "http://localhost:3000"}) {
		t.Fatalf("%v %q", got, msg)
	}
	for _, bad := range []string{"http://example.com", "https://*.example.com", "https://x.test/path", "example.com", "https://a.test; script-src *"} {
		if _, msg := ParseOrigins(bad); msg == "" {
			t.Errorf("accepted %q", bad)
		}
	}
	if FrameAncestors(nil) != "frame-ancestors 'none'" {
		t.Fatal(FrameAncestors(nil))
	}
}

func TestStamp(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	t0 := time.Unix(1_800_000_000, 0)
	s := Stamp(key, 7, t0)
	if err := CheckStamp(key, 7, s, t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := CheckStamp(key, 7, s, t0.Add(time.Second)); !errors.Is(err, ErrStampFast) {
		t.Fatalf("fast: %v", err)
	}
	if err := CheckStamp(key, 7, s, t0.Add(25*time.Hour)); !errors.Is(err, ErrStampStale) {
		t.Fatalf("stale: %v", err)
	}
	if err := CheckStamp(key, 8, s, t0.Add(10*time.Second)); !errors.Is(err, ErrStampBad) {
		t.Fatalf("other partner: %v", err)
	}
	if err := CheckStamp(key, 7, "garbage", t0); !errors.Is(err, ErrStampBad) {
		t.Fatalf("garbage: %v", err)
	}
}
