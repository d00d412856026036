package workers_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"partnerportal/app/apptest"
	"partnerportal/app/config"
	"partnerportal/app/invoice"
	"partnerportal/app/storage"
	"partnerportal/queries"
	"partnerportal/workers"
)

// invoiceDeps are a worker's dependencies with a file store and payout keys.
func invoiceDeps(t *testing.T) (*workers.Deps, *redis.Client, *asynq.Client) {
	t.Helper()
	d, rdb, queue := commissionDeps(t)
	files, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d.Files = files
	d.Config.PayoutKeys = apptest.PayoutKeys
	return d, rdb, queue
}

// manyPartners adds n Acme partners with three approved commissions each
// (one a clawback), approved 40 days before the clock; the demo's approved
// commissions are set aside (paid).
func manyPartners(t *testing.T, d *workers.Deps, n int) int64 {
	t.Helper()
	ctx := context.Background()
	var org int64
	if err := d.Store.Pool.QueryRow(ctx, `SELECT id FROM organizations WHERE slug = 'acme'`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	at := d.Clock.Now().AddDate(0, 0, -40)
	steps := []struct {
		sql  string
		args []any
	}{
		{`UPDATE commissions SET status = 'paid', paid_at = approved_at WHERE status = 'approved'`, nil},
		{`INSERT INTO partners (organization_id, name) SELECT $1, 'Kill Partner ' || g FROM generate_series(1, $2::int) g`, []any{org, n}},
		{`INSERT INTO commissions (organization_id, partner_id, kind, amount_minor, currency, basis_minor, rate_bps, status, earning_key,
			reason, earned_at, approvable_at, approved_at, created_at, updated_at)
		 SELECT p.organization_id, p.id, k.kind, k.amount, 'USD', 0, 0, 'approved', 'kill:' || p.id || ':' || k.n,
			CASE WHEN k.kind = 'adjustment' THEN 'Clawback' ELSE '' END, $2, $2, $2, $2, $2
		 FROM partners p, (VALUES (1, 'spiff', 50000), (2, 'training_bonus', 25000), (3, 'adjustment', -5000)) k(n, kind, amount)
		 WHERE p.organization_id = $1 AND p.name LIKE 'Kill Partner %'`, []any{org, at}},
	}
	for _, s := range steps {
		if _, err := d.Store.Pool.Exec(ctx, s.sql, s.args...); err != nil {
			t.Fatal(err)
		}
	}
	return org
}

// checkInvoices: one invoice per partner (total 700.00), numbers 1..n
// without gaps, every commission on exactly one live line, every PDF made.
func checkInvoices(t *testing.T, d *workers.Deps, org int64, partners int) {
	t.Helper()
	for _, c := range []struct {
		what string
		sql  string
		want int64
	}{
		{"invoices", `SELECT count(*) FROM invoices WHERE organization_id = $1`, int64(partners)},
		{"highest number", `SELECT coalesce(max(sequence), 0) FROM invoices WHERE organization_id = $1`, int64(partners)},
		{"distinct numbers", `SELECT count(DISTINCT sequence) FROM invoices WHERE organization_id = $1`, int64(partners)},
		{"partners with two invoices", `SELECT count(*) FROM (SELECT partner_id FROM invoices WHERE organization_id = $1 GROUP BY partner_id HAVING count(*) > 1) x`, 0},
		{"wrong totals", `SELECT count(*) FROM invoices WHERE organization_id = $1 AND total_minor <> 70000`, 0},
		{"commissions on no invoice", `SELECT count(*) FROM commissions c WHERE c.organization_id = $1 AND c.status = 'approved'
			AND NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.organization_id = c.organization_id AND l.commission_id = c.id AND l.live)`, 0},
		{"commissions on two invoices", `SELECT count(*) FROM (SELECT commission_id FROM invoice_lines WHERE organization_id = $1 AND live GROUP BY commission_id HAVING count(*) > 1) x`, 0},
		{"invoices without a PDF", `SELECT count(*) FROM invoices WHERE organization_id = $1 AND pdf_key = ''`, 0},
	} {
		if got := count(t, d.Store, c.sql, org); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
}

func TestInvoiceRunTaskTwiceAndSchedule(t *testing.T) {
	d, _, queue := invoiceDeps(t)
	org := manyPartners(t, d, 30)
	ctx := context.Background()
	// The scheduler enqueues one run per organization for its closed period.
	n, err := workers.ScheduleInvoiceRuns(ctx, d.Store, queue, d.Clock.Now())
	if err != nil || n != 2 {
		t.Fatalf("scheduled %d: %v", n, err)
	}
	if n, _ := workers.ScheduleInvoiceRuns(ctx, d.Store, queue, d.Clock.Now()); n != 0 {
		t.Errorf("a second tick enqueued %d runs while the first are queued", n)
	}
	p, _ := invoice.LastClosed(invoice.Monthly, invoice.Location("America/New_York"), d.Clock.Now())
	mux := workers.NewMux(d)
	for range 2 {
		if err := mux.ProcessTask(ctx, workers.NewInvoiceRunTask(org, p)); err != nil {
			t.Fatal(err)
		}
	}
	checkInvoices(t, d, org, 30)
	if err := mux.ProcessTask(ctx, asynq.NewTask(workers.TypeInvoiceRun, []byte("{"))); err == nil || !isSkipRetry(err) {
		t.Errorf("bad payload: %v", err)
	}
	// Once each period's run has finished, the scheduler leaves it alone.
	var initech int64
	_ = d.Store.Pool.QueryRow(ctx, `SELECT id FROM organizations WHERE slug = 'initech'`).Scan(&initech)
	pb, _ := invoice.LastClosed(invoice.Monthly, invoice.Location("Europe/Berlin"), d.Clock.Now())
	if err := mux.ProcessTask(ctx, workers.NewInvoiceRunTask(initech, pb)); err != nil {
		t.Fatal(err)
	}
	inspector := asynq.NewInspectorFromRedisClient(d.Redis)
	_, _ = inspector.DeleteAllPendingTasks(workers.QueueDefault)
	if n, err := workers.ScheduleInvoiceRuns(ctx, d.Store, queue, d.Clock.Now()); err != nil || n != 0 {
		t.Errorf("finished periods scheduled again: %d %v", n, err)
	}
}

// TestInvoiceRunTwoWorkers: two worker servers take the same run (enqueued
// twice under different ids, as two operators might) at the same time.
func TestInvoiceRunTwoWorkers(t *testing.T) {
	d, rdb, queue := invoiceDeps(t)
	org := manyPartners(t, d, 200)
	p, _ := invoice.LastClosed(invoice.Monthly, invoice.Location("America/New_York"), d.Clock.Now())
	for i := range 2 {
		srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 2, TaskCheckInterval: 20 * time.Millisecond,
			DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second}, d.Log)
		if err := srv.Start(workers.NewMux(d)); err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown()
		task := workers.NewInvoiceRunTask(org, p)
		if _, err := queue.Enqueue(task, asynq.TaskID(fmt.Sprintf("twin-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(120 * time.Second)
	for count(t, d.Store, `SELECT count(*) FROM invoices WHERE organization_id = $1 AND pdf_key <> ''`, org) < 200 {
		if time.Now().After(deadline) {
			t.Fatal("the runs did not finish in 120 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // the slower twin finishes too
	checkInvoices(t, d, org, 200)
}

// TestInvoiceWorkerChild is the worker process TestInvoiceRunKill9 starts
// and kills; on its own it does nothing.
func TestInvoiceWorkerChild(t *testing.T) {
	if os.Getenv("INVOICE_KILL_DB") == "" {
		t.Skip("run by TestInvoiceRunKill9")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	pool, err := pgxpool.New(ctx, os.Getenv("INVOICE_KILL_DB"))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := strconv.Atoi(os.Getenv("INVOICE_KILL_REDIS_DB"))
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("INVOICE_KILL_REDIS_ADDR"), DB: db})
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg.PayoutKeys = apptest.PayoutKeys
	files, err := storage.NewLocal(os.Getenv("INVOICE_KILL_FILES"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	d := &workers.Deps{Store: queries.NewStore(pool), Redis: rdb, Config: cfg, Log: log, Files: files,
		Mailer: &workers.SMTPMailer{URL: cfg.SMTPURL, From: cfg.SMTPFrom}}
	srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 2, TaskCheckInterval: 20 * time.Millisecond,
		DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second}, log)
	if err := srv.Start(workers.NewMux(d)); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done() // killed with SIGKILL long before this
}

// TestInvoiceRunKill9: the worker process running an invoice run is killed
// with SIGKILL in the middle. Its open transaction rolls back (its number is
// given back), Asynq hands the task to another worker once the lease has
// expired, and in the end every partner has exactly one invoice, numbers
// run without gaps, every commission is on exactly one invoice and every
// invoice has its PDF. About a minute and a half; skipped with -short.
func TestInvoiceRunKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for Asynq's lease to expire")
	}
	d, rdb, queue := invoiceDeps(t)
	const n = 400
	org := manyPartners(t, d, n)
	p, _ := invoice.LastClosed(invoice.Monthly, invoice.Location("America/New_York"), d.Clock.Now())
	if _, err := queue.Enqueue(workers.NewInvoiceRunTask(org, p)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, _ := storage.NewLocal(dir)
	d.Files = files // the new worker writes where the killed one did
	child := exec.Command(os.Args[0], "-test.run=^TestInvoiceWorkerChild$", "-test.v")
	child.Env = append(os.Environ(), "INVOICE_KILL_DB="+d.Store.Pool.Config().ConnString(), "INVOICE_KILL_FILES="+dir,
		"INVOICE_KILL_REDIS_ADDR="+rdb.Options().Addr, "INVOICE_KILL_REDIS_DB="+strconv.Itoa(rdb.Options().DB))
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	made := func() int64 {
		return count(t, d.Store, `SELECT count(*) FROM invoices WHERE organization_id = $1`, org)
	}
	deadline := time.Now().Add(60 * time.Second)
	for made() < n/20 {
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatal("the worker process made no invoices in 60 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = child.Wait()
	atKill := made()
	if atKill >= n {
		t.Fatalf("the run finished all %d invoices before the kill; the test proves nothing", n)
	}
	t.Logf("killed after %d of %d invoices", atKill, n)
	srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 2, TaskCheckInterval: 50 * time.Millisecond,
		DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second,
		RetryDelay: func(int, error, *asynq.Task) time.Duration { return 100 * time.Millisecond }}, d.Log)
	if err := srv.Start(workers.NewMux(d)); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	deadline = time.Now().Add(300 * time.Second)
	for count(t, d.Store, `SELECT count(*) FROM invoice_runs WHERE organization_id = $1 AND finished_at IS NOT NULL`, org) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d invoices 300 s after the kill, run not finished", made(), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkInvoices(t, d, org, n)
	fmt.Fprintf(os.Stderr, "invoice kill -9: %d of %d invoices at the kill, all %d exactly once after recovery\n", atKill, n, n)
}
