package workers

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypeCleanup removes expired sessions, old sign-in tokens and sign-in
// requests queued more than a day ago.
const TypeCleanup = "maintenance:cleanup"

// NewCleanupTask is enqueued hourly by the scheduler.
func NewCleanupTask() *asynq.Task {
	return asynq.NewTask(TypeCleanup, nil, asynq.Queue(QueueLow), asynq.MaxRetry(3))
}

func (d *Deps) handleCleanup(ctx context.Context, _ *asynq.Task) error {
	sessions, err := d.Store.DeleteExpiredSessions(ctx, d.Clock.Now())
	if err != nil {
		return err
	}
	tokens, err := d.Store.DeleteStaleLoginTokens(ctx, d.Clock.Now())
	if err != nil {
		return err
	}
	requests, err := d.Store.DeleteOldLoginRequests(ctx, d.Clock.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	d.Log.Info("cleanup done", "sessions_deleted", sessions, "login_tokens_deleted", tokens,
		"login_requests_deleted", requests)
	return nil
}
