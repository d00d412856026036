// Package workers holds the Asynq tasks: one file per task with its type name,
// payload, constructor and handler. Handlers are idempotent: running a task
// twice changes nothing the second time.
package workers

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"partnerportal/app/clock"
	"partnerportal/app/config"
	"partnerportal/app/storage"
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
	Clock  clock.Clock // the time; nil means the real clock
	Files  storage.Store
}

// NewMux routes every task type to its handler.
func NewMux(d *Deps) *asynq.ServeMux {
	d.Clock = clock.Or(d.Clock)
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeLoginLink, d.handleLoginLink)
	mux.HandleFunc(TypeCleanup, d.handleCleanup)
	mux.HandleFunc(TypeClickRollup, d.handleClickRollup)
	mux.HandleFunc(TypeNotificationEmail, d.handleNotificationEmail)
	mux.HandleFunc(TypeNotificationSweep, d.handleNotificationSweep)
	mux.HandleFunc(TypeLoginSweep, d.handleLoginSweep)
	mux.HandleFunc(TypeInvitationEmail, d.handleInvitationEmail)
	mux.HandleFunc(TypeEmailChange, d.handleEmailChange)
	mux.HandleFunc(TypeCommissionEvent, d.handleCommissionEvent)
	mux.HandleFunc(TypeCommissionAutoApprove, d.handleCommissionAutoApprove)
	mux.HandleFunc(TypeResourcePreview, d.handleResourcePreview)
	mux.HandleFunc(TypeResourcePreviewSweep, d.handleResourcePreviewSweep)
	mux.HandleFunc(TypeTrainingExpiry, d.handleTrainingExpiry)
	mux.HandleFunc(TypeInvoiceRun, d.handleInvoiceRun)
	mux.HandleFunc(TypeInvoiceSchedule, d.handleInvoiceSchedule)
	mux.Use(d.logPeriodic)
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

// logPeriodic logs every periodic task that completes, with its task id
// (which names its period): one line per run, so runs can be counted.
func (d *Deps) logPeriodic(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := next.ProcessTask(ctx, t)
		if id, _ := asynq.GetTaskID(ctx); err == nil && strings.HasPrefix(id, "periodic:") {
			d.Log.Info("periodic task done", "type", t.Type(), "task_id", id)
		}
		return err
	})
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
