package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/queries"
)

// TypeLoginSweep queues the sign-in requests the web tier kept in PostgreSQL
// while Redis did not answer (login_requests, an outbox). Every minute.
//
// Each request becomes the same email:login_link task the web tier would
// have queued, with the same task id, so it is sent exactly once: a request
// queued twice (a sweep stopped between the enqueue and the mark) is refused
// by Asynq while the first task exists, and after that the task finds its
// link already sent and does nothing.
const TypeLoginSweep = "email:login_sweep"

// NewLoginSweepTask is enqueued by the scheduler.
func NewLoginSweepTask() *asynq.Task {
	return asynq.NewTask(TypeLoginSweep, nil, asynq.Queue(QueueCritical), asynq.MaxRetry(0),
		asynq.Timeout(50*time.Second))
}

// loginSweepBatch bounds one sweep; the next minute takes the rest.
const loginSweepBatch = 500

func (d *Deps) handleLoginSweep(ctx context.Context, _ *asynq.Task) error {
	if d.Redis == nil {
		return fmt.Errorf("login sweep needs Deps.Redis: %w", asynq.SkipRetry)
	}
	pending, err := d.Store.ListPendingLoginRequests(ctx, loginSweepBatch)
	if err != nil {
		return err
	}
	queue := asynq.NewClientFromRedisClient(d.Redis)
	for _, r := range pending {
		task, err := NewLoginLinkTask(LoginLinkPayload{RequestID: r.RequestID, Email: r.Email})
		if err != nil {
			return err
		}
		if _, err := queue.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return fmt.Errorf("enqueue sign-in request %s: %w", r.RequestID, err)
		}
		now := d.Clock.Now()
		if err := d.Store.MarkLoginRequestEnqueued(ctx, queries.MarkLoginRequestEnqueuedParams{
			RequestID: r.RequestID, EnqueuedAt: &now}); err != nil {
			return err
		}
	}
	if len(pending) > 0 {
		d.Log.Warn("sign-in requests kept during a Redis outage were queued", "count", len(pending))
	}
	return nil
}
