package workers

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/commission"
	"partnerportal/app/training"
	"partnerportal/queries"
)

// TypeCommissionEvent runs the commission engine for a batch of outbox
// events (leads won or changed), in one transaction. The relay enqueues one
// per batch of up to CommissionBatchSize events.
const TypeCommissionEvent = "commission:event"

// CommissionBatchSize is how many outbox events one task carries at most.
const CommissionBatchSize = 250

// CommissionEventPayload names the outbox events; the rest is read from
// them. OutboxID is the one-event form (tasks queued before batches existed).
type CommissionEventPayload struct {
	OutboxIDs []int64 `json:"outbox_ids,omitempty"`
	OutboxID  int64   `json:"outbox_id,omitempty"`
}

// NewCommissionEventTask builds the task for outbox events in id order. Its
// id is derived from the events' ids, so a relay that sends the same batch
// twice leaves one task; completed tasks are kept a day so a late duplicate
// is still refused. A batch relayed again in another shape runs again and
// finds its work done (unique earning keys, the leads locked).
func NewCommissionEventTask(outboxIDs ...int64) *asynq.Task {
	b, _ := json.Marshal(CommissionEventPayload{OutboxIDs: outboxIDs}) // cannot fail
	return asynq.NewTask(TypeCommissionEvent, b,
		asynq.Queue(QueueDefault), asynq.MaxRetry(25), asynq.Timeout(60*time.Second),
		asynq.TaskID(commissionTaskID(outboxIDs)), asynq.Retention(24*time.Hour))
}

// commissionTaskID is "outbox:ID" for one event (as before batches) and
// "outbox:FIRST+N:HASH" for a batch.
func commissionTaskID(ids []int64) string {
	if len(ids) == 1 {
		return "outbox:" + strconv.FormatInt(ids[0], 10)
	}
	h := fnv.New64a()
	for _, id := range ids {
		_ = binary.Write(h, binary.LittleEndian, id)
	}
	return fmt.Sprintf("outbox:%d+%d:%x", ids[0], len(ids), h.Sum64())
}

func (d *Deps) handleCommissionEvent(ctx context.Context, t *asynq.Task) error {
	var p CommissionEventPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	ids := p.OutboxIDs
	if p.OutboxID > 0 {
		ids = append(ids, p.OutboxID)
	}
	if len(ids) == 0 || slices.Min(ids) <= 0 {
		return fmt.Errorf("bad payload: no outbox event: %w", asynq.SkipRetry)
	}
	rows, err := d.Store.GetOutboxEventsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("outbox events %v are gone: %w", ids, asynq.SkipRetry)
	}
	events := make([]commission.Event, 0, len(rows))
	var completions []queries.GetOutboxEventsByIDsRow
	for _, row := range rows {
		if row.Kind == training.EventCourseCompleted {
			// Certificates, bonuses, accreditations and tier upgrades:
			// app/training, each event in its own transaction, after the
			// batch's commissions.
			completions = append(completions, row)
			continue
		}
		ev, err := commission.EventFromOutbox(row.ID, row.OrganizationID, row.Kind, row.Payload)
		if err != nil { // cannot be read: retrying would not help; the others go on
			d.Log.Error("commission event skipped", "outbox_id", row.ID, "err", err)
			continue
		}
		events = append(events, ev)
	}
	eng := &commission.Engine{Now: d.Clock.Now}
	var res commission.Result
	if err := d.Store.Tx(ctx, func(q *queries.Queries) (err error) {
		res, err = eng.ProcessBatch(ctx, q, events)
		return err
	}); err != nil {
		return err
	}
	d.enqueueEmails(ctx, res.Notifications)
	if len(events) > 0 {
		d.Log.Info("commission events processed", "events", len(events), "first_outbox_id", ids[0],
			"created", len(res.Created), "recalculated", res.Recalculated, "voided", res.Voided)
	}
	for _, row := range completions {
		// A retry runs the whole batch again: every step above and here
		// finds its unique keys taken and writes nothing twice.
		if err := d.handleCourseCompleted(ctx, row); err != nil {
			if errors.Is(err, asynq.SkipRetry) {
				d.Log.Error("course completion skipped", "outbox_id", row.ID, "err", err)
				continue
			}
			return err
		}
	}
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
