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

	"partnerportal/app/config"
	"partnerportal/queries"
	"partnerportal/workers"
)

// TestCommissionWorkerChild is the worker process TestCommissionWorkerKill9
// starts and kills; on its own it does nothing.
func TestCommissionWorkerChild(t *testing.T) {
	if os.Getenv("KILL_TEST_DB") == "" {
		t.Skip("run by TestCommissionWorkerKill9")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	pool, err := pgxpool.New(ctx, os.Getenv("KILL_TEST_DB"))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := strconv.Atoi(os.Getenv("KILL_TEST_REDIS_DB"))
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("KILL_TEST_REDIS_ADDR"), DB: db})
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	d := &workers.Deps{Store: queries.NewStore(pool), Redis: rdb, Config: cfg, Log: log,
		Mailer: &workers.SMTPMailer{URL: cfg.SMTPURL, From: cfg.SMTPFrom}}
	srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 4, TaskCheckInterval: 20 * time.Millisecond,
		DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second}, log)
	if err := srv.Start(workers.NewMux(d)); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done() // killed with SIGKILL long before this
}

// TestCommissionWorkerKill9: a worker process is killed with SIGKILL in the
// middle of a batch of won leads. Its open transactions roll back, Asynq
// hands its tasks to another worker once their lease has expired, and in
// the end every lead has exactly one commission. Takes about a minute and a
// half (Asynq's lease and recovery intervals); skipped with -short.
func TestCommissionWorkerKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for Asynq's lease to expire")
	}
	d, rdb, queue := commissionDeps(t)
	const n = 1000
	leads := wonLeads(t, d, n)
	// Batches of 10 events (one transaction each): the kill lands between
	// and inside batches.
	if got, err := workers.RelayOutboxBatches(context.Background(), d.Store, queue, n, 10, d.Clock.Now()); err != nil || got != n {
		t.Fatalf("relayed %d, %v", got, err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestCommissionWorkerChild$", "-test.v")
	child.Env = append(os.Environ(), "KILL_TEST_DB="+d.Store.Pool.Config().ConnString(),
		"KILL_TEST_REDIS_ADDR="+rdb.Options().Addr, "KILL_TEST_REDIS_DB="+strconv.Itoa(rdb.Options().DB))
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	done := func() int64 {
		return count(t, d.Store, "SELECT count(*) FROM commissions WHERE lead_id = ANY($1)", leads)
	}
	deadline := time.Now().Add(30 * time.Second)
	for done() < n/10 {
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatal("the worker process wrote no commissions in 30 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = child.Wait()
	atKill := done()
	if atKill >= n {
		t.Fatalf("the worker finished all %d events before it was killed; the test proves nothing", n)
	}
	t.Logf("killed after %d of %d commissions", atKill, n)

	// A new worker takes over; tasks the dead one held come back when their
	// lease has expired.
	srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 4, TaskCheckInterval: 50 * time.Millisecond,
		DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second,
		RetryDelay: func(int, error, *asynq.Task) time.Duration { return 100 * time.Millisecond }}, d.Log)
	if err := srv.Start(workers.NewMux(d)); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	deadline = time.Now().Add(150 * time.Second)
	for done() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d commissions 150 s after the kill", done(), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if dup := count(t, d.Store, "SELECT count(*) - count(DISTINCT lead_id) FROM commissions WHERE lead_id = ANY($1)", leads); dup != 0 {
		t.Fatalf("%d leads with a second commission", dup)
	}
	if bad := count(t, d.Store, "SELECT count(*) FROM commissions WHERE lead_id = ANY($1) AND amount_minor <> 270000", leads); bad != 0 {
		t.Fatalf("%d commissions with a wrong amount", bad)
	}
	fmt.Fprintf(os.Stderr, "kill -9: %d of %d done at the kill, all %d exactly once after recovery\n", atKill, n, n)
}
