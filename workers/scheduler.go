package workers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// Periodic is one task the scheduler enqueues once per period.
type Periodic struct {
	Every time.Duration
	New   func() *asynq.Task
}

// PeriodicTasks are the periodic tasks and their periods.
func PeriodicTasks() []Periodic {
	return []Periodic{
		{Every: time.Hour, New: NewCleanupTask},
		{Every: time.Minute, New: NewNotificationSweepTask},
		{Every: time.Minute, New: NewLoginSweepTask},
		{Every: time.Minute, New: NewClickRollupTask},
		{Every: time.Minute, New: NewCommissionAutoApproveTask},
		{Every: time.Minute, New: NewResourcePreviewSweepTask},
		{Every: 24 * time.Hour, New: NewTrainingExpiryTask},
		{Every: time.Minute, New: NewInvoiceScheduleTask},
	}
}

// Scheduler enqueues each periodic task once per period, the period being
// the clock's time truncated to the task's interval (so every scheduler
// process agrees on it, whenever it started). The task id names the task and
// its period, and the task is retained in Redis for a period after it
// completes: Asynq refuses a second task with that id, so a second scheduler
// (started by mistake, or during a rolling deploy) cannot make a task run
// twice for the same period.
//
// Asynq's own Scheduler cannot do this: it fixes a task's options, and so its
// id, when the task is registered, and its Unique lock is deleted as soon as
// the task succeeds while `@every` counts from each scheduler's own start.
type Scheduler struct {
	Queue *asynq.Client
	Tasks []Periodic
	Now   func() time.Time
	Log   *slog.Logger
	// Check is how often Run looks at the clock (default 1 s).
	Check time.Duration

	last map[string]time.Time // per task type: the last period enqueued (or refused)
}

// PeriodTaskID is the id of a periodic task for the period starting at start.
func PeriodTaskID(taskType string, start time.Time) string {
	return "periodic:" + taskType + ":" + start.UTC().Format(time.RFC3339)
}

// Tick enqueues every task whose current period this scheduler has not
// handled yet. It reports how many tasks it enqueued; a task another
// scheduler already enqueued for the period is counted as handled, not as an
// error.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	if s.last == nil {
		s.last = map[string]time.Time{}
	}
	now := s.Now()
	enqueued := 0
	var errs []error
	for _, p := range s.Tasks {
		task := p.New()
		start := now.Truncate(p.Every)
		if last, ok := s.last[task.Type()]; ok && !start.After(last) {
			continue
		}
		id := PeriodTaskID(task.Type(), start)
		// Retained for a whole period after it completes, so the id stays
		// taken at least until the period is over.
		_, err := s.Queue.EnqueueContext(ctx, task, asynq.TaskID(id), asynq.Retention(p.Every+time.Minute))
		switch {
		case err == nil:
			enqueued++
			s.last[task.Type()] = start
			s.Log.Debug("periodic task enqueued", "task_id", id)
		case errors.Is(err, asynq.ErrTaskIDConflict):
			s.last[task.Type()] = start
			s.Log.Debug("periodic task already enqueued for this period", "task_id", id)
		default:
			errs = append(errs, err) // retried on the next tick
		}
	}
	return enqueued, errors.Join(errs...)
}

// Run ticks until ctx ends. A failed enqueue (Redis away) is logged and tried
// again on the next check, still for the same period while it lasts.
func (s *Scheduler) Run(ctx context.Context) {
	every := s.Check
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	failing := false
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			if !failing {
				s.Log.Warn("scheduler cannot enqueue periodic tasks; retrying", "err", err)
			}
			failing = true
		} else if err == nil {
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
