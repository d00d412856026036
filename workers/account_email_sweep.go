package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"partnerportal/queries"
)

// sweepAccountEmails enqueues invitation and email-change emails still unsent
// a minute after their row was written (Redis was down at the enqueue after
// the commit, or the process stopped in between). It runs inside the
// notification sweep, every minute. Task ids are the rows' keys, so a task
// already queued is not queued twice.
func (d *Deps) sweepAccountEmails(ctx context.Context, queue *asynq.Client) error {
	now := d.Clock.Now()
	invites, err := d.Store.ListUnsentInvitations(ctx, queries.ListUnsentInvitationsParams{Now: now, MaxRows: notificationSweepBatch})
	if err != nil {
		return err
	}
	changes, err := d.Store.ListUnsentEmailChanges(ctx, queries.ListUnsentEmailChangesParams{Now: now, MaxRows: notificationSweepBatch})
	if err != nil {
		return err
	}
	var tasks []*asynq.Task
	for _, id := range invites {
		tasks = append(tasks, NewInvitationEmailTask(id))
	}
	for _, id := range changes {
		tasks = append(tasks, NewEmailChangeTask(id))
	}
	enqueued := 0
	for _, t := range tasks {
		_, err := queue.EnqueueContext(ctx, t)
		switch {
		case err == nil:
			enqueued++
		case errors.Is(err, asynq.ErrTaskIDConflict):
		default:
			return fmt.Errorf("enqueue %s: %w", t.Type(), err)
		}
	}
	if enqueued > 0 {
		d.Log.Warn("account emails enqueued by the sweep", "count", enqueued)
	}
	return nil
}
