package workers_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/apptest"
	"partnerportal/workers"
)

// Two schedulers (the second started in the middle of a period) and two
// worker servers on one Redis: every periodic task runs exactly once per
// period, including after it has completed (Asynq's Unique lock would be gone
// by then) and for schedulers whose own start times differ.
func TestSchedulersRunEachPeriodicTaskOncePerPeriod(t *testing.T) {
	rdb := apptest.NewRedis(t)
	log := slog.New(slog.DiscardHandler)
	var mu sync.Mutex
	runs := map[string]int{} // task id → runs
	mux := asynq.NewServeMux()
	count := func(ctx context.Context, t *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		mu.Lock()
		runs[id]++
		mu.Unlock()
		return nil
	}
	tasks := []workers.Periodic{
		{Every: time.Minute, New: workers.NewClickRollupTask},
		{Every: time.Minute, New: workers.NewNotificationSweepTask},
		{Every: time.Hour, New: workers.NewCleanupTask},
	}
	for _, p := range tasks {
		mux.HandleFunc(p.New().Type(), count)
	}
	for range 2 {
		srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 2, TaskCheckInterval: 50 * time.Millisecond,
			DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second}, log)
		if err := srv.Start(mux); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
	}
	queue := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { queue.Close() })

	// The clock both schedulers read; the test moves it.
	now := time.Date(2026, 3, 1, 9, 0, 10, 0, time.UTC)
	clock := func() time.Time { return now }
	first := &workers.Scheduler{Queue: queue, Tasks: tasks, Now: clock, Log: log}
	second := &workers.Scheduler{Queue: queue, Tasks: tasks, Now: clock, Log: log}
	idle := func() {
		t.Helper()
		waitIdle(t, rdb.Options().Addr, rdb.Options().DB)
	}
	tick := func(s *workers.Scheduler, want int) {
		t.Helper()
		n, err := s.Tick(t.Context())
		if err != nil || n != want {
			t.Fatalf("at %s: tick enqueued %d (want %d), err %v", now.Format(time.TimeOnly), n, want, err)
		}
	}

	tick(first, 3) // 09:00 for the minute tasks, 09:00–10:00 for the hourly one
	idle()
	now = now.Add(30 * time.Second) // 09:00:40, same minute: the second scheduler starts
	tick(second, 0)                 // the tasks ran and completed: still refused
	tick(first, 0)
	idle()
	for m := 1; m <= 3; m++ { // the next minutes: both tick, in either order
		now = now.Add(time.Minute)
		if m%2 == 0 {
			tick(first, 2)
			tick(second, 0)
		} else {
			tick(second, 2)
			tick(first, 0)
		}
		idle()
		now = now.Add(5 * time.Second)
		tick(first, 0)
		tick(second, 0)
		idle()
	}

	mu.Lock()
	defer mu.Unlock()
	want := 2*4 + 1 // two minute tasks over four minutes, the hourly one once
	if len(runs) != want {
		t.Errorf("%d distinct runs, want %d: %v", len(runs), want, runs)
	}
	for id, n := range runs {
		if n != 1 {
			t.Errorf("%s ran %d times", id, n)
		}
	}
	if runs[workers.PeriodTaskID(workers.TypeClickRollup, time.Date(2026, 3, 1, 9, 3, 0, 0, time.UTC))] != 1 {
		t.Errorf("no rollup for 09:03: %v", runs)
	}
}

// waitIdle waits until no task is pending, active, scheduled or retrying.
func waitIdle(t *testing.T, addr string, db int) {
	t.Helper()
	ins := asynq.NewInspector(asynq.RedisClientOpt{Addr: addr, DB: db})
	defer ins.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		busy := 0
		qs, err := ins.Queues()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			info, err := ins.GetQueueInfo(q)
			if err != nil {
				t.Fatal(err)
			}
			busy += info.Pending + info.Active + info.Scheduled + info.Retry
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks still queued after 15s: %d", busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
