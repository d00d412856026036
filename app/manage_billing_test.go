package app_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestBillingDetailsForm: a partner admin edits the legal name, address,
// country and VAT id the self-billing invoice prints for them. Bad input is
// a 422 with the message beside its field and nothing saved; good input is
// normalized and saved, and the next invoice (run by the worker's code)
// carries it, with the reverse-charge note when the partner is in another
// EU country than the vendor, on the page and in the PDF.
func TestBillingDetailsForm(t *testing.T) {
	env := noAgreementsEnv(t)
	ctx := t.Context()
	admin := signedIn(t, env, "admin@northwind.test")
	r := admin.Get("/manage/billing")
	if r.StatusCode != http.StatusOK || r.Doc.Find(`form[action="/manage/billing"] input[name=_csrf]`).Length() != 1 {
		t.Fatalf("GET: %d", r.StatusCode)
	}
	if r.Doc.Find(`nav.tabs a[aria-current="page"]`).Text() != "Billing" {
		t.Error("the Billing tab is not marked current")
	}
	snapshot := func() string {
		t.Helper()
		var s string
		_ = env.Store.Pool.QueryRow(ctx, `SELECT coalesce(string_agg(concat_ws('|', partner_id, legal_name, address, tax_id, country), ';' ORDER BY partner_id), '')
			FROM partner_billing_details`).Scan(&s)
		return s
	}
	before := snapshot()
	good := url.Values{"legal_name": {"  Northwind   Agency SARL "}, "address": {"12 rue de la Paix\r\n75002 Paris"}, "country": {"fr"}, "tax_id": {"fr 12.345.678.901"}}
	for _, tc := range []struct{ field, value, want string }{
		{"legal_name", "", "legal name"},
		{"legal_name", strings.Repeat("N", 201), "legal name"},
		{"address", "Par", "billing address"},
		{"address", "1\n2\n3\n4\n5\n6\n7", "6 lines"},
		{"address", "12 rue\x1b de la Paix", "line breaks"},
		{"country", "", "country"},
		{"country", "XX", "country"},
		{"country", "FRA", "country"},
		{"tax_id", "FR", "EU VAT ID"},
		{"tax_id", "FR12345678901234567", "EU VAT ID"},
		{"tax_id", "DE123456789", "starts with DE"},
		{"tax_id", "<b>FR1</b>", "EU VAT ID"},
	} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(tc.field, tc.value)
		r := admin.Post("/manage/billing", form)
		msg := r.Doc.Find("#" + tc.field + "-error").Text()
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, tc.want) {
			t.Errorf("%s=%q: %d %q", tc.field, tc.value, r.StatusCode, msg)
			continue
		}
		if r.Doc.Find("#"+tc.field).AttrOr("aria-invalid", "") != "true" || r.Doc.Find("#"+tc.field+"-error").Length() != 1 {
			t.Errorf("%s: the error is not beside its field", tc.field)
		}
		// What was typed stays in the form.
		if tc.field != "legal_name" && r.Doc.Find("#legal_name").AttrOr("value", "") != "Northwind Agency SARL" {
			t.Errorf("%s: the legal name was not kept: %q", tc.field, r.Doc.Find("#legal_name").AttrOr("value", ""))
		}
	}
	// Outside the EU a tax id is kept as typed; nonsense is refused.
	form := url.Values{"legal_name": {"Northwind Agency LLC"}, "address": {"12 Harbor Road\nBoston, MA 02110"}, "country": {"US"}, "tax_id": {"=cmd|' /C calc'!A0"}}
	if r := admin.Post("/manage/billing", form); r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#tax_id-error").Length() != 1 {
		t.Errorf("a formula as a US tax id: %d", r.StatusCode)
	}
	if after := snapshot(); after != before {
		t.Fatalf("bad input was saved:\n%s\n%s", before, after)
	}

	// The vendor invoices from Germany: a French partner gets the note.
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Post("/console/invoices/settings", url.Values{"period": {"manual"}, "net_days": {"30"}, "number_prefix": {"ACME"},
		"vendor_name": {"Acme Cloud GmbH"}, "vendor_address": {"Friedrichstraße 1\n10117 Berlin"}, "vendor_country": {"DE"},
		"vendor_tax_id": {"DE123456789"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("invoice settings: %d", r.StatusCode)
	}
	r = admin.Post("/manage/billing", good)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/manage/billing" {
		t.Fatalf("save: %d %q", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	var legal, address, taxID, country string
	if err := env.Store.Pool.QueryRow(ctx, `SELECT legal_name, address, tax_id, country FROM partner_billing_details
		WHERE partner_id = (SELECT id FROM partners WHERE name = 'Northwind Agency')`).Scan(&legal, &address, &taxID, &country); err != nil {
		t.Fatal(err)
	}
	if legal != "Northwind Agency SARL" || address != "12 rue de la Paix\n75002 Paris" || taxID != "FR12345678901" || country != "FR" {
		t.Fatalf("saved %q %q %q %q", legal, address, taxID, country)
	}
	r = admin.Get("/manage/billing")
	if r.Doc.Find("#tax_id").AttrOr("value", "") != "FR12345678901" || r.Doc.Find(`#country option[selected]`).AttrOr("value", "") != "FR" ||
		r.Doc.Find("#reverse-charge-hint").Length() != 1 {
		t.Errorf("the page after saving: %q %q", r.Doc.Find("#tax_id").AttrOr("value", ""), r.Doc.Find(`#country option[selected]`).AttrOr("value", ""))
	}

	// Staff see them on the partner's console page.
	pid := invCount(t, env, `SELECT id FROM partners WHERE name = 'Northwind Agency'`)
	if got := staff.Get("/console/partners/" + strconv.FormatInt(pid, 10)).Doc.Find("#partner-billing").Text(); !strings.Contains(got, "Northwind Agency SARL") ||
		!strings.Contains(got, "FR12345678901") || !strings.Contains(got, "75002 Paris") {
		t.Errorf("console partner page: %q", got)
	}

	// The next invoice prints them.
	id, _, _ := invoiceSamples(t, env, false)
	if n := invCount(t, env, `SELECT count(*) FROM invoices WHERE id = $1 AND partner_name = 'Northwind Agency SARL'
		AND partner_address = $2 AND partner_tax_id = 'FR12345678901' AND partner_country = 'FR' AND reverse_charge`, id, "12 rue de la Paix\n75002 Paris"); n != 1 {
		t.Fatal("the invoice does not carry the billing details")
	}
	page := "/payments/invoices/" + strconv.FormatInt(id, 10)
	r = admin.Get(page)
	if !strings.Contains(r.Body, "Northwind Agency SARL") || !strings.Contains(r.Body, "FR12345678901") || !strings.Contains(r.Body, "Reverse charge") {
		t.Error("the invoice page does not show the billing details")
	}
	pdf := admin.Get(page + "/pdf")
	if pdf.StatusCode != http.StatusOK {
		t.Fatalf("PDF: %d", pdf.StatusCode)
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader([]byte(pdf.Body))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Northwind Agency SARL", "12 rue de la Paix", "75002 Paris", "FR12345678901", "everse charge"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}
