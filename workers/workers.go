// Package workers holds the Asynq tasks: one file per task with its type name,
// payload, constructor and handler. Handlers are idempotent: running a task
// twice changes nothing the second time.
package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"partnerportal/app/config"
	"partnerportal/queries"
)

// Queues and their weights: critical work (sign-in emails) is picked six times
// as often as low-priority maintenance.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Deps is what task handlers need.
type Deps struct {
	Store  *queries.Store
	Mailer Mailer
	Redis  redis.UniversalClient // the click stream lives here
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time // the clock of the commission engine; nil = time.Now
}

// NewMux routes every task type to its handler.
func NewMux(d *Deps) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeLoginLink, d.handleLoginLink)
	mux.HandleFunc(TypeCleanup, d.handleCleanup)
	mux.HandleFunc(TypeClickRollup, d.handleClickRollup)
	mux.HandleFunc(TypeNotificationEmail, d.handleNotificationEmail)
	mux.HandleFunc(TypeNotificationSweep, d.handleNotificationSweep)
	mux.HandleFunc(TypeCommissionEvent, d.handleCommissionEvent)
	mux.HandleFunc(TypeCommissionAutoApprove, d.handleCommissionAutoApprove)
	return mux
}

// ServerOptions tune the worker; tests shorten the polling intervals.
type ServerOptions struct {
	Concurrency       int
	TaskCheckInterval time.Duration
	DelayedInterval   time.Duration
	ShutdownTimeout   time.Duration
	// RetryDelay, when set, replaces Asynq's back-off (tests of recovery).
	RetryDelay func(n int, err error, t *asynq.Task) time.Duration
}

// NewServer builds the Asynq server on a shared Redis client.
func NewServer(rdb redis.UniversalClient, o ServerOptions, log *slog.Logger) *asynq.Server {
	return asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:              o.Concurrency,
		Queues:                   map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1},
		TaskCheckInterval:        o.TaskCheckInterval,
		DelayedTaskCheckInterval: o.DelayedInterval,
		ShutdownTimeout:          o.ShutdownTimeout,
		RetryDelayFunc:           o.RetryDelay,
		Logger:                   asynqLogger{log},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			log.Error("task failed", "type", t.Type(), "task_id", id, "retry", retried, "err", err)
		}),
	})
}

// RegisterPeriodic adds every periodic task to the scheduler. Each carries
// Unique for (almost) its period, so a second scheduler started by mistake
// cannot enqueue the same run twice.
func RegisterPeriodic(s *asynq.Scheduler) error {
	if _, err := s.Register("@every 1h", NewCleanupTask(), asynq.Unique(55*time.Minute)); err != nil {
		return err
	}
	if _, err := s.Register("@every 1m", NewNotificationSweepTask(), asynq.Unique(50*time.Second)); err != nil {
		return err
	}
	if _, err := s.Register("@every 1m", NewCommissionAutoApproveTask(), asynq.Unique(50*time.Second)); err != nil {
		return err
	}
	_, err := s.Register("@every 1m", NewClickRollupTask(), asynq.Unique(50*time.Second))
	return err
}

// NewAsynqLogger sends Asynq's own messages (server, scheduler) through slog.
func NewAsynqLogger(l *slog.Logger) asynq.Logger { return asynqLogger{l} }

// asynqLogger sends Asynq's own messages through slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug("asynq", "msg", args) }
func (a asynqLogger) Info(args ...any)  { a.l.Info("asynq", "msg", args) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn("asynq", "msg", args) }
func (a asynqLogger) Error(args ...any) { a.l.Error("asynq", "msg", args) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error("asynq fatal", "msg", args) }
