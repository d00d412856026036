package app

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// showEmailReport answers GET and HEAD of the link sent to the old address:
// it only reads; the button POSTs.
func (h *Handler) showEmailReport(c *fiber.Ctx) error {
	token := c.Params("token")
	if !secret.WellFormed(token) {
		return h.badReportLink(c, "unknown")
	}
	ec, err := h.Store.GetEmailChangeByCancelHash(c.Context(), secret.Hash(token))
	if queries.IsNotFound(err) {
		return h.badReportLink(c, "unknown")
	}
	if err != nil {
		return err
	}
	if reason := reportState(ec, h.Clock.Now()); reason != "" {
		return h.badReportLink(c, reason)
	}
	what := "cancels the change"
	if ec.ConfirmedAt != nil && ec.CancelledAt == nil {
		what = "gives your account back its address " + ec.OldEmail
	}
	return h.renderAccountLink(c, fiber.StatusOK, "Report an address change", accountLink{
		Heading: "Did you not ask to change your sign-in address?",
		Lines: []string{
			"Someone asked to change the sign-in address of your account from " + ec.OldEmail + " to " + ec.NewEmail + ".",
			"If it was not you, this " + what + " and signs your account out on every device. Then sign in again and check your account settings.",
		},
		Action: "/account/email/report/" + token, Button: "It was not me: stop it", Danger: true,
	})
}

// reportEmailChange cancels the change, or undoes it when it was already
// confirmed (while the account still has the new address), ends every
// session and voids every sign-in link already sent: in one transaction, once.
func (h *Handler) reportEmailChange(c *fiber.Ctx) error {
	token := c.Params("token")
	if !secret.WellFormed(token) {
		return h.badReportLink(c, "unknown")
	}
	hash := secret.Hash(token)
	ctx := c.Context()
	var ec queries.EmailChange
	restored := false
	now := h.Clock.Now()
	err := h.Store.Tx(ctx, func(q *queries.Queries) error {
		var err error
		ec, err = q.ReportEmailChange(ctx, queries.ReportEmailChangeParams{CancelHash: hash, Now: now})
		if err != nil {
			return err
		}
		// Whatever is still pending (a newer request too) goes.
		if err := q.CancelPendingEmailChanges(ctx, queries.CancelPendingEmailChangesParams{OrganizationID: ec.OrganizationID, UserID: ec.UserID, Now: now}); err != nil {
			return err
		}
		if ec.ConfirmedAt != nil {
			n, err := q.SetUserEmail(ctx, queries.SetUserEmailParams{OrganizationID: ec.OrganizationID, ID: ec.UserID, OldEmail: ec.NewEmail, NewEmail: ec.OldEmail})
			if err != nil && !queries.IsDuplicate(err) {
				return err
			}
			restored = err == nil && n == 1
		}
		if _, err := q.UseUpUserLoginTokens(ctx, queries.UseUpUserLoginTokensParams{OrganizationID: ec.OrganizationID, UserID: ec.UserID, Now: now}); err != nil {
			return err
		}
		_, err = q.DeleteUserSessions(ctx, queries.DeleteUserSessionsParams{OrganizationID: ec.OrganizationID, UserID: ec.UserID})
		return err
	})
	if queries.IsNotFound(err) {
		ec, lerr := h.Store.GetEmailChangeByCancelHash(ctx, hash)
		if lerr != nil {
			return h.badReportLink(c, "unknown")
		}
		return h.badReportLink(c, reportState(ec, now))
	}
	if err != nil {
		return err
	}
	h.Log.Warn("email change reported by the old address; sessions ended", "email_change_id", ec.ID, "user_id", ec.UserID, "restored", restored)
	h.setCookie(c, "session", "", -1)
	lines := []string{"The change is cancelled and your account is signed out on every device."}
	if ec.ConfirmedAt != nil && restored {
		lines[0] = "Your account has its address " + ec.OldEmail + " back and is signed out on every device."
	} else if ec.ConfirmedAt != nil {
		lines[0] = "Your account is signed out on every device, but its address had changed again and could not be set back. Contact the program team."
	}
	lines = append(lines, "Sign in again with "+ec.OldEmail+" and check your account settings.")
	return h.renderAccountLink(c, fiber.StatusOK, "Address change stopped", accountLink{
		Heading: "Done: nobody is signed in to your account any more", Lines: lines, SignInLink: true})
}

func reportState(ec queries.EmailChange, now time.Time) string {
	switch {
	case ec.ReportedAt != nil:
		return "used"
	case !now.Before(ec.CancelExpiresAt):
		return "expired"
	}
	return ""
}

func (h *Handler) badReportLink(c *fiber.Ctx, reason string) error {
	msg := map[string]string{
		"unknown": "We do not recognise this link.",
		"used":    "This link was already used: the change was stopped and every session ended then. If something still looks wrong, sign in and check your account settings.",
		"expired": "This link has expired. If you did not ask for the change, contact the program team.",
	}[reason]
	return h.badAccountLink(c, "Link not valid", reason, msg)
}
