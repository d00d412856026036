package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/commission"
	"partnerportal/app/training"
	"partnerportal/queries"
)

// TypeCommissionEvent runs the commission engine for one outbox event (a
// lead won or changed). The relay enqueues it.
const TypeCommissionEvent = "commission:event"

// CommissionEventPayload names the outbox event; the rest is read from it.
type CommissionEventPayload struct {
	OutboxID int64 `json:"outbox_id"`
}

// NewCommissionEventTask builds the task. Its id is the outbox event's, so a
// relay that sends an event twice leaves one task; completed tasks are kept a
// day so a late duplicate is still refused.
func NewCommissionEventTask(outboxID int64) *asynq.Task {
	b, _ := json.Marshal(CommissionEventPayload{OutboxID: outboxID}) // cannot fail
	return asynq.NewTask(TypeCommissionEvent, b,
		asynq.Queue(QueueDefault), asynq.MaxRetry(25), asynq.Timeout(30*time.Second),
		asynq.TaskID("outbox:"+strconv.FormatInt(outboxID, 10)), asynq.Retention(24*time.Hour))
}

func (d *Deps) handleCommissionEvent(ctx context.Context, t *asynq.Task) error {
	var p CommissionEventPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.OutboxID <= 0 {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	row, err := d.Store.GetOutboxEvent(ctx, p.OutboxID)
	if queries.IsNotFound(err) {
		return fmt.Errorf("outbox event %d is gone: %w", p.OutboxID, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if row.Kind == training.EventCourseCompleted {
		return d.handleCourseCompleted(ctx, row)
	}
	ev, err := commission.EventFromOutbox(row.ID, row.OrganizationID, row.Kind, row.Payload)
	if err != nil {
		return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
	}
	eng := &commission.Engine{Now: d.Clock.Now}
	var res commission.Result
	if err := d.Store.Tx(ctx, func(q *queries.Queries) (err error) {
		res, err = eng.Process(ctx, q, ev)
		return err
	}); err != nil {
		return err
	}
	d.enqueueEmails(ctx, res.Notifications)
	d.Log.Info("commission event processed", "outbox_id", row.ID, "lead_id", ev.LeadID,
		"created", len(res.Created), "recalculated", res.Recalculated, "voided", res.Voided)
	return nil
}

// enqueueEmails queues the emails of notifications written in a committed
// transaction; one that fails to enqueue is sent by the sweep.
func (d *Deps) enqueueEmails(ctx context.Context, ids []int64) {
	if len(ids) == 0 || d.Redis == nil {
		return
	}
	queue := asynq.NewClientFromRedisClient(d.Redis)
	for _, id := range ids {
		if _, err := queue.EnqueueContext(ctx, NewNotificationEmailTask(id)); err != nil {
			d.Log.Warn("notification email left to the sweep", "notification_id", id, "err", err)
		}
	}
}

// TypeCommissionAutoApprove approves, in organizations that approve
// automatically, the commissions whose hold has ended. Every minute.
const TypeCommissionAutoApprove = "commission:auto_approve"

// NewCommissionAutoApproveTask is enqueued by the scheduler.
func NewCommissionAutoApproveTask() *asynq.Task {
	return asynq.NewTask(TypeCommissionAutoApprove, nil, asynq.Queue(QueueLow), asynq.MaxRetry(0),
		asynq.Timeout(50*time.Second))
}

func (d *Deps) handleCommissionAutoApprove(ctx context.Context, _ *asynq.Task) error {
	eng := &commission.Engine{Now: d.Clock.Now}
	n, notes, err := eng.AutoApprove(ctx, d.Store, 5000)
	d.enqueueEmails(ctx, notes)
	if n > 0 {
		d.Log.Info("commissions approved automatically", "count", n)
	}
	return err
}
