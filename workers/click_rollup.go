package workers

import (
	"context"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/clicks"
)

// TypeClickRollup moves recorded clicks from Redis into PostgreSQL daily
// aggregates. The scheduler enqueues it every minute; it is exact however
// often it runs, concurrently or after being killed (see clicks.Rollup).
const TypeClickRollup = "clicks:rollup"

// NewClickRollupTask builds the task.
func NewClickRollupTask() *asynq.Task {
	return asynq.NewTask(TypeClickRollup, nil, asynq.Queue(QueueDefault), asynq.MaxRetry(3), asynq.Timeout(5*time.Minute))
}

func (d *Deps) handleClickRollup(ctx context.Context, _ *asynq.Task) error {
	if d.Redis == nil {
		return asynq.SkipRetry
	}
	start := time.Now()
	n, err := clicks.Rollup(ctx, d.Redis, d.Store, 2000, 500)
	if err != nil {
		return err
	}
	if n > 0 {
		d.Log.Info("clicks rolled up", "clicks", n, "ms", time.Since(start).Milliseconds())
	}
	return nil
}
