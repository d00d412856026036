package invoice_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/app/invoice"
	"partnerportal/app/storage"
	"partnerportal/app/vault"
	"partnerportal/queries"
)

type fixture struct {
	store   *queries.Store
	runner  *invoice.Runner
	files   *storage.Local
	org     int64 // Acme Cloud (America/New_York, USD)
	partner int64 // Northwind Agency
	now     time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := apptest.NewStore(t)
	files, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := vault.Parse(vault.NewKeySpec("test"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, files: files, now: time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)}
	f.runner = &invoice.Runner{Store: store, Files: files, Keys: keys, Now: func() time.Time { return f.now },
		Log: slog.New(slog.DiscardHandler)}
	if err := store.Pool.QueryRow(context.Background(), `SELECT p.organization_id, p.id FROM partners p WHERE p.name = 'Northwind Agency'`).Scan(&f.org, &f.partner); err != nil {
		t.Fatal(err)
	}
	// The demo data's commissions are left out: each test makes its own.
	f.exec(t, `UPDATE commissions SET status = 'paid', paid_at = approved_at WHERE status = 'approved'`)
	return f
}

func (f *fixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.store.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.store.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var keySeq int

// approved adds an approved commission approved at `at`.
func (f *fixture) approved(t *testing.T, org, partner int64, kind string, amount int64, currency string, at time.Time, adjusts *int64) int64 {
	t.Helper()
	keySeq++
	var id int64
	reason := ""
	if kind == "adjustment" {
		reason = "Correction"
	}
	if err := f.store.Pool.QueryRow(context.Background(), `INSERT INTO commissions (organization_id, partner_id, kind, amount_minor,
		currency, basis_minor, rate_bps, status, earning_key, adjusts_id, reason, earned_at, approvable_at, approved_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'approved', $8, $9, $10, $11, $11, $11, $11, $11) RETURNING id`,
		org, partner, kind, amount, currency, amount*100/15, 1500, fmt.Sprintf("test:%d:%d", keySeq, time.Now().UnixNano()),
		adjusts, reason, at).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// checkExact: every approved or paid commission approved before the close
// is on exactly one live invoice line (unless carried over), numbers run
// 1..n without gaps, one live invoice per partner, currency and period.
func (f *fixture) checkExact(t *testing.T) {
	t.Helper()
	if n := f.count(t, `SELECT count(*) FROM (SELECT commission_id FROM invoice_lines WHERE live GROUP BY commission_id HAVING count(*) > 1) x`); n != 0 {
		t.Errorf("%d commissions on two live invoices", n)
	}
	if n := f.count(t, `SELECT count(*) FROM (SELECT organization_id, count(*) AS n, max(sequence) AS m FROM invoices GROUP BY organization_id) x WHERE n <> m`); n != 0 {
		t.Errorf("invoice numbers with gaps in %d organizations", n)
	}
	if n := f.count(t, `SELECT count(*) FROM (SELECT 1 FROM invoices WHERE status <> 'void' GROUP BY organization_id, partner_id, currency, period_key HAVING count(*) > 1) x`); n != 0 {
		t.Errorf("%d partner periods with two live invoices", n)
	}
	if n := f.count(t, `SELECT count(*) FROM invoices i WHERE total_minor <> (SELECT sum(amount_minor) FROM invoice_lines l WHERE l.organization_id = i.organization_id AND l.invoice_id = i.id)`); n != 0 {
		t.Errorf("%d invoices whose total is not the sum of their lines", n)
	}
}

func TestRunMakesOneInvoicePerPartnerCurrencyAndPeriod(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	oct := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	ids := []int64{
		f.approved(t, f.org, f.partner, "revenue_share", 270_000, "USD", oct, nil),
		f.approved(t, f.org, f.partner, "revenue_share", 30_000, "USD", oct, nil),
		f.approved(t, f.org, f.partner, "revenue_share", 50_000, "EUR", oct, nil),
	}
	// A clawback nets against them.
	f.approved(t, f.org, f.partner, "adjustment", -20_000, "USD", oct, &ids[0])
	// Approved after the close: next run.
	late := f.approved(t, f.org, f.partner, "revenue_share", 10_000, "USD", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), nil)

	p, err := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	if err != nil || p.Key != "2026-11" {
		t.Fatalf("period %+v %v", p, err)
	}
	for i := range 2 { // the second run changes nothing
		res, err := f.runner.Run(ctx, f.org, p)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && (res.Invoices != 2 || res.PDFs != 2) {
			t.Fatalf("first run: %+v", res)
		}
		if i == 1 && (res.Invoices != 0 || res.PDFs != 0) {
			t.Fatalf("second run: %+v", res)
		}
	}
	f.checkExact(t)
	if got := f.count(t, `SELECT total_minor FROM invoices WHERE partner_id = $1 AND currency = 'USD'`, f.partner); got != 280_000 {
		t.Errorf("USD total %d, want 280000 (2,700 + 300 − 200)", got)
	}
	if got := f.count(t, `SELECT total_minor FROM invoices WHERE partner_id = $1 AND currency = 'EUR'`, f.partner); got != 50_000 {
		t.Errorf("EUR total %d", got)
	}
	if n := f.count(t, `SELECT count(*) FROM invoice_lines WHERE commission_id = $1`, late); n != 0 {
		t.Error("a commission approved after the close was invoiced")
	}
	var number, key string
	if err := f.store.Pool.QueryRow(ctx, `SELECT number, pdf_key FROM invoices WHERE partner_id = $1 AND sequence = 1`, f.partner).Scan(&number, &key); err != nil {
		t.Fatal(err)
	}
	if number != "INV-2026-0001" || key != "org/"+fmt.Sprint(f.org)+"/invoices/inv-2026-0001.pdf" {
		t.Errorf("number %q key %q", number, key)
	}
	if _, err := f.files.Stat(ctx, key); err != nil {
		t.Errorf("PDF not stored: %v", err)
	}
	// No payout details: flagged, and the admins told (issued + missing).
	if n := f.count(t, `SELECT count(*) FROM invoices WHERE payout_details_missing`); n != 2 {
		t.Errorf("%d invoices flagged as missing payout details", n)
	}
	if n := f.count(t, `SELECT count(*) FROM notifications WHERE link = '/manage/payout' AND body LIKE '%payout details are missing%'`); n != 2 {
		t.Errorf("%d payout-details notifications (one admin, two invoices)", n)
	}
	// The next month's run takes the late one, numbered 3.
	f.now = time.Date(2027, 1, 2, 15, 0, 0, 0, time.UTC)
	p2, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	if _, err := f.runner.Run(ctx, f.org, p2); err != nil {
		t.Fatal(err)
	}
	if got := f.count(t, `SELECT sequence FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.commission_id = $1`, late); got != 3 {
		t.Errorf("late commission on invoice %d", got)
	}
	var n2 string
	_ = f.store.Pool.QueryRow(ctx, `SELECT number FROM invoices WHERE sequence = 3 AND organization_id = $1`, f.org).Scan(&n2)
	if n2 != "INV-2027-0003" {
		t.Errorf("number %q: the sequence runs on across years", n2)
	}
	f.checkExact(t)
}

func TestRunTwoWorkersAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	oct := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	// Forty partners with two commissions each.
	for i := range 40 {
		var p int64
		if err := f.store.Pool.QueryRow(ctx, `INSERT INTO partners (organization_id, name) VALUES ($1, $2) RETURNING id`, f.org, fmt.Sprintf("Race Partner %d", i)).Scan(&p); err != nil {
			t.Fatal(err)
		}
		f.approved(t, f.org, p, "revenue_share", 10_000+int64(i), "USD", oct, nil)
		f.approved(t, f.org, p, "spiff", 5_000, "USD", oct, nil)
	}
	p, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := *f.runner
			_, errs[i] = r.Run(ctx, f.org, p)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.checkExact(t)
	if n := f.count(t, `SELECT count(*) FROM invoices WHERE organization_id = $1`, f.org); n != 40 {
		t.Errorf("%d invoices, want 40", n)
	}
	if n := f.count(t, `SELECT count(*) FROM commissions c WHERE c.organization_id = $1 AND c.status = 'approved'
		AND NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.commission_id = c.id AND l.live)`, f.org); n != 0 {
		t.Errorf("%d approved commissions on no invoice", n)
	}
	if n := f.count(t, `SELECT count(*) FROM invoices WHERE organization_id = $1 AND pdf_key = ''`, f.org); n != 0 {
		t.Errorf("%d invoices without a PDF", n)
	}
}

func TestVoidReturnsCommissionsToTheNextRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.approved(t, f.org, f.partner, "revenue_share", 100_000, "USD", time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), nil)
	p, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	if _, err := f.runner.Run(ctx, f.org, p); err != nil {
		t.Fatal(err)
	}
	id := f.count(t, `SELECT id FROM invoices WHERE partner_id = $1`, f.partner)
	if err := f.store.Tx(ctx, func(q *queries.Queries) error {
		return invoice.Void(ctx, q, f.org, id, "Wrong period", nil, f.now)
	}); err != nil {
		t.Fatal(err)
	}
	// Voiding twice is refused; a void invoice cannot be paid.
	err := f.store.Tx(ctx, func(q *queries.Queries) error { return invoice.Void(ctx, q, f.org, id, "again", nil, f.now) })
	if err != invoice.ErrNotPending {
		t.Errorf("second void: %v", err)
	}
	if st := f.count(t, `SELECT count(*) FROM commissions WHERE id = $1 AND status = 'approved'`, c); st != 1 {
		t.Error("the commission is not approved after the void")
	}
	// The same period again (ops re-run): a new invoice, the next number.
	if _, err := f.runner.Run(ctx, f.org, p); err != nil {
		t.Fatal(err)
	}
	if got := f.count(t, `SELECT i.sequence FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id AND l.live WHERE l.commission_id = $1`, c); got != 2 {
		t.Errorf("re-invoiced on %d, want 2", got)
	}
	f.checkExact(t)
	// Paying it pays the commission; a paid invoice cannot be voided.
	id2 := f.count(t, `SELECT id FROM invoices WHERE sequence = 2 AND organization_id = $1`, f.org)
	if err := f.store.Tx(ctx, func(q *queries.Queries) error {
		_, err := invoice.MarkPaid(ctx, q, f.org, id2, f.now, "WIRE-1", nil, f.now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st := f.count(t, `SELECT count(*) FROM commissions WHERE id = $1 AND status = 'paid'`, c); st != 1 {
		t.Error("the commission is not paid")
	}
	if err := f.store.Tx(ctx, func(q *queries.Queries) error { return invoice.Void(ctx, q, f.org, id2, "late", nil, f.now) }); err != invoice.ErrNotPending {
		t.Errorf("void of a paid invoice: %v", err)
	}
}

func TestMinimumCarriesOver(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.exec(t, `INSERT INTO invoice_minimums (organization_id, currency, amount_minor) VALUES ($1, 'USD', 50000)`, f.org)
	f.approved(t, f.org, f.partner, "revenue_share", 30_000, "USD", time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), nil)
	p, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	res, err := f.runner.Run(ctx, f.org, p)
	if err != nil || res.Invoices != 0 || res.CarriedOver != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	// Next month it is above the minimum with the new commission.
	f.approved(t, f.org, f.partner, "revenue_share", 25_000, "USD", time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), nil)
	f.now = time.Date(2027, 1, 2, 15, 0, 0, 0, time.UTC)
	p2, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	res, err = f.runner.Run(ctx, f.org, p2)
	if err != nil || res.Invoices != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if got := f.count(t, `SELECT total_minor FROM invoices WHERE partner_id = $1`, f.partner); got != 55_000 {
		t.Errorf("total %d, want 55000", got)
	}
}

