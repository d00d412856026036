package workers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/training"
	"partnerportal/queries"
)

// handleCourseCompleted runs app/training for a 'course_completed' outbox
// event (relayed like every outbox event as commission:event): certificate,
// training bonus, accreditations, achievement bonus and tier upgrade in one
// transaction (unique keys make a replay write nothing), then the
// certificate's PDF into the file store and the notification emails.
func (d *Deps) handleCourseCompleted(ctx context.Context, row queries.GetOutboxEventsByIDsRow) error {
	ev, err := training.EventFromOutbox(row.ID, row.OrganizationID, row.Payload)
	if err != nil {
		return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
	}
	var out training.Outcome
	if err := d.Store.Tx(ctx, func(q *queries.Queries) (err error) {
		out, err = training.Process(ctx, q, ev)
		return err
	}); err != nil {
		if queries.IsNotFound(err) {
			return fmt.Errorf("outbox event %d: enrolment gone: %w", row.ID, asynq.SkipRetry)
		}
		return err
	}
	if d.Files != nil && d.Config != nil {
		base := strings.TrimSuffix(d.Config.BaseURL.String(), "/")
		if _, err := training.EnsurePDF(ctx, d.Store, d.Files, out.Certificate, base); err != nil {
			return fmt.Errorf("certificate pdf: %w", err) // retried; the rows above are not written twice
		}
	}
	d.enqueueEmails(ctx, out.Notifications)
	d.Log.Info("course completion processed", "outbox_id", row.ID, "enrolment_id", ev.EnrolmentID,
		"new_certificate", out.NewCert, "bonus", out.BonusID, "awards", len(out.Awards), "tier_changed", out.TierChanged)
	return nil
}

// TypeTrainingExpiry warns holders of accreditations expiring within 30 days
// and marks expired ones. Daily.
const TypeTrainingExpiry = "training:expiry"

// NewTrainingExpiryTask is enqueued by the scheduler.
func NewTrainingExpiryTask() *asynq.Task {
	return asynq.NewTask(TypeTrainingExpiry, nil, asynq.Queue(QueueLow), asynq.MaxRetry(3), asynq.Timeout(5*time.Minute))
}

func (d *Deps) handleTrainingExpiry(ctx context.Context, _ *asynq.Task) error {
	notes, err := training.RunExpiry(ctx, d.Store, d.Clock.Now())
	if err != nil {
		return err
	}
	d.enqueueEmails(ctx, notes)
	if len(notes) > 0 {
		d.Log.Info("accreditation expiry notices", "count", len(notes))
	}
	return nil
}
