package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The console list's partner filter scales with the number of partners: a
// name search (works without JS) that suggests at most 20 partners, each a
// link to the list narrowed to that partner; the partner field's htmx request
// gets the suggestions alone.
func TestConsoleInvoicesPartnerSearch(t *testing.T) {
	env := noAgreementsEnv(t)
	id, number, _ := invoiceSamples(t, env, false)
	var partner int64
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT partner_id FROM invoices WHERE id = $1`, id).Scan(&partner); err != nil {
		t.Fatal(err)
	}
	staff := signedIn(t, env, "staff@acme.test")

	r := staff.Get("/console/invoices?partner_q=NorthWind")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("#console-invoice-table").Text(), number) {
		t.Fatalf("name search: %d", r.StatusCode)
	}
	link := "/console/invoices?partner=" + strconv.FormatInt(partner, 10)
	if a := r.Doc.Find("#ci-partner-matches a"); a.Length() != 1 || a.AttrOr("href", "") != link || a.Text() != "Northwind Agency" {
		t.Fatalf("suggestions: %d %q", a.Length(), a.AttrOr("href", ""))
	}
	if v := r.Doc.Find("#ci-partner").AttrOr("value", ""); v != "northwind" {
		t.Errorf("the field keeps the search: %q", v)
	}
	if r := staff.Get("/console/invoices?partner_q=no+such+partner"); r.Doc.Find("#console-invoice-table").Length() != 0 ||
		r.Doc.Find("#ci-partner-matches a").Length() != 0 {
		t.Error("a search matching no partner still lists invoices or partners")
	}
	// Another organization's partners are never suggested; exact and prefix
	// matches come first.
	if got := staff.Get("/console/invoices?partner_q=r").Doc.Find("#ci-partner-matches").Text(); !strings.Contains(got, "Globex Partners") ||
		!strings.Contains(got, "Northwind Agency") || strings.Contains(got, "Initrode") {
		t.Errorf("suggestions for r: %q", got)
	}
	if first := staff.Get("/console/invoices?partner_q=n").Doc.Find("#ci-partner-matches a").First().Text(); first != "Northwind Agency" {
		t.Errorf("a prefix match is not first: %q", first)
	}

	r = staff.Get(link)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("#console-invoice-table").Text(), number) ||
		!strings.Contains(r.Doc.Find("#ci-partner-hint").Text(), "Only Northwind Agency") {
		t.Fatalf("one partner: %d %q", r.StatusCode, r.Doc.Find("#ci-partner-hint").Text())
	}

	f := staff.Do("GET", "/console/invoices?partner_q=northw&status=pending", nil,
		map[string]string{"HX-Request": "true", "HX-Target": "ci-partner-matches"})
	if f.StatusCode != http.StatusOK || f.Doc.Find("#console-invoice-table").Length() != 0 ||
		f.Doc.Find("#ci-partner-matches a").AttrOr("href", "") != link+"&status=pending" {
		t.Fatalf("htmx suggestions: %d %s", f.StatusCode, f.Body)
	}
}