func TestCreditNoteCorrectsAPaidInvoice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.approved(t, f.org, f.partner, "revenue_share", 100_000, "USD", time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), nil)
	p, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	if _, err := f.runner.Run(ctx, f.org, p); err != nil {
		t.Fatal(err)
	}
	id := f.count(t, `SELECT id FROM invoices WHERE partner_id = $1`, f.partner)
	if err := f.store.Tx(ctx, func(q *queries.Queries) error {
		_, err := invoice.MarkPaid(ctx, q, f.org, id, f.now, "WIRE-7", nil, f.now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The deal was refunded after payment: a clawback, approved in December.
	f.approved(t, f.org, f.partner, "adjustment", -40_000, "USD", time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC), &c)
	f.now = time.Date(2027, 1, 2, 15, 0, 0, 0, time.UTC)
	p2, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	res, err := f.runner.Run(ctx, f.org, p2)
	if err != nil || res.CreditNotes != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	var kind, number string
	var total, credits int64
	if err := f.store.Pool.QueryRow(ctx, `SELECT kind, number, total_minor, credits_invoice_id FROM invoices WHERE sequence = 2 AND organization_id = $1`, f.org).
		Scan(&kind, &number, &total, &credits); err != nil {
		t.Fatal(err)
	}
	if kind != "credit_note" || total != -40_000 || credits != id || number != "INV-2027-0002" {
		t.Errorf("credit note %s %s %d credits %d (want %d)", kind, number, total, credits, id)
	}
	// The paid invoice is unchanged.
	if got := f.count(t, `SELECT total_minor FROM invoices WHERE id = $1 AND status = 'paid'`, id); got != 100_000 {
		t.Errorf("paid invoice changed: %d", got)
	}
	f.checkExact(t)
}

func TestDueDatesInTheOrganizationsZone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.exec(t, `INSERT INTO invoice_settings (organization_id, net_days, number_prefix) VALUES ($1, 15, 'ACME')`, f.org)
	f.approved(t, f.org, f.partner, "revenue_share", 10_000, "USD", time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), nil)
	// 03:00 UTC on 1 December is still 30 November in New York: November
	// has not closed there, the last closed month is October.
	f.now = time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	p, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "")
	if p.Key != "2026-10" {
		t.Fatalf("period %s, want 2026-10", p.Key)
	}
	if _, err := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), f.now, "2026-11"); err == nil {
		t.Error("November accepted before it closed in New York")
	}
	if _, err := f.runner.Run(ctx, f.org, p); err != nil {
		t.Fatal(err)
	}
	var issued, due time.Time
	var number string
	if err := f.store.Pool.QueryRow(ctx, `SELECT issued_on, due_on, number FROM invoices WHERE partner_id = $1`, f.partner).Scan(&issued, &due, &number); err != nil {
		t.Fatal(err)
	}
	if issued.Format("2006-01-02") != "2026-11-30" || due.Format("2006-01-02") != "2026-12-15" || number != "ACME-2026-0001" {
		t.Errorf("issued %s due %s number %s", issued.Format("2006-01-02"), due.Format("2006-01-02"), number)
	}
	// Twice a month: on the 16th the first half has closed.
	half, _ := invoice.LastClosed(invoice.TwiceMonthly, invoice.Location("Europe/Berlin"), time.Date(2026, 12, 15, 23, 30, 0, 0, time.UTC))
	if half.Key != "2026-12-1" || !half.End.Equal(time.Date(2026, 12, 15, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("half %+v", half)
	}
	if _, ok := invoice.LastClosed(invoice.Manual, time.UTC, f.now); ok {
		t.Error("a manual program has a closed period")
	}
}

