package workers

import (
	"context"

	"github.com/hibiken/asynq"
)

// TypeCleanup removes expired sessions and old sign-in tokens.
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
	d.Log.Info("cleanup done", "sessions_deleted", sessions, "login_tokens_deleted", tokens)
	return nil
}
