package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// TypeInvitationEmail emails one send of an invitation into a partner
// company. The web tier enqueues it after the invitation row commits; the
// account sweep enqueues any still unsent a minute later.
const TypeInvitationEmail = "email:invitation"

// InvitationEmailPayload names the send; everything else is read from the
// database. No secret: the token is minted here and only its hash stored.
type InvitationEmailPayload struct {
	RequestID string `json:"request_id"`
}

// NewInvitationEmailTask builds the task; its id is the send's request id, so
// the web tier and the sweep enqueue it once between them.
func NewInvitationEmailTask(requestID string) *asynq.Task {
	b, _ := json.Marshal(InvitationEmailPayload{RequestID: requestID}) // cannot fail
	return asynq.NewTask(TypeInvitationEmail, b,
		asynq.Queue(QueueCritical), asynq.MaxRetry(8), asynq.Timeout(45*time.Second),
		asynq.TaskID("invite:"+requestID))
}

func (d *Deps) handleInvitationEmail(ctx context.Context, t *asynq.Task) error {
	var p InvitationEmailPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.RequestID == "" {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	// One transaction with the row locked from the check to the mark: two
	// runs of the task (a retry racing a late first run, or the sweep) send
	// one email between them. If the commit fails after the send, the retry
	// sends a new link; the first one never worked (its hash rolled back).
	var sentID int64
	err := d.Store.Tx(ctx, func(q *queries.Queries) error {
		inv, err := q.LockInvitationForMail(ctx, p.RequestID)
		if queries.IsNotFound(err) {
			return nil // resent since (a new request id) or the company is gone
		}
		if err != nil {
			return err
		}
		now := d.Clock.Now()
		if inv.SentAt != nil || inv.AcceptedAt != nil || inv.RevokedAt != nil || !now.Before(inv.ExpiresAt) {
			return nil
		}
		token := secret.New()
		if _, err := q.SetInvitationToken(ctx, queries.SetInvitationTokenParams{RequestID: p.RequestID, TokenHash: secret.Hash(token)}); err != nil {
			return err
		}
		// Nothing the inviter typed (their name, the invitee's name, the
		// company's name) goes into a message to a stranger: only the
		// organization running the program, which its staff set.
		body := fmt.Sprintf("Hello,\n\nYou have been invited to join a partner company in the %s partner portal.\n"+
			"Open the link below to see the invitation and accept it:\n\n%s\n\n"+
			"The link works once and stays valid until %s UTC. If you did not expect this invitation, ignore this "+
			"email: no account is created unless you accept.\n",
			inv.OrganizationName, d.Config.BaseURL.String()+"/invite/"+token, inv.ExpiresAt.UTC().Format("2 January 2006 15:04"))
		if err := d.Mailer.Send(ctx, Message{To: inv.Email, Subject: "Your invitation to the " + inv.OrganizationName + " partner portal", Body: body}); err != nil {
			return fmt.Errorf("send invitation email (invitation %d): %w", inv.ID, err)
		}
		sentID = inv.ID
		return q.MarkInvitationSent(ctx, queries.MarkInvitationSentParams{RequestID: p.RequestID, Now: now})
	})
	if err != nil || sentID == 0 {
		return err
	}
	d.Log.Info("invitation sent", "invitation_id", sentID)
	return nil
}
