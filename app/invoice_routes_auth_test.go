package app_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"partnerportal/app"
	"partnerportal/app/apptest"
)

// TestEveryInvoiceRouteRefusesTheWrongPeople walks the route table: every
// route of invoices, payouts, payout settings and billing details, asked by
// each kind of person who must not use it (signed out, a partner User, the
// admin of another partner, a partner admin on the console, staff of another
// organization on Acme's invoice and batch). None gets the page or the file,
// none sees the invoice number, and no write lands. New invoice routes are
// walked without changing this test.
func TestEveryInvoiceRouteRefusesTheWrongPeople(t *testing.T) {
	env := noAgreementsEnv(t)
	ctx := t.Context()
	id, number, batch := invoiceSamples(t, env, true)
	sid, sbatch := strconv.FormatInt(id, 10), strconv.FormatInt(batch, 10)
	fill := func(p string) string {
		p = strings.Replace(p, "/invoices/:id<int>", "/invoices/"+sid, 1)
		return strings.Replace(p, "/payouts/:id<int>", "/payouts/"+sbatch, 1)
	}
	today := env.Clock.Now().Format("2006-01-02")
	form := url.Values{"id": {sid}, "invoice": {sid}, "paid_on": {today}, "reference": {"STOLEN"}, "reason": {"not yours"},
		"period": {"manual"}, "net_days": {"1"}, "number_prefix": {"EVIL"}, "vendor_name": {"Evil"}, "method": {"paypal"},
		"currency": {"USD"}, "paypal_email": {"eve@evil.test"}, "legal_name": {"Eve Holdings"}, "address": {"1 Evil Road"}, "country": {"US"}}

	signedOut := env.Client(t)
	user := signedIn(t, env, "user@northwind.test")
	globex := signedIn(t, env, "admin@globex.test")
	partnerAdmin := signedIn(t, env, "admin@northwind.test")
	otherStaff := signedIn(t, env, "staff@initech.test")

	walked := 0
	for _, r := range app.RouteEntries() {
		if !strings.Contains(r.Path, "/invoices") && !strings.Contains(r.Path, "/payouts") &&
			r.Path != "/manage/payout" && r.Path != "/manage/billing" {
			continue
		}
		walked++
		path := fill(r.Path)
		type asker struct {
			name string
			c    *apptest.Client
		}
		who := []asker{{"signed out", signedOut}, {"partner user", user}}
		switch {
		case r.Access == app.PartnerAdmin && strings.Contains(r.Path, ":id"):
			who = append(who, asker{"another partner's admin", globex})
		case r.Access == app.Staff:
			who = append(who, asker{"partner admin", partnerAdmin})
			if strings.Contains(r.Path, ":id") {
				who = append(who, asker{"another organization's staff", otherStaff})
			}
		}
		for _, w := range who {
			var res *apptest.Response
			if r.Method == "GET" {
				res = w.c.Get(path)
			} else {
				res = w.c.Post(path, form)
			}
			status, body := res.StatusCode, res.Body
			if status < 300 || (status < 400 && w.name != "signed out") || status >= 500 {
				t.Errorf("%s %s as %s: %d", r.Method, path, w.name, status)
			}
			if strings.Contains(body, number) {
				t.Errorf("%s %s as %s: the answer names invoice %s", r.Method, path, w.name, number)
			}
		}
	}
	// Staff of another organization on the console's bulk actions, with
	// Acme's invoice: whatever they answer, nothing of Acme's changes.
	otherStaff.Post("/console/invoices/paid", form)
	otherStaff.Post("/console/payouts", form)
	if walked < 15 {
		t.Fatalf("walked %d invoice routes: the filter above lost some", walked)
	}
	// Nothing the refused requests sent was written.
	for what, sql := range map[string]string{
		"the invoice changed":      `SELECT count(*) FROM invoices WHERE id = $1 AND (status <> 'pending' OR payment_reference <> '')`,
		"the batch was paid":       `SELECT count(*) FROM payout_batches WHERE status <> 'open' AND $1::bigint > 0`,
		"a new batch":              `SELECT count(*) - 1 FROM payout_batches WHERE $1::bigint > 0`,
		"invoice settings written": `SELECT count(*) FROM invoice_settings WHERE number_prefix = 'EVIL' AND $1::bigint > 0`,
		"payout settings written":  `SELECT count(*) FROM partner_payout_settings WHERE $1::bigint > 0`,
		"billing details written":  `SELECT count(*) FROM partner_billing_details WHERE legal_name = 'Eve Holdings' AND $1::bigint > 0`,
		"a run was started":        `SELECT count(*) FROM invoice_runs r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = 'initech' AND $1::bigint > 0`,
	} {
		var n int64
		if err := env.Store.Pool.QueryRow(ctx, sql, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s (%d)", what, n)
		}
	}
}
