package app

import (
	"time"

	"errors"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

var errEmailChangeStale = errors.New("the account's address changed since the request")

// showEmailConfirm answers GET and HEAD of the link sent to a new address: it
// only reads; the button POSTs.
func (h *Handler) showEmailConfirm(c *fiber.Ctx) error {
	token := c.Params("token")
	if !secret.WellFormed(token) {
		return h.badEmailLink(c, "unknown")
	}
	ec, err := h.Store.GetEmailChangeByConfirmHash(c.Context(), secret.Hash(token))
	if queries.IsNotFound(err) {
		return h.badEmailLink(c, "unknown")
	}
	if err != nil {
		return err
	}
	if reason := emailChangeState(ec, h.Clock.Now()); reason != "" {
		return h.badEmailLink(c, reason)
	}
	return h.renderAccountLink(c, fiber.StatusOK, "Confirm your new address", accountLink{
		Heading: "Use " + ec.NewEmail + " to sign in?",
		Lines:   []string{"Your account signs in with " + MaskEmail(ec.OldEmail) + " today. Confirming makes " + ec.NewEmail + " its sign-in address."},
		Action:  "/account/email/confirm/" + token, Button: "Confirm the new address",
	})
}

// confirmEmailChange uses the link up (atomically) and changes the address,
// in one transaction; only while the account still has the old address.
func (h *Handler) confirmEmailChange(c *fiber.Ctx) error {
	token := c.Params("token")
	if !secret.WellFormed(token) {
		return h.badEmailLink(c, "unknown")
	}
	hash := secret.Hash(token)
	ctx := c.Context()
	var ec queries.EmailChange
	err := h.Store.Tx(ctx, func(q *queries.Queries) error {
		var err error
		ec, err = q.ConfirmEmailChange(ctx, queries.ConfirmEmailChangeParams{ConfirmHash: hash, Now: h.Clock.Now()})
		if err != nil {
			return err
		}
		n, err := q.SetUserEmail(ctx, queries.SetUserEmailParams{OrganizationID: ec.OrganizationID, ID: ec.UserID, OldEmail: ec.OldEmail, NewEmail: ec.NewEmail})
		switch {
		case queries.IsDuplicate(err):
			return errAccountExists
		case err != nil:
			return err
		case n == 0:
			return errEmailChangeStale
		}
		return nil
	})
	switch {
	case errors.Is(err, errAccountExists):
		return h.badEmailLink(c, "exists") // seen only by the owner of the new address
	case errors.Is(err, errEmailChangeStale):
		return h.badEmailLink(c, "stale")
	case queries.IsNotFound(err):
		ec, lerr := h.Store.GetEmailChangeByConfirmHash(ctx, hash)
		if lerr != nil {
			return h.badEmailLink(c, "unknown")
		}
		return h.badEmailLink(c, emailChangeState(ec, h.Clock.Now()))
	case err != nil:
		return err
	}
	h.Log.Info("email change confirmed", "email_change_id", ec.ID, "user_id", ec.UserID)
	h.flash(c, "Your sign-in address is now "+ec.NewEmail+".")
	if u := currentUser(c); u != nil && u.ID == ec.UserID {
		return redirect(c, "/account")
	}
	return redirect(c, "/login")
}

// emailChangeState says why a confirm link can no longer be used ("" = it can).
func emailChangeState(ec queries.EmailChange, now time.Time) string {
	switch {
	case ec.ConfirmedAt != nil:
		return "used"
	case ec.CancelledAt != nil:
		return "cancelled"
	case !now.Before(ec.ExpiresAt):
		return "expired"
	}
	return ""
}

func (h *Handler) badEmailLink(c *fiber.Ctx, reason string) error {
	msg := map[string]string{
		"unknown":   "We do not recognise this link. If you asked for the change again, use the newest email.",
		"used":      "This address was already confirmed. Sign in with it.",
		"cancelled": "This change was cancelled or replaced by a newer request, so the link no longer works.",
		"expired":   "This link has expired. Ask for the change again from your account settings.",
		"exists":    "This address already has an account in the partner portal, so it cannot be used for another one. Nothing was changed.",
		"stale":     "The account's address changed since this request, so nothing was changed. Ask for the change again from your account settings.",
	}[reason]
	return h.badAccountLink(c, "Link not valid", reason, msg)
}
