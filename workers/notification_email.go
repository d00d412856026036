package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/queries"
)

// TypeNotificationEmail emails one in-app notification to its user. The web
// tier enqueues it after the transaction that wrote the notification commits.
const TypeNotificationEmail = "email:notification"

// NotificationEmailPayload names the notification; everything else is read
// from the database when the task runs.
type NotificationEmailPayload struct {
	NotificationID int64 `json:"notification_id"`
}

// NewNotificationEmailTask builds the task. Its id comes from the
// notification, so the web tier and the sweep can both enqueue it and Asynq
// keeps one.
func NewNotificationEmailTask(notificationID int64) *asynq.Task {
	b, _ := json.Marshal(NotificationEmailPayload{NotificationID: notificationID}) // cannot fail
	return asynq.NewTask(TypeNotificationEmail, b,
		asynq.Queue(QueueDefault), asynq.MaxRetry(10), asynq.Timeout(45*time.Second),
		asynq.TaskID("notify:"+strconv.FormatInt(notificationID, 10)))
}

func (d *Deps) handleNotificationEmail(ctx context.Context, t *asynq.Task) error {
	var p NotificationEmailPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.NotificationID <= 0 {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	n, err := d.Store.GetNotificationForEmail(ctx, p.NotificationID)
	if queries.IsNotFound(err) {
		d.Log.Info("notification gone before its email was sent", "notification_id", p.NotificationID)
		return nil
	}
	if err != nil {
		return err
	}
	if n.EmailedAt != nil {
		return nil // sent by an earlier run
	}
	link := d.Config.BaseURL.String()
	if n.Link != "" {
		link += n.Link
	}
	body := fmt.Sprintf("Hello %s,\n\n%s\n\nSee it in the partner portal:\n%s\n\n"+
		"You get this email because %s.\n",
		firstNonEmpty(n.Name, n.Email), n.Body, link, notificationReason(n.Link))
	if err := d.Mailer.Send(ctx, Message{To: n.Email, Subject: notificationSubject(n.Body), Body: body}); err != nil {
		return fmt.Errorf("send notification email (notification %d): %w", n.ID, err)
	}
	if err := d.Store.MarkNotificationEmailed(ctx, queries.MarkNotificationEmailedParams{Now: d.Clock.Now(), ID: n.ID}); err != nil {
		return err
	}
	d.Log.Info("notification emailed", "notification_id", n.ID, "user_id", n.UserID)
	return nil
}

// notificationReason says why the email came, from what it links to: an
// invoice or the payout settings go to the partner's admins, a lead to the
// people who work with it.
func notificationReason(link string) string {
	switch {
	case strings.HasPrefix(link, "/leads/"):
		return "you work with this lead in the partner portal"
	case strings.HasPrefix(link, "/payments/invoices"), strings.HasPrefix(link, "/manage/"):
		return "you are an admin of your company in the partner portal: invoices and payouts go to its admins"
	case strings.HasPrefix(link, "/payments"):
		return "your company earns commissions in the partner portal"
	case strings.HasPrefix(link, "/training"):
		return "you take training in the partner portal"
	}
	return "you have an account in the partner portal"
}

// notificationSubject is the notification's text, cut to a subject line.
func notificationSubject(body string) string {
	r := []rune(body)
	if len(r) <= 90 {
		return body
	}
	return string(r[:89]) + "…"
}

// TypeNotificationSweep enqueues the emails of notifications still unsent a
// minute after they were written: the enqueue after the commit failed (Redis
// was down) or the process stopped in between. Every minute.
const TypeNotificationSweep = "email:notification_sweep"

// NewNotificationSweepTask is enqueued by the scheduler.
func NewNotificationSweepTask() *asynq.Task {
	return asynq.NewTask(TypeNotificationSweep, nil, asynq.Queue(QueueDefault), asynq.MaxRetry(0),
		asynq.Timeout(50*time.Second))
}

// notificationSweepBatch bounds one sweep; the next minute takes the rest.
const notificationSweepBatch = 500

func (d *Deps) handleNotificationSweep(ctx context.Context, _ *asynq.Task) error {
	if d.Redis == nil {
		return fmt.Errorf("notification sweep needs Deps.Redis: %w", asynq.SkipRetry)
	}
	ids, err := d.Store.ListUnsentNotifications(ctx, queries.ListUnsentNotificationsParams{Now: d.Clock.Now(), MaxRows: notificationSweepBatch})
	if err != nil {
		return err
	}
	queue := asynq.NewClientFromRedisClient(d.Redis)
	enqueued := 0
	for _, id := range ids {
		_, err := queue.EnqueueContext(ctx, NewNotificationEmailTask(id))
		switch {
		case err == nil:
			enqueued++
		case errors.Is(err, asynq.ErrTaskIDConflict):
			// Already queued or retrying: that task sends it.
		default:
			return fmt.Errorf("enqueue notification email %d: %w", id, err)
		}
	}
	if enqueued > 0 {
		d.Log.Warn("notification emails enqueued by the sweep", "count", enqueued)
	}
	return d.sweepAccountEmails(ctx, queue)
}
