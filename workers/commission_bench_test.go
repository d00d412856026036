package workers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/money"
	"partnerportal/workers"
)

// TestCommissionThroughput measures the commission engine in one worker
// process: COMMISSION_BENCH=N won leads (default off), their outbox events
// relayed at once, then one Asynq server (concurrency COMMISSION_BENCH_CONC,
// default 10) until every lead has its commission. It reports events/s and
// the p50/p99 task time (a task is a relay batch of up to
// workers.CommissionBatchSize events); it asserts only correctness (one row
// per lead).
// Figures are in docs/BENCHMARKS.md.
func TestCommissionThroughput(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COMMISSION_BENCH"))
	if n <= 0 {
		t.Skip("set COMMISSION_BENCH=100000 to measure")
	}
	conc := 10
	if v, err := strconv.Atoi(os.Getenv("COMMISSION_BENCH_CONC")); err == nil && v > 0 {
		conc = v
	}
	d, rdb, queue := commissionDeps(t)
	ctx := context.Background()
	if os.Getenv("COMMISSION_BENCH_NO_TOTALS") != "" { // to measure what the totals trigger costs
		if _, err := d.Store.Pool.Exec(ctx, "ALTER TABLE commissions DISABLE TRIGGER commission_totals_insert"); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	// n won Northwind leads and their lead_won events, in bulk.
	if _, err := d.Store.Pool.Exec(ctx, `
		WITH p AS (SELECT organization_id, id FROM partners WHERE name = 'Northwind Agency'),
		l AS (
			INSERT INTO leads (organization_id, partner_id, company, status, stage, currency, revenue_minor, won_at)
			SELECT p.organization_id, p.id, 'Bench ' || g, 'approved', 'won', 'USD', 100000 + g, now()
			FROM p, generate_series(1, $1) g
			RETURNING organization_id, id, partner_id, revenue_minor)
		INSERT INTO outbox_events (organization_id, kind, aggregate_id, payload)
		SELECT l.organization_id, 'lead_won', l.id, jsonb_build_object('lead_id', l.id, 'partner_id', l.partner_id,
			'revenue_minor', l.revenue_minor, 'currency', 'USD', 'tier_name', 'Premium', 'rate_bps', 1500)
		FROM l`, n); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d won leads and events written in %v", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	relayed := 0
	for relayed < n {
		k, err := workers.RelayOutbox(ctx, d.Store, queue, 500, d.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		relayed += k
	}
	relay := time.Since(start)
	t.Logf("relayed %d events in %v (%.0f/s)", n, relay.Round(time.Millisecond), float64(n)/relay.Seconds())

	var mu sync.Mutex
	durations := make([]time.Duration, 0, n)
	events := 0
	mux := workers.NewMux(d)
	timed := asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
		t0 := time.Now()
		err := mux.ProcessTask(ctx, task)
		if task.Type() == workers.TypeCommissionEvent && err == nil {
			var p workers.CommissionEventPayload
			_ = json.Unmarshal(task.Payload(), &p)
			mu.Lock()
			durations = append(durations, time.Since(t0))
			events += len(p.OutboxIDs)
			mu.Unlock()
		}
		return err
	})
	srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: conc, TaskCheckInterval: 50 * time.Millisecond,
		DelayedInterval: 200 * time.Millisecond, ShutdownTimeout: 5 * time.Second}, d.Log)
	start = time.Now()
	if err := srv.Start(timed); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	deadline := time.Now().Add(30 * time.Minute)
	for {
		mu.Lock()
		done := events
		mu.Unlock()
		if done >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events after 30 minutes", done, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	if _, err := d.Store.Pool.Exec(ctx, "ANALYZE leads, commissions"); err != nil { // a plan for the check below
		t.Fatal(err)
	}
	if c := count(t, d.Store, `SELECT count(DISTINCT c.lead_id) FROM commissions c
		JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
		WHERE c.kind = 'revenue_share' AND c.tier_name = 'Premium' AND l.company LIKE 'Bench %'`); c != int64(n) {
		t.Fatalf("%d leads with a commission, want %d", c, n)
	}
	var want int64
	for g := range int64(n) {
		want += money.ApplyBps(100000+g+1, 1500)
	}
	if sum := count(t, d.Store, `SELECT sum(c.amount_minor) FROM commissions c JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
		WHERE l.company LIKE 'Bench %'`); sum != want {
		t.Fatalf("the commissions sum to %d, want %d", sum, want)
	}
	slices.Sort(durations)
	p := func(q float64) time.Duration { return durations[int(float64(len(durations)-1)*q)] }
	msg := fmt.Sprintf("commission engine: %d events in %d tasks (≤%d events each), concurrency %d: %.0f events/s in %v; task p50 %v, p99 %v, max %v",
		n, len(durations), workers.CommissionBatchSize, conc, float64(n)/elapsed.Seconds(), elapsed.Round(time.Millisecond),
		p(0.5).Round(10*time.Microsecond), p(0.99).Round(10*time.Microsecond), durations[len(durations)-1].Round(10*time.Microsecond))
	t.Log(msg)
	fmt.Fprintln(os.Stderr, msg)
}
