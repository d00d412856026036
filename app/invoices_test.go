package app_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
	"partnerportal/app/invoice"
	"partnerportal/queries"
)

// invoiceSamples gives the Env an invoice for Northwind (Acme, USD) from a
// commission of $1,234.56 approved 40 days before the clock, and a pending
// payout batch holding it when batch is set. It returns the invoice's id and
// number and the batch's id.
func invoiceSamples(t testing.TB, env *apptest.Env, batch bool) (int64, string, int64) {
	t.Helper()
	ctx := context.Background()
	var org, partner int64
	if err := env.Store.Pool.QueryRow(ctx, `SELECT organization_id, id FROM partners WHERE name = 'Northwind Agency'`).Scan(&org, &partner); err != nil {
		t.Fatal(err)
	}
	now := env.Clock.Now()
	at := now.AddDate(0, 0, -40)
	// Only this commission is invoiced: the demo's approved ones are paid already.
	if _, err := env.Store.Pool.Exec(ctx, `UPDATE commissions SET status = 'paid', paid_at = approved_at WHERE status = 'approved'`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.Pool.Exec(ctx, `INSERT INTO commissions (organization_id, partner_id, kind, amount_minor, currency, basis_minor,
		rate_bps, status, earning_key, earned_at, approvable_at, approved_at, created_at, updated_at)
		VALUES ($1, $2, 'revenue_share', 123456, 'USD', 823040, 1500, 'approved', 'sample:invoice', $3, $3, $3, $3, $3)`, org, partner, at); err != nil {
		t.Fatal(err)
	}
	r := &invoice.Runner{Store: env.Store, Files: env.Files, Keys: env.Config.PayoutKeys, Now: env.Clock.Now, Log: env.Log}
	p, err := invoice.ForRun(invoice.Manual, invoice.Location("America/New_York"), now, "")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r.Run(ctx, org, p); err != nil || res.Invoices != 1 {
		t.Fatalf("sample run: %+v %v", res, err)
	}
	var id int64
	var number string
	if err := env.Store.Pool.QueryRow(ctx, `SELECT id, number FROM invoices WHERE partner_id = $1`, partner).Scan(&id, &number); err != nil {
		t.Fatal(err)
	}
	var b int64
	if batch {
		if err := env.Store.Tx(ctx, func(q *queries.Queries) (err error) {
			b, _, err = invoice.CreateBatch(ctx, q, org, []int64{id}, nil, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	return id, number, b
}

func TestInvoicePagesAuthorization(t *testing.T) {
	env := noAgreementsEnv(t)
	id, number, batch := invoiceSamples(t, env, true)
	page := "/payments/invoices/" + strconv.FormatInt(id, 10)

	admin := signedIn(t, env, "admin@northwind.test")
	r := admin.Get("/payments/invoices")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("#invoice-table").Text(), number) {
		t.Fatalf("admin list: %d", r.StatusCode)
	}
	if got := strings.TrimSpace(r.Doc.Find("#amount-due").Text()); got != "$1,234.56" {
		t.Errorf("Amount Due %q", got)
	}
	r = admin.Get(page)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("#invoice-lines").Text(), "8,230.40 × 15%") {
		t.Fatalf("admin invoice page: %d %q", r.StatusCode, r.Doc.Find("#invoice-lines").Text())
	}
	if r := admin.Get(page + "/pdf"); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(r.Body, "%PDF") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("admin PDF: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}

	// A partner User sees no invoices; another partner's admin gets 404s.
	user := signedIn(t, env, "user@northwind.test")
	for _, path := range []string{"/payments/invoices", page, page + "/pdf"} {
		if r := user.Get(path); r.StatusCode != http.StatusForbidden || strings.Contains(r.Body, number) {
			t.Errorf("partner user %s: %d", path, r.StatusCode)
		}
	}
	globex := signedIn(t, env, "admin@globex.test")
	for _, path := range []string{page, page + "/pdf"} {
		if r := globex.Get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, number) {
			t.Errorf("other partner's admin %s: %d", path, r.StatusCode)
		}
	}
	if r := globex.Get("/payments/invoices"); strings.Contains(r.Body, number) {
		t.Error("another partner's invoice in Globex's list")
	}
	// Partners never reach the console.
	if r := admin.Get("/console/invoices/" + strconv.FormatInt(id, 10)); r.StatusCode != http.StatusNotFound {
		t.Errorf("partner on the console: %d", r.StatusCode)
	}

	// Staff of another organization: 404 on every read, and no write lands.
	other := signedIn(t, env, "staff@initech.test")
	cid := "/console/invoices/" + strconv.FormatInt(id, 10)
	bid := "/console/payouts/" + strconv.FormatInt(batch, 10)
	for _, path := range []string{cid, cid + "/pdf", cid + "/void", bid, bid + "/payouts.csv", bid + "/sepa.xml"} {
		if r := other.Get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("other organization's staff GET %s: %d", path, r.StatusCode)
		}
	}
	if r := other.Get("/console/invoices"); strings.Contains(r.Body, number) {
		t.Error("another organization's invoice in the console list")
	}
	other.Post("/console/invoices/paid", url.Values{"id": {strconv.FormatInt(id, 10)}, "paid_on": {env.Clock.Now().Format("2006-01-02")}, "reference": {"X1"}})
	other.Post(cid+"/void", url.Values{"reason": {"not yours"}})
	other.Post(bid+"/paid", url.Values{"paid_on": {env.Clock.Now().Format("2006-01-02")}, "reference": {"X1"}})
	other.Post("/console/payouts", url.Values{"id": {strconv.FormatInt(id, 10)}})
	var status string
	_ = env.Store.Pool.QueryRow(t.Context(), `SELECT status FROM invoices WHERE id = $1`, id).Scan(&status)
	if status != "pending" {
		t.Fatalf("another organization's staff changed the invoice to %s", status)
	}

	// The organization's staff: the list, the page, the files.
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Get("/console/invoices?status=pending"); r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("#console-invoice-table").Text(), number) {
		t.Fatalf("staff list: %d", r.StatusCode)
	}
	if r := staff.Get("/console/invoices?status=paid"); strings.Contains(r.Doc.Find("#console-invoice-table").Text(), number) {
		t.Error("a pending invoice under the Paid filter")
	}
	if r := staff.Get(cid + "/pdf"); r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF") {
		t.Errorf("staff PDF: %d", r.StatusCode)
	}
	if r := staff.Get(bid + "/payouts.csv"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, number+",Northwind Agency,,USD,1234.56") {
		t.Errorf("payout CSV: %d %q", r.StatusCode, r.Body)
	}
	if r := staff.Get(bid + "/sepa.xml"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("SEPA file for a USD batch without details: %d", r.StatusCode)
	}
}

