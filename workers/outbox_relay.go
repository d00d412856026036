package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"partnerportal/app/clock"

	"github.com/hibiken/asynq"

	"partnerportal/queries"
)

// RelayOutbox moves up to max unrelayed outbox events into Asynq tasks (one
// per CommissionBatchSize events) and marks them relayed, in one transaction:
//   - Redis down: the enqueue fails, the transaction rolls back, the events
//     stay unrelayed and the next pass tries again. Nothing is lost.
//   - The relay dies after enqueueing but before the commit: the events are
//     relayed again; the task id is derived from the events' ids, so Asynq
//     refuses the same batch while the first task is queued or kept (24 h),
//     and a task that does run twice finds its work done (unique earning
//     keys; the engine reconciles, it does not add).
//   - Several relays at once: each locks its own rows (SKIP LOCKED).
//
// It returns how many events it relayed.
func RelayOutbox(ctx context.Context, store *queries.Store, queue *asynq.Client, max int32, now time.Time) (int, error) {
	return RelayOutboxBatches(ctx, store, queue, max, CommissionBatchSize, now)
}

// RelayOutboxBatches is RelayOutbox with perTask events per task at most.
func RelayOutboxBatches(ctx context.Context, store *queries.Store, queue *asynq.Client, maxRows int32, perTask int, now time.Time) (int, error) {
	n := 0
	perTask = max(1, perTask)
	err := store.Tx(ctx, func(q *queries.Queries) error {
		rows, err := q.ClaimOutboxEvents(ctx, maxRows)
		if err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]int64, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		for chunk := range slices.Chunk(ids, perTask) {
			_, err := queue.EnqueueContext(ctx, NewCommissionEventTask(chunk...))
			if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
				return fmt.Errorf("enqueue outbox events %d…: %w", chunk[0], err)
			}
		}
		n = len(ids)
		return q.MarkOutboxEventsRelayed(ctx, queries.MarkOutboxEventsRelayedParams{Now: now, Ids: ids})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// RunOutboxRelay relays outbox events until ctx ends: whole batches back to
// back, then a pause of interval. Errors (Redis or PostgreSQL away) are
// logged and retried after the pause. Every worker process runs one; they
// share the work safely.
func RunOutboxRelay(ctx context.Context, store *queries.Store, queue *asynq.Client, interval time.Duration, clk clock.Clock, log *slog.Logger) {
	clk = clock.Or(clk)
	const batch = 500
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := RelayOutbox(ctx, store, queue, batch, clk.Now())
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("outbox relay", "err", err)
				}
				break
			}
			if n > 0 {
				log.Debug("outbox events relayed", "count", n)
			}
			if n < batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