func TestReverseCharge(t *testing.T) {
	for _, c := range []struct {
		v, p string
		want bool
	}{{"DE", "FR", true}, {"DE", "DE", false}, {"DE", "CH", false}, {"US", "FR", false}, {"", "FR", false}} {
		if got := invoice.ReverseCharge(c.v, c.p); got != c.want {
			t.Errorf("%s→%s: %v", c.v, c.p, got)
		}
	}
}

// TestDraftInvoiceCannotBeCommitted: the run writes an invoice as a draft
// and numbers it last; a transaction that commits a draft is refused by the
// deferred constraint trigger, so a number is never skipped or missing.
func TestDraftInvoiceCannotBeCommitted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	insert := `INSERT INTO invoices (organization_id, partner_id, sequence, number, currency, period_key, period_label,
		issued_on, due_on, total_minor, line_count, vendor_name, vendor_address, vendor_tax_id, vendor_country,
		partner_name, partner_address, partner_tax_id, partner_country, created_at)
		VALUES ($1, $2, $3, $4, 'USD', '2031-01', 'January 2031', '2031-02-01', '2031-03-03', 100, 0, 'v', '', '', '',
		'p', '', '', '', $5) RETURNING id`
	// A draft left as it is: the commit fails and nothing stays.
	tx, err := f.store.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := tx.QueryRow(ctx, insert, f.org, f.partner, -42, "draft-42", f.now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err == nil || !strings.Contains(err.Error(), "was not numbered") {
		t.Fatalf("committing a draft: %v, want the numbering check", err)
	}
	if n := f.count(t, `SELECT count(*) FROM invoices WHERE period_key = '2031-01'`); n != 0 {
		t.Fatalf("%d draft invoices committed", n)
	}
	// A negative sequence without the draft number is refused at once.
	if _, err := f.store.Pool.Exec(ctx, insert, f.org, f.partner, -43, "ACME-2031-0043", f.now); err == nil {
		t.Fatal("a negative sequence with a real number was accepted")
	}
	// Numbered in the same transaction: committed.
	tx, err = f.store.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, insert, f.org, f.partner, -44, "draft-44", f.now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE invoices SET sequence = 9044, number = 'ACME-2031-9044' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("a numbered invoice: %v", err)
	}
}