func TestMarkPaidAndVoidFromTheConsole(t *testing.T) {
	env := noAgreementsEnv(t)
	id, number, _ := invoiceSamples(t, env, false)
	sid := strconv.FormatInt(id, 10)
	staff := signedIn(t, env, "staff@acme.test")
	today := env.Clock.Now().Format("2006-01-02")

	// Bad input: 422, errors beside the fields, nothing saved.
	for _, form := range []url.Values{
		{"id": {sid}, "invoice": {sid}, "paid_on": {""}, "reference": {"R-1"}},
		{"id": {sid}, "invoice": {sid}, "paid_on": {today}, "reference": {""}},
		{"id": {sid}, "invoice": {sid}, "paid_on": {"2999-01-01"}, "reference": {"R-1"}},
		{"paid_on": {today}, "reference": {"R-1"}},
	} {
		r := staff.Post("/console/invoices/paid", form)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(".field-error").Length() == 0 {
			t.Errorf("%v: %d", form, r.StatusCode)
		}
	}
	if r := staff.Post("/console/invoices/"+sid+"/void", url.Values{"reason": {"x"}}); r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#reason-error").Length() != 1 {
		t.Errorf("void without a reason: %d", r.StatusCode)
	}
	var status string
	_ = env.Store.Pool.QueryRow(t.Context(), `SELECT status FROM invoices WHERE id = $1`, id).Scan(&status)
	if status != "pending" {
		t.Fatalf("bad input changed the invoice: %s", status)
	}
	// Mark paid (bulk form with one row) → paid, commissions paid, partner emailed once.
	if r := staff.Post("/console/invoices/paid", url.Values{"id": {sid}, "paid_on": {today}, "reference": {"WIRE-42"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark paid: %d", r.StatusCode)
	}
	env.Inbox.WaitFor(t, "admin@northwind.test", "")
	admin := signedIn(t, env, "admin@northwind.test")
	r := admin.Get("/payments/invoices/" + sid)
	if !strings.Contains(r.Doc.Find("#invoice-status").Text(), "WIRE-42") {
		t.Errorf("partner's invoice status %q", r.Doc.Find("#invoice-status").Text())
	}
	if got := strings.TrimSpace(admin.Get("/payments/invoices").Doc.Find("#amount-paid").Text()); got != "$1,234.56" {
		t.Errorf("Amount Paid %q", got)
	}
	if n := invCount(t, env, `SELECT count(*) FROM commissions WHERE earning_key = 'sample:invoice' AND status = 'paid'`); n != 1 {
		t.Error("the commission is not paid")
	}
	// The Payments list links the commission to its invoice.
	if href := admin.Get("/payments?status=paid").Doc.Find("a.commission-invoice").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == number }).AttrOr("href", ""); href != "/payments/invoices/"+sid {
		t.Errorf("commission row links to %q", href)
	}
	// A paid invoice cannot be voided.
	if r := staff.Post("/console/invoices/"+sid+"/void", url.Values{"reason": {"Wrong amount"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("void of a paid invoice: %d", r.StatusCode)
	}
}

func TestInvoiceSettingsAndRunNow(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Get("/console/invoices/settings"); r.StatusCode != http.StatusOK {
		t.Fatalf("settings page: %d", r.StatusCode)
	}
	good := url.Values{"period": {"manual"}, "net_days": {"14"}, "number_prefix": {"acme"}, "vendor_name": {"Acme Cloud Inc."},
		"vendor_address": {"1 Main St\nNew York"}, "vendor_country": {"us"}, "vendor_tax_id": {"US-12-3456789"},
		"vendor_iban": {""}, "vendor_bic": {""}, "minimums": {"USD 100.00\nEUR 50"}}
	for field, bad := range map[string]string{"period": "weekly", "net_days": "-3", "number_prefix": "A B", "vendor_country": "USA",
		"vendor_iban": "DE00123", "vendor_bic": "NOPE", "minimums": "dollars: lots"} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(field, bad)
		r := staff.Post("/console/invoices/settings", form)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#"+field+"-error").Length() != 1 {
			t.Errorf("%s=%q: %d", field, bad, r.StatusCode)
		}
	}
	if n := invCount(t, env, `SELECT count(*) FROM invoice_settings`); n != 0 {
		t.Fatal("invalid settings were saved")
	}
	if r := staff.Post("/console/invoices/settings", good); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	if n := invCount(t, env, `SELECT count(*) FROM invoice_minimums WHERE (currency, amount_minor) IN (('USD', 10000), ('EUR', 5000))`); n != 2 {
		t.Errorf("minimums: %d", n)
	}
	// Run now: the worker makes the invoices; the admins get one email each.
	if r := staff.Post("/console/invoices/run", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("run now: %d", r.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for invCount(t, env, `SELECT count(*) FROM invoice_runs WHERE finished_at IS NOT NULL`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the run did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}
	n := invCount(t, env, `SELECT count(*) FROM invoices i JOIN partners p ON p.id = i.partner_id WHERE p.name = 'Northwind Agency'`)
	if n == 0 {
		t.Fatal("no invoice for Northwind from the demo's approved commissions")
	}
	if n := invCount(t, env, `SELECT count(*) FROM invoices WHERE number NOT LIKE 'ACME-%'`); n != 0 {
		t.Error("numbers without the prefix")
	}
	m := env.Inbox.WaitFor(t, "admin@northwind.test", "")
	_ = m
	time.Sleep(300 * time.Millisecond) // let any duplicate arrive
	issued := 0
	for _, mail := range env.Inbox.All("admin@northwind.test") {
		if strings.Contains(mail.Body, "was issued on your behalf") {
			issued++
		}
	}
	if want := int(n); issued != want {
		t.Errorf("%d issued emails for %d invoices", issued, want)
	}
}

// TestSEPABatchFromTheConsole: Initrode (Initech, EUR) saves a bank account,
// is invoiced, staff put the invoice in a batch, download a SEPA file that
// the ISO 20022 schema accepts, and pay the batch.
func TestSEPABatchFromTheConsole(t *testing.T) {
	env := noAgreementsEnv(t)
	ctx := t.Context()
	partnerAdmin := signedIn(t, env, "admin@initrode.test")
	if r := partnerAdmin.Post("/manage/payout", url.Values{"method": {"bank_transfer"}, "currency": {"EUR"},
		"account_holder": {"Zoë Müller-Łukasiewicz"}, "iban": {"DE89370400440532013000"}, "bic": {"COBADEFFXXX"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("payout settings: %d", r.StatusCode)
	}
	staff := signedIn(t, env, "staff@initech.test")
	if r := staff.Post("/console/invoices/settings", url.Values{"period": {"manual"}, "net_days": {"30"}, "number_prefix": {"INI"},
		"vendor_name": {"Initech GmbH"}, "vendor_address": {"Berlin"}, "vendor_country": {"DE"}, "vendor_iban": {"DE75512108001245126199"},
		"vendor_bic": {"SOGEDEFFXXX"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", r.StatusCode)
	}
	var org, partner int64
	_ = env.Store.Pool.QueryRow(ctx, `SELECT organization_id, id FROM partners WHERE name = 'Initrode Resellers'`).Scan(&org, &partner)
	if _, err := env.Store.Pool.Exec(ctx, `UPDATE commissions SET status = 'paid' WHERE status = 'approved'`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.Pool.Exec(ctx, `INSERT INTO commissions (organization_id, partner_id, kind, amount_minor, currency, status, earning_key,
		earned_at, approvable_at, approved_at, created_at, updated_at) VALUES ($1, $2, 'spiff', 50000, 'EUR', 'approved', 'sepa:1', $3, $3, $3, $3, $3)`,
		org, partner, env.Clock.Now().AddDate(0, 0, -3)); err != nil {
		t.Fatal(err)
	}
	r := &invoice.Runner{Store: env.Store, Files: env.Files, Keys: env.Config.PayoutKeys, Now: env.Clock.Now, Log: env.Log}
	p, _ := invoice.ForRun(invoice.Manual, invoice.Location("Europe/Berlin"), env.Clock.Now(), "")
	if _, err := r.Run(ctx, org, p); err != nil {
		t.Fatal(err)
	}
	id := invCount(t, env, `SELECT id FROM invoices WHERE partner_id = $1`, partner)
	if n := invCount(t, env, `SELECT count(*) FROM invoices WHERE id = $1 AND NOT payout_details_missing AND payout_masked LIKE '%3000%'`, id); n != 1 {
		t.Error("the invoice does not carry the masked payout method")
	}
	resp := staff.Post("/console/payouts", url.Values{"id": {strconv.FormatInt(id, 10)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create batch: %d", resp.StatusCode)
	}
	batch := resp.Header.Get("Location")
	sepa := staff.Get(batch + "/sepa.xml")
	if sepa.StatusCode != http.StatusOK || !strings.Contains(sepa.Body, "<IBAN>DE89370400440532013000</IBAN>") ||
		!strings.Contains(sepa.Body, `<InstdAmt Ccy="EUR">500.00</InstdAmt>`) || !strings.Contains(sepa.Body, "<Nm>Zoe Muller-Lukasiewicz</Nm>") {
		t.Fatalf("SEPA file: %d\n%s", sepa.StatusCode, sepa.Body)
	}
	path := filepath.Join(t.TempDir(), "sepa.xml")
	_ = os.WriteFile(path, []byte(sepa.Body), 0o600)
	if out, err := exec.Command("xmllint", "--noout", "--schema", "invoice/testdata/pain.001.001.10.xsd", path).CombinedOutput(); err != nil {
		t.Fatalf("schema: %v %s", err, out)
	}
	if r := staff.Post(batch+"/paid", url.Values{"paid_on": {""}, "reference": {"B1"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("batch paid without a date: %d", r.StatusCode)
	}
	if r := staff.Post(batch+"/paid", url.Values{"paid_on": {env.Clock.Now().Format("2006-01-02")}, "reference": {"SEPA-BATCH-1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("batch paid: %d", r.StatusCode)
	}
	if n := invCount(t, env, `SELECT count(*) FROM invoices WHERE id = $1 AND status = 'paid' AND payment_reference = 'SEPA-BATCH-1'`, id); n != 1 {
		t.Error("the batch's invoice is not paid")
	}
}

func invCount(t *testing.T, env *apptest.Env, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.Store.Pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
