package workers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"partnerportal/app/apptest"
	"partnerportal/queries"
	"partnerportal/workers"
)

// wonLeads marks n new Northwind leads Won (18,000.00 each) the way the
// review queue does: the lead and its outbox event in one transaction, at
// the time of the workers' clock.
func wonLeads(t *testing.T, d *workers.Deps, n int) []int64 {
	t.Helper()
	ctx, store, now := context.Background(), d.Store, d.Clock.Now()
	var org, partner int64
	if err := store.Pool.QueryRow(ctx, `SELECT p.organization_id, p.id FROM partners p WHERE p.name = 'Northwind Agency'`).Scan(&org, &partner); err != nil {
		t.Fatal(err)
	}
	var leads []int64
	for i := range n {
		err := store.Tx(ctx, func(q *queries.Queries) error {
			var id int64
			if err := store.Pool.QueryRow(ctx, `INSERT INTO leads (organization_id, partner_id, company, status, stage, currency, created_at, updated_at)
				VALUES ($1, $2, $3, 'approved', 'proposal', 'USD', $4, $4) RETURNING id`, org, partner, fmt.Sprintf("Relay Co %d", i), now).Scan(&id); err != nil {
				return err
			}
			if _, err := q.MarkLeadWon(ctx, queries.MarkLeadWonParams{Now: now, OrganizationID: org, ID: id, RevenueMinor: 1_800_000}); err != nil {
				return err
			}
			leads = append(leads, id)
			_, err := q.CreateLeadWonEvent(ctx, queries.CreateLeadWonEventParams{OrganizationID: org, LeadID: id})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return leads
}

func count(t *testing.T, store *queries.Store, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := store.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// commissionDeps is a worker's dependencies on a fresh database and Redis.
func commissionDeps(t *testing.T) (*workers.Deps, *redis.Client, *asynq.Client) {
	t.Helper()
	inbox := apptest.NewInbox(t)
	d := newDeps(t, inbox.URL)
	rdb := apptest.NewRedis(t)
	d.Redis = rdb
	queue := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { queue.Close() })
	return d, rdb, queue
}

func TestCommissionTaskRunTwice(t *testing.T) {
	d, _, _ := commissionDeps(t)
	leads := wonLeads(t, d, 1)
	outboxID := count(t, d.Store, "SELECT id FROM outbox_events WHERE aggregate_id = $1", leads[0])
	mux := workers.NewMux(d)
	for range 2 {
		if err := mux.ProcessTask(context.Background(), workers.NewCommissionEventTask(outboxID)); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, d.Store, "SELECT count(*) FROM commissions WHERE lead_id = $1", leads[0]); n != 1 {
		t.Fatalf("%d commissions after the task ran twice, want 1", n)
	}
	if a := count(t, d.Store, "SELECT amount_minor FROM commissions WHERE lead_id = $1", leads[0]); a != 270_000 {
		t.Errorf("amount %d, want 270000", a)
	}
	// An event that does not exist, or a payload that cannot be read, is not retried.
	for _, task := range []*asynq.Task{workers.NewCommissionEventTask(987654), asynq.NewTask(workers.TypeCommissionEvent, []byte("{"))} {
		if err := mux.ProcessTask(context.Background(), task); err == nil || !isSkipRetry(err) {
			t.Errorf("bad task: %v", err)
		}
	}
}

func isSkipRetry(err error) bool { return errors.Is(err, asynq.SkipRetry) }

func TestRelayReplayAndTwoWorkers(t *testing.T) {
	d, rdb, queue := commissionDeps(t)
	leads := wonLeads(t, d, 20)
	ctx := context.Background()
	// Batches of 5 events: 4 tasks.
	if n, err := workers.RelayOutboxBatches(ctx, d.Store, queue, 500, 5, d.Clock.Now()); err != nil || n != 20 {
		t.Fatalf("relayed %d, %v", n, err)
	}
	// The relay died before marking (or a second relay replays old rows):
	// the same events are relayed again; the task ids refuse the copies.
	if _, err := d.Store.Pool.Exec(ctx, "UPDATE outbox_events SET processed_at = NULL"); err != nil {
		t.Fatal(err)
	}
	if n, err := workers.RelayOutboxBatches(ctx, d.Store, queue, 500, 5, d.Clock.Now()); err != nil || n != 20 {
		t.Fatalf("replayed %d, %v", n, err)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	if info, err := insp.GetQueueInfo(workers.QueueDefault); err != nil || info.Size != 4 {
		t.Fatalf("queue after a replay: %+v %v", info, err)
	}
	// Two worker processes on the same queue, plus the same events sent once
	// more under other task ids (as if their ids had expired), one by one
	// (the form of tasks queued before batches) and in batches of other
	// shapes: one commission each.
	var ids []int64
	for _, l := range leads {
		id := count(t, d.Store, "SELECT id FROM outbox_events WHERE aggregate_id = $1", l)
		ids = append(ids, id)
		task := asynq.NewTask(workers.TypeCommissionEvent, fmt.Appendf(nil, `{"outbox_id": %d}`, id), asynq.Queue(workers.QueueDefault))
		if _, err := queue.Enqueue(task); err != nil {
			t.Fatal(err)
		}
	}
	for _, shape := range [][]int64{ids, ids[3:17], ids[:7]} {
		b, _ := json.Marshal(workers.CommissionEventPayload{OutboxIDs: shape})
		if _, err := queue.Enqueue(asynq.NewTask(workers.TypeCommissionEvent, b, asynq.Queue(workers.QueueDefault))); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 4, TaskCheckInterval: 50 * time.Millisecond,
			DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second}, d.Log)
		if err := srv.Start(workers.NewMux(d)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := insp.GetQueueInfo(workers.QueueDefault)
		if err == nil && info.Pending == 0 && info.Active == 0 && info.Retry == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained: %+v %v", info, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(t, d.Store, "SELECT count(*) FROM commissions WHERE lead_id = ANY($1)", leads); n != 20 {
		t.Fatalf("%d commissions for 20 won leads", n)
	}
	if n := count(t, d.Store, "SELECT count(DISTINCT lead_id) FROM commissions WHERE lead_id = ANY($1)", leads); n != 20 {
		t.Fatalf("%d leads with a commission, want 20", n)
	}
}

func TestRelayRedisDownLosesNothing(t *testing.T) {
	d, _, _ := commissionDeps(t)
	wonLeads(t, d, 3)
	down := asynq.NewClientFromRedisClient(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1,
		DialTimeout: 200 * time.Millisecond}))
	defer down.Close()
	if n, err := workers.RelayOutbox(context.Background(), d.Store, down, 500, d.Clock.Now()); err == nil || n != 0 {
		t.Fatalf("relay with Redis down: %d, %v", n, err)
	}
	if n := count(t, d.Store, "SELECT count(*) FROM outbox_events WHERE processed_at IS NULL"); n != 3 {
		t.Fatalf("%d events still to relay, want 3", n)
	}
}

// TestTwoRelaysAtOnce: relays running concurrently relay every event once.
func TestTwoRelaysAtOnce(t *testing.T) {
	d, rdb, queue := commissionDeps(t)
	wonLeads(t, d, 30)
	var wg sync.WaitGroup
	total := make(chan int, 4)
	for range 4 {
		wg.Go(func() {
			n, err := workers.RelayOutboxBatches(context.Background(), d.Store, queue, 10, 1, d.Clock.Now())
			if err != nil {
				t.Error(err)
			}
			total <- n
		})
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	info, err := asynq.NewInspectorFromRedisClient(rdb).GetQueueInfo(workers.QueueDefault)
	if err != nil || int(info.Size) != sum {
		t.Fatalf("%d relayed, queue %+v %v", sum, info, err)
	}
}
