package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// TypeLoginLink emails a sign-in link. The web tier enqueues it for every
// address typed into /login, known or not, so the response is identical and
// the only work that depends on the address happens here.
const TypeLoginLink = "email:login_link"

// LoginLinkPayload is the task payload. It carries no secret: the token is
// minted by the handler and only its hash is stored.
type LoginLinkPayload struct {
	RequestID string `json:"request_id"`
	Email     string `json:"email"`
}

// NewLoginLinkTask builds the task; its id is the request id, so enqueueing
// the same request twice is refused by Asynq.
func NewLoginLinkTask(p LoginLinkPayload) (*asynq.Task, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeLoginLink, b,
		asynq.Queue(QueueCritical), asynq.MaxRetry(8), asynq.Timeout(45*time.Second),
		asynq.TaskID("login:"+p.RequestID)), nil
}

func (d *Deps) handleLoginLink(ctx context.Context, t *asynq.Task) error {
	var p LoginLinkPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.RequestID == "" || p.Email == "" {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	user, err := d.Store.GetUserByEmail(ctx, strings.ToLower(p.Email))
	if queries.IsNotFound(err) {
		d.Log.Info("sign-in link requested for an address without an account", "request_id", p.RequestID)
		return nil
	}
	if err != nil {
		return err
	}
	token := secret.New()
	rows, err := d.Store.PrepareLoginToken(ctx, queries.PrepareLoginTokenParams{
		TokenHash: secret.Hash(token),
		UserID:    user.ID,
		RequestID: p.RequestID,
		ExpiresAt: d.Clock.Now().Add(d.Config.LoginLinkTTL),
	})
	if queries.IsNotFound(err) {
		return nil // already sent by an earlier run of this task
	}
	if err != nil || len(rows) == 0 {
		return err
	}
	link := d.Config.BaseURL.String() + "/login/" + token
	minutes := int(d.Config.LoginLinkTTL.Minutes())
	// Invitations have their own task (invitation_email.go): this email is
	// only ever a sign-in link the address asked for.
	subject := "Your sign-in link"
	body := fmt.Sprintf("Hello %s,\n\nUse the link below to sign in to the partner portal.\n\n%s\n\nThe link works once and expires in %d minutes. "+
		"If you did not ask for it, you can ignore this email.\n", firstNonEmpty(user.Name, user.Email), link, minutes)
	if err := d.Mailer.Send(ctx, Message{To: user.Email, Subject: subject, Body: body}); err != nil {
		return fmt.Errorf("send sign-in email (user %d): %w", user.ID, err)
	}
	if err := d.Store.MarkLoginTokenSent(ctx, queries.MarkLoginTokenSentParams{Now: d.Clock.Now(), RequestID: p.RequestID}); err != nil {
		return err
	}
	d.Log.Info("sign-in link sent", "user_id", user.ID, "request_id", p.RequestID)
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
