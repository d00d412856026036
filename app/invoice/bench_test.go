package invoice_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/app/invoice"
	"partnerportal/app/storage"
	"partnerportal/workers"
)

// TestInvoiceRunScale measures an invoice run at scale in one process:
// INVOICE_BENCH=N partners (default off; the figure is 10000) with
// INVOICE_BENCH_PER (default 100) approved commissions each, one of them a
// clawback, in Acme. It reports the run's time, invoices/s, the PDF render
// time p50/p99 and the process's peak RSS, then the p95 of the partner and
// console invoice lists over HTTP. It asserts only correctness (one invoice
// per partner, every commission invoiced). Figures: docs/BENCHMARKS.md.
//
// The case (10,000 partners, 1M commissions) needs more than go
// test's default 10 minutes on a loaded machine:
//
//	INVOICE_BENCH=10000 go test ./app/invoice -run TestInvoiceRunScale -v -timeout 60m
func TestInvoiceRunScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("INVOICE_BENCH"))
	if n <= 0 {
		t.Skip("set INVOICE_BENCH=10000 to measure")
	}
	per := 100
	if v, err := strconv.Atoi(os.Getenv("INVOICE_BENCH_PER")); err == nil && v > 1 {
		per = v
	}
	store := apptest.NewStore(t)
	ctx := context.Background()
	var org int64
	if err := store.Pool.QueryRow(ctx, `SELECT id FROM organizations WHERE slug = 'acme'`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	at := now.AddDate(0, 0, -40)
	start := time.Now()
	for _, step := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE commissions SET status = 'paid', paid_at = approved_at WHERE status = 'approved'`, nil},
		{`INSERT INTO partners (organization_id, name) SELECT $1, 'Scale Partner ' || g FROM generate_series(1, $2::int) g`, []any{org, n}},
		{`INSERT INTO commissions (organization_id, partner_id, kind, amount_minor, currency, basis_minor, rate_bps, status, earning_key,
			reason, earned_at, approvable_at, approved_at, created_at, updated_at)
		  SELECT p.organization_id, p.id, CASE WHEN g = 1 THEN 'adjustment' ELSE 'revenue_share' END,
			CASE WHEN g = 1 THEN -1000 ELSE 15000 + g END, 'USD', CASE WHEN g = 1 THEN 0 ELSE 100000 + g END,
			CASE WHEN g = 1 THEN 0 ELSE 1500 END, 'approved', 'scale:' || p.id || ':' || g,
			CASE WHEN g = 1 THEN 'Clawback' ELSE '' END, $2, $2, $2, $2, $2
		  FROM partners p, generate_series(1, $3::int) g
		  WHERE p.organization_id = $1 AND p.name LIKE 'Scale Partner %'`, []any{org, at, per}},
		{`ANALYZE partners, commissions`, nil},
	} {
		if _, err := store.Pool.Exec(ctx, step.sql, step.args...); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d partners, %d commissions written in %v", n, n*per, time.Since(start).Round(time.Millisecond))

	files, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var pdfs []time.Duration
	r := &invoice.Runner{Store: store, Files: files, Keys: apptest.PayoutKeys, Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler), OnPDF: func(d time.Duration) { mu.Lock(); pdfs = append(pdfs, d); mu.Unlock() }}
	p, _ := invoice.ForRun(invoice.Monthly, invoice.Location("America/New_York"), now, "")
	workers.TuneGC() // as `portal worker` does
	start = time.Now()
	res, err := r.Run(ctx, org, p)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var got, open int64
	_ = store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE organization_id = $1 AND pdf_key <> ''`, org).Scan(&got)
	_ = store.Pool.QueryRow(ctx, `SELECT count(*) FROM commissions c WHERE c.organization_id = $1 AND c.status = 'approved'
		AND NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.organization_id = c.organization_id AND l.commission_id = c.id AND l.live)`, org).Scan(&open)
	if got < int64(n) || open != 0 || res.Invoices < n {
		t.Fatalf("%d invoices with PDFs for %d partners, %d commissions not invoiced (%+v)", got, n, open, res)
	}
	slices.Sort(pdfs)
	q := func(f float64) time.Duration { return pdfs[int(float64(len(pdfs)-1)*f)] }
	msg := fmt.Sprintf("invoice run: %d partners, %d commissions: %v, %.0f invoices/s; PDF (%d lines) p50 %v p99 %v; peak RSS %d MB",
		n, n*per, elapsed.Round(time.Millisecond), float64(res.Invoices)/elapsed.Seconds(), per,
		q(0.5).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), ru.Maxrss/1024)
	t.Log(msg)
	fmt.Fprintln(os.Stderr, msg)

	// The lists at that scale, over HTTP (server and client on this machine).
	env := apptest.NewEnv(t, apptest.Options{DatabaseURL: store.Pool.Config().ConnString()})
	if _, err := store.Pool.Exec(ctx, `UPDATE organizations SET agreements_enabled = false`); err != nil {
		t.Fatal(err)
	}
	var scaleAdmin string
	if _, err := store.Pool.Exec(ctx, `INSERT INTO users (organization_id, partner_id, email, name, role)
		SELECT organization_id, id, 'admin@scale-partner-1.test', 'Scale Admin', 'partner_admin' FROM partners WHERE name = 'Scale Partner 1'`); err != nil {
		t.Fatal(err)
	}
	scaleAdmin = "admin@scale-partner-1.test"
	var scalePartner int64
	if err := store.Pool.QueryRow(ctx, `SELECT id FROM partners WHERE organization_id = $1 AND name = 'Scale Partner 4242'`, org).Scan(&scalePartner); err != nil {
		scalePartner = 1 // fewer partners than that: any id
	}
	for _, c := range []struct{ who, path string }{
		{scaleAdmin, "/payments/invoices"},
		{scaleAdmin, "/payments/invoices?status=pending&q=2026&sort=amount"},
		{"staff@acme.test", "/console/invoices"},
		{"staff@acme.test", "/console/invoices?status=pending&page=100"},
		{"staff@acme.test", "/console/invoices?partner=" + strconv.FormatInt(scalePartner, 10)},
		{"staff@acme.test", "/console/invoices?partner_q=scale+partner+42"},
	} {
		cl := env.Client(t)
		cl.SignIn(c.who)
		var ds []time.Duration
		for i := range 120 {
			t0 := time.Now()
			resp := cl.Get(c.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", c.path, resp.StatusCode)
			}
			if i >= 20 {
				ds = append(ds, time.Since(t0))
			}
		}
		slices.Sort(ds)
		m := fmt.Sprintf("list %s as %s: p50 %v p95 %v (HTTP round trip)", c.path, c.who, ds[len(ds)/2].Round(10*time.Microsecond),
			ds[len(ds)*95/100].Round(10*time.Microsecond))
		t.Log(m)
		fmt.Fprintln(os.Stderr, m)
	}
}
