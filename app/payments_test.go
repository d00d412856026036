package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/app/clock"
)

// commissionEnv is the portal without agreements, with a clock the test moves.
func commissionEnv(t *testing.T) (*apptest.Env, *clock.Settable) {
	t.Helper()
	env := apptest.NewEnv(t, apptest.Options{})
	// Without the demo's commissions, so the figures are the test's own.
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false; DELETE FROM commissions"); err != nil {
		t.Fatal(err)
	}
	return env, env.Clock
}

// openNorthwindLead adds an approved Northwind lead at Proposal.
func openNorthwindLead(t *testing.T, env *apptest.Env, company, currency string) int64 {
	t.Helper()
	return queryInt(t, env, `INSERT INTO leads (organization_id, partner_id, company, status, stage, currency)
		SELECT organization_id, id, $1, 'approved', 'proposal', $2 FROM partners WHERE name = 'Northwind Agency' RETURNING id`, company, currency)
}

// waitForCommission waits for the worker to write the lead's commissions.
func waitForCommission(t *testing.T, env *apptest.Env, lead int64, n int64) int64 {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := queryInt(t, env, "SELECT count(*) FROM commissions WHERE lead_id = $1", lead)
		if got >= n {
			return queryInt(t, env, "SELECT max(id) FROM commissions WHERE lead_id = $1", lead)
		}
		if time.Now().After(deadline) {
			t.Fatalf("lead %d: %d commissions after 15 s, want %d", lead, got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCommissionFromWonLeadToApproval(t *testing.T) {
	env, clock := commissionEnv(t)
	lead := openNorthwindLead(t, env, "Payments Journey Ltd", "USD")
	// Signed in first: the sign-in helper reads the latest email.
	admin := signedIn(t, env, "admin@northwind.test")
	staff := signedIn(t, env, "staff@acme.test")
	r := staff.Post(fmt.Sprintf("/console/leads/%d/outcome", lead), url.Values{"outcome": {"won"}, "revenue": {"18,000.00"}})
	if r.StatusCode >= 400 {
		t.Fatalf("won: %d", r.StatusCode)
	}
	id := waitForCommission(t, env, lead, 1)

	page := admin.Get("/payments")
	row := page.Doc.Find(fmt.Sprintf("#commission-%d", id))
	if row.Length() != 1 {
		t.Fatalf("row missing on /payments: %s", page.Body)
	}
	if b := row.Find(".commission-basis").Text(); !strings.Contains(b, "18,000.00 × 15%") {
		t.Errorf("basis %q", b)
	}
	if a := row.Find(".commission-amount").Text(); a != "$2,700.00" {
		t.Errorf("amount %q", a)
	}
	if s := strings.TrimSpace(row.Find(".commission-status").Text()); s != "Pending" {
		t.Errorf("status %q", s)
	}
	if f := page.Doc.Find("#figure-pending").Text(); !strings.Contains(f, "$2,700.00") {
		t.Errorf("pending figure %q", f)
	}
	if about := page.Doc.Find("#about-commissions").Text(); !strings.Contains(about, "Premium") || !strings.Contains(about, "15%") || !strings.Contains(about, "30 days") {
		t.Errorf("about panel: %q", about)
	}
	// The Dashboard and Leads figures read the same rows.
	if f := admin.Get("/leads").Doc.Find("#metric-pending").Text(); !strings.Contains(f, "$2,700.00") {
		t.Errorf("leads pending figure %q", f)
	}

	// Inside the hold: not approved.
	approve := func() {
		staff.Post("/console/commissions/approve", url.Values{"id": {fmt.Sprint(id)}, "back": {"/console/commissions"}})
	}
	approve()
	if s := rvStr(t, env, "SELECT status FROM commissions WHERE id = $1", id); s != "pending" {
		t.Fatalf("approved inside the hold: %s", s)
	}
	// Staff of another organization cannot approve it, even after the hold.
	// A month on, every session has ended: everyone signs in again.
	clock.Advance(31 * 24 * time.Hour)
	staff = signedIn(t, env, "staff@acme.test")
	admin = signedIn(t, env, "admin@northwind.test")
	initech := signedIn(t, env, "staff@initech.test")
	initech.Post("/console/commissions/approve", url.Values{"id": {fmt.Sprint(id)}})
	if s := rvStr(t, env, "SELECT status FROM commissions WHERE id = $1", id); s != "pending" {
		t.Fatalf("another organization approved it: %s", s)
	}
	if r := initech.Get(fmt.Sprintf("/console/commissions/%d/void", id)); r.StatusCode != 404 {
		t.Errorf("another organization's void page: %d", r.StatusCode)
	}
	approve()
	if s := rvStr(t, env, "SELECT status FROM commissions WHERE id = $1", id); s != "approved" {
		t.Fatalf("not approved after the hold: %s", s)
	}
	page = admin.Get("/payments?status=approved")
	if page.Doc.Find(fmt.Sprintf("#commission-%d", id)).Length() != 1 {
		t.Error("approved commission not in the approved filter")
	}
	if n := queryInt(t, env, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.email = 'admin@northwind.test' AND n.body LIKE '%approved%' AND n.link LIKE '/payments%'`); n != 1 {
		t.Errorf("%d approval notifications", n)
	}
	env.Inbox.WaitFor(t, "admin@northwind.test", "approved")
}

func TestPaymentsScopedToPartner(t *testing.T) {
	env, _ := commissionEnv(t)
	lead := openNorthwindLead(t, env, "Secret Deal Inc", "USD")
	admin := signedIn(t, env, "admin@northwind.test")
	user := signedIn(t, env, "user@northwind.test")
	staff := signedIn(t, env, "staff@acme.test")
	staff.Post(fmt.Sprintf("/console/leads/%d/outcome", lead), url.Values{"outcome": {"won"}, "revenue": {"1000"}})
	waitForCommission(t, env, lead, 1)
	globex := signedIn(t, env, "admin@globex.test")
	if body := globex.Get("/payments").Body; strings.Contains(body, "Secret Deal Inc") {
		t.Error("Globex sees Northwind's commission")
	}
	p := user.Get("/payments")
	if !strings.Contains(p.Body, "Secret Deal Inc") {
		t.Error("a partner user does not see the company's commissions")
	}
	if p.Doc.Find(`a[href="/payments/invoices"]`).Length() != 0 {
		t.Error("a partner user sees the Invoices tab")
	}
	if r := user.Get("/payments/invoices"); r.StatusCode != 403 && r.StatusCode != 404 {
		t.Errorf("partner user on invoices: %d", r.StatusCode)
	}
	if r := user.Get("/console/commissions"); r.StatusCode != 403 && r.StatusCode != 404 && r.StatusCode != 303 {
		t.Errorf("partner user on the console: %d", r.StatusCode)
	}
	// Filters: search, status and kind narrow the list; a fragment for htmx.
	if b := admin.Get("/payments?q=secret").Body; !strings.Contains(b, "Secret Deal Inc") {
		t.Error("search by company misses the row")
	}
	if b := admin.Get("/payments?q=nomatchxyz").Body; strings.Contains(b, "Secret Deal Inc") || !strings.Contains(b, "No commissions match") {
		t.Error("search for another company shows the row")
	}
	if b := admin.Get("/payments?status=paid").Body; strings.Contains(b, "Secret Deal Inc") {
		t.Error("status filter ignored")
	}
	if b := admin.Get("/payments?kind=spiff").Body; strings.Contains(b, "Secret Deal Inc") {
		t.Error("kind filter ignored")
	}
	frag := admin.Do("GET", "/payments?q=secret", nil, map[string]string{"HX-Request": "true"})
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `id="commission-results"`) {
		t.Error("htmx request did not get the fragment")
	}
}

func TestConsoleVoidAdjustExport(t *testing.T) {
	env, _ := commissionEnv(t)
	lead := openNorthwindLead(t, env, "Void Me Co", "EUR")
	admin := signedIn(t, env, "admin@northwind.test")
	staff := signedIn(t, env, "staff@acme.test")
	staff.Post(fmt.Sprintf("/console/leads/%d/outcome", lead), url.Values{"outcome": {"won"}, "revenue": {"2000"}})
	id := waitForCommission(t, env, lead, 1)

	list := staff.Get("/console/commissions?status=pending")
	if list.Doc.Find(fmt.Sprintf("#commission-%d", id)).Length() != 1 {
		t.Fatal("pending commission missing from the console list")
	}
	voidPath := fmt.Sprintf("/console/commissions/%d/void", id)
	if r := staff.Get(voidPath); r.StatusCode != 200 || r.Doc.Find("#confirm-void").Length() != 1 {
		t.Fatalf("void confirmation: %d", r.StatusCode)
	}
	if r := staff.Post(voidPath, url.Values{"reason": {""}}); r.StatusCode != 422 || r.Doc.Find("#reason-error").Length() != 1 {
		t.Errorf("void without reason: %d", r.StatusCode)
	}
	if s := rvStr(t, env, "SELECT status FROM commissions WHERE id = $1", id); s != "pending" {
		t.Fatalf("voided without a reason: %s", s)
	}
	staff.Post(voidPath, url.Values{"reason": {"Customer never paid"}})
	if s := rvStr(t, env, "SELECT status || ':' || reason FROM commissions WHERE id = $1", id); s != "void:Customer never paid" {
		t.Fatalf("after void: %s", s)
	}

	partner := queryInt(t, env, "SELECT id FROM partners WHERE name = 'Northwind Agency'")
	before := queryInt(t, env, "SELECT count(*) FROM commissions")
	for _, bad := range []url.Values{
		{"partner": {"999999"}, "amount": {"10"}, "currency": {"USD"}, "direction": {"credit"}, "reason": {"Bonus"}},
		{"partner": {fmt.Sprint(partner)}, "amount": {"ten"}, "currency": {"USD"}, "direction": {"credit"}, "reason": {"Bonus"}},
		{"partner": {fmt.Sprint(partner)}, "amount": {"10"}, "currency": {"USD"}, "direction": {"credit"}, "reason": {""}},
	} {
		if r := staff.Post("/console/commissions/adjust", bad); r.StatusCode != 422 {
			t.Errorf("bad adjustment %v: %d", bad, r.StatusCode)
		}
	}
	if n := queryInt(t, env, "SELECT count(*) FROM commissions"); n != before {
		t.Fatalf("a refused adjustment was saved")
	}
	form := url.Values{"partner": {fmt.Sprint(partner)}, "amount": {"125.50"}, "currency": {"USD"}, "direction": {"deduction"},
		"reason": {"Overpaid in March"}, "key": {"adjust-form-key-1"}}
	staff.Post("/console/commissions/adjust", form)
	staff.Post("/console/commissions/adjust", form) // sent twice
	if n := queryInt(t, env, "SELECT count(*) FROM commissions WHERE kind = 'adjustment' AND amount_minor = -12550 AND partner_id = $1", partner); n != 1 {
		t.Fatalf("%d adjustments from one form", n)
	}
	csv := staff.Get("/console/commissions/export.csv?partner=" + fmt.Sprint(partner))
	if !strings.Contains(csv.Body, "Overpaid in March") || !strings.Contains(csv.Body, "-125.50") || !strings.Contains(csv.Body, "Void Me Co") {
		t.Errorf("CSV:\n%s", csv.Body)
	}
	if b := admin.Get("/payments").Body; !strings.Contains(b, "Overpaid in March") || !strings.Contains(b, "Customer never paid") {
		t.Error("the partner does not see the adjustment's or the void's reason")
	}
}

// Staff correct a won deal after its commission was approved: the partner
// keeps the approved row and gets adjustment rows with the reason.
func TestCorrectionsAfterApproval(t *testing.T) {
	env, clock := commissionEnv(t)
	lead := openNorthwindLead(t, env, "Correction Corp", "USD")
	admin := signedIn(t, env, "admin@northwind.test")
	staff := signedIn(t, env, "staff@acme.test")
	path := fmt.Sprintf("/console/leads/%d", lead)
	staff.Post(path+"/outcome", url.Values{"outcome": {"won"}, "revenue": {"18000"}})
	id := waitForCommission(t, env, lead, 1)
	clock.Advance(31 * 24 * time.Hour)
	// A month on, the sessions have ended: both sign in again.
	staff = signedIn(t, env, "staff@acme.test")
	admin = signedIn(t, env, "admin@northwind.test")
	staff.Post("/console/commissions/approve", url.Values{"id": {fmt.Sprint(id)}})
	owed := func() int64 {
		return queryInt(t, env, "SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE lead_id = $1 AND status <> 'void'", lead)
	}

	if r := staff.Post(path+"/correction", url.Values{"action": {"refund"}, "amount": {"zero"}}); r.StatusCode != 422 || r.Doc.Find("#correction-error").Length() != 1 {
		t.Errorf("bad refund: %d", r.StatusCode)
	}
	corrected := env.Clock.Now()
	staff.Post(path+"/correction", url.Values{"action": {"revenue"}, "amount": {"12,000.00"}})
	stampedByClock(t, env, corrected, "SELECT updated_at FROM leads WHERE id = $1", lead)
	waitForCommission(t, env, lead, 2)
	if o := owed(); o != 180_000 {
		t.Fatalf("owed %d after the revenue change, want 180000", o)
	}
	if s := rvStr(t, env, "SELECT status FROM commissions WHERE id = $1", id); s != "approved" {
		t.Errorf("the approved row became %s", s)
	}
	// A refund larger than what is left: the clawback stops at zero.
	staff.Post(path+"/correction", url.Values{"action": {"refund"}, "amount": {"50000"}})
	waitForCommission(t, env, lead, 3)
	if o := owed(); o != 0 {
		t.Fatalf("owed %d after refunding everything", o)
	}
	body := admin.Get("/payments").Body
	if !strings.Contains(body, "Revenue corrected") || !strings.Contains(body, "Refund of $50,000.00") {
		t.Error("the partner does not see why the commission changed")
	}
	// Reopened and won again: owed again on the new revenue, at the rate earned.
	staff.Post(path+"/correction", url.Values{"action": {"reopen"}})
	staff.Post(path+"/outcome", url.Values{"outcome": {"won"}, "revenue": {"10000"}})
	deadline := time.Now().Add(15 * time.Second)
	for owed() != 150_000 {
		if time.Now().After(deadline) {
			t.Fatalf("owed %d after winning again with 10,000.00, want 150000", owed())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM commissions WHERE lead_id = $1 AND rate_bps = 1500", lead); n != queryInt(t, env, "SELECT count(*) FROM commissions WHERE lead_id = $1", lead) {
		t.Error("a correction used another rate than the one earned")
	}
}
