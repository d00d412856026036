package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// TypeEmailChange sends the two emails of a requested change of sign-in
// address: the confirmation link to the new address, and the notice with a
// report link to the old one. Each email has its own "sent" column and its own
// token (minted here, stored hashed while that email is unsent), so a retry
// sends only what has not gone out.
const TypeEmailChange = "email:email_change"

// EmailChangePayload names the change.
type EmailChangePayload struct {
	ID int64 `json:"id"`
}

// NewEmailChangeTask builds the task; its id comes from the row, so the web
// tier and the sweep enqueue it once between them.
func NewEmailChangeTask(id int64) *asynq.Task {
	b, _ := json.Marshal(EmailChangePayload{ID: id}) // cannot fail
	return asynq.NewTask(TypeEmailChange, b,
		asynq.Queue(QueueCritical), asynq.MaxRetry(8), asynq.Timeout(45*time.Second),
		asynq.TaskID("email_change:"+strconv.FormatInt(id, 10)))
}

func (d *Deps) handleEmailChange(ctx context.Context, t *asynq.Task) error {
	var p EmailChangePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID <= 0 {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	// Each email in its own transaction with the row locked from the check
	// to the mark: a second run of the task waits, then finds it sent; a
	// failure of the second email does not send the first again.
	for _, notice := range []bool{false, true} {
		err := d.Store.Tx(ctx, func(q *queries.Queries) error {
			ec, err := q.LockEmailChangeForMail(ctx, p.ID)
			if queries.IsNotFound(err) {
				return nil // the account is gone
			}
			if err != nil {
				return err
			}
			if ec.CancelledAt != nil || (ec.ConfirmedAt == nil && !d.Clock.Now().Before(ec.ExpiresAt)) {
				return nil
			}
			switch {
			case !notice && ec.ConfirmSentAt == nil:
				return d.sendEmailChangeConfirm(ctx, q, ec)
			case notice && ec.NoticeSentAt == nil:
				return d.sendEmailChangeNotice(ctx, q, ec)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sendEmailChangeConfirm writes to the new address. When that address
// already has an account, it gets a note without a link instead: the person
// asking sees the same answer either way, and only the owner of the address
// learns it is taken.
func (d *Deps) sendEmailChangeConfirm(ctx context.Context, q *queries.Queries, ec queries.LockEmailChangeForMailRow) error {
	msg := Message{To: ec.NewEmail}
	_, err := q.GetUserByEmail(ctx, ec.NewEmail)
	switch {
	case err == nil:
		msg.Subject = "This address already has a partner portal account"
		msg.Body = fmt.Sprintf("Hello,\n\nSomeone asked to use this address as the sign-in address of an account in the %s "+
			"partner portal. This address already belongs to an account, so nothing was changed and nothing needs doing.\n",
			ec.OrganizationName)
	case queries.IsNotFound(err):
		token := secret.New()
		if _, err := q.SetEmailChangeConfirmHash(ctx, queries.SetEmailChangeConfirmHashParams{ID: ec.ID, ConfirmHash: secret.Hash(token)}); err != nil {
			return err
		}
		msg.Subject = "Confirm your new sign-in address"
		msg.Body = fmt.Sprintf("Hello,\n\nConfirm that this address should become the sign-in address of your account in the "+
			"%s partner portal:\n\n%s\n\nThe link works once and stays valid until %s UTC. Until it is opened, the account "+
			"keeps its old address. If you did not ask for this, ignore this email.\n",
			ec.OrganizationName, d.Config.BaseURL.String()+"/account/email/confirm/"+token, ec.ExpiresAt.UTC().Format("2 January 2006 15:04"))
	default:
		return err
	}
	if err := d.Mailer.Send(ctx, msg); err != nil {
		return fmt.Errorf("send email-change confirmation (change %d): %w", ec.ID, err)
	}
	if err := q.MarkEmailChangeConfirmSent(ctx, queries.MarkEmailChangeConfirmSentParams{ID: ec.ID, Now: d.Clock.Now()}); err != nil {
		return err
	}
	d.Log.Info("email change: confirmation sent", "email_change_id", ec.ID, "user_id", ec.UserID)
	return nil
}

// sendEmailChangeNotice tells the old address, with a link that cancels the
// change (or undoes it once confirmed) and ends every session.
func (d *Deps) sendEmailChangeNotice(ctx context.Context, q *queries.Queries, ec queries.LockEmailChangeForMailRow) error {
	token := secret.New()
	if _, err := q.SetEmailChangeCancelHash(ctx, queries.SetEmailChangeCancelHashParams{ID: ec.ID, CancelHash: secret.Hash(token)}); err != nil {
		return err
	}
	body := fmt.Sprintf("Hello,\n\nSomeone signed in to your account in the %s partner portal asked to change its sign-in "+
		"address from %s to %s. The change happens only when the new address confirms it.\n\n"+
		"If this was you, there is nothing to do.\n\nIf it was not you, open this link: it cancels the change (or "+
		"undoes it if it was already confirmed) and signs your account out everywhere:\n\n%s\n\n"+
		"The link stays valid until %s UTC.\n",
		ec.OrganizationName, ec.OldEmail, ec.NewEmail, d.Config.BaseURL.String()+"/account/email/report/"+token,
		ec.CancelExpiresAt.UTC().Format("2 January 2006 15:04"))
	if err := d.Mailer.Send(ctx, Message{To: ec.OldEmail, Subject: "Your sign-in address is being changed", Body: body}); err != nil {
		return fmt.Errorf("send email-change notice (change %d): %w", ec.ID, err)
	}
	if err := q.MarkEmailChangeNoticeSent(ctx, queries.MarkEmailChangeNoticeSentParams{ID: ec.ID, Now: d.Clock.Now()}); err != nil {
		return err
	}
	d.Log.Info("email change: notice sent to the old address", "email_change_id", ec.ID, "user_id", ec.UserID)
	return nil
}
