package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestCommissionRowsLinkTheirInvoice: the commission an invoice carries
// links to that invoice on the console list (staff) and on the partner's
// Payments list; after the invoice is voided the commission is approved
// again and links to nothing; another organization's staff never see it.
func TestCommissionRowsLinkTheirInvoice(t *testing.T) {
	env := noAgreementsEnv(t)
	id, number, _ := invoiceSamples(t, env, false)
	sid := strconv.FormatInt(id, 10)
	cid := invCount(t, env, `SELECT id FROM commissions WHERE earning_key = 'sample:invoice'`)
	row := "#commission-" + strconv.FormatInt(cid, 10)
	link := func(r *goquery.Selection) (string, string) {
		a := r.Find(row + " a.commission-invoice")
		return strings.TrimSpace(a.Text()), a.AttrOr("href", "")
	}

	staff := signedIn(t, env, "staff@acme.test")
	r := staff.Get("/console/commissions?status=approved")
	if r.StatusCode != http.StatusOK || r.Doc.Find(row).Length() != 1 {
		t.Fatalf("console list: %d, row %d", r.StatusCode, r.Doc.Find(row).Length())
	}
	if text, href := link(r.Doc.Selection); text != number || href != "/console/invoices/"+sid {
		t.Errorf("console row links %q → %q", text, href)
	}
	if n := r.Doc.Find("#console-commission-table a.commission-invoice").Length(); n != 1 {
		t.Errorf("%d invoice links on the console list, want the invoiced commission's only", n)
	}
	admin := signedIn(t, env, "admin@northwind.test")
	if text, href := link(admin.Get("/payments?status=approved").Doc.Selection); text != number || href != "/payments/invoices/"+sid {
		t.Errorf("partner row links %q → %q", text, href)
	}
	// A partner User sees the commission but no link to an invoice they may not open.
	if r := signedIn(t, env, "user@northwind.test").Get("/payments?status=approved"); r.Doc.Find(row).Length() != 1 ||
		r.Doc.Find("a.commission-invoice").Length() != 0 || strings.Contains(r.Body, number) {
		t.Errorf("partner user's Payments: row %d, invoice links %d", r.Doc.Find(row).Length(), r.Doc.Find("a.commission-invoice").Length())
	}
	if r := signedIn(t, env, "staff@initech.test").Get("/console/commissions"); strings.Contains(r.Body, number) {
		t.Error("another organization's staff see the invoice number")
	}

	// Voided: the commission is approved again, on no invoice.
	if r := staff.Post("/console/invoices/"+sid+"/void", url.Values{"reason": {"Wrong period"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("void: %d", r.StatusCode)
	}
	r = staff.Get("/console/commissions?status=approved")
	if r.Doc.Find(row).Length() != 1 || r.Doc.Find(row+" a.commission-invoice").Length() != 0 {
		t.Errorf("after the void the row %d, links %d", r.Doc.Find(row).Length(), r.Doc.Find(row+" a.commission-invoice").Length())
	}
}
