package app

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

var errAccountExists = errors.New("the address already has an account")

// showInvitation answers GET and HEAD of an invitation link: it only reads.
func (h *Handler) showInvitation(c *fiber.Ctx) error {
	token := c.Params("token")
	if !secret.WellFormed(token) {
		return h.badInvitation(c, "unknown")
	}
	inv, err := h.Store.GetInvitationByToken(c.Context(), secret.Hash(token))
	if queries.IsNotFound(err) {
		return h.badInvitation(c, "unknown")
	}
	if err != nil {
		return err
	}
	if reason := invitationState(inv.AcceptedAt, inv.RevokedAt, inv.ExpiresAt, h.Clock.Now()); reason != "" {
		return h.badInvitation(c, reason)
	}
	return h.renderAccountLink(c, fiber.StatusOK, "Your invitation", accountLink{
		Heading: "Join " + inv.PartnerName + " in the " + inv.OrganizationName + " partner portal",
		Lines: []string{
			"You are invited as " + roleWithArticle(inv.Role) + " of " + inv.PartnerName + ", with the address " + inv.Email + ".",
			"Accepting creates your account and signs you in. Afterwards you sign in with a link sent to this address.",
		},
		Action: "/invite/" + token, Button: "Accept and sign in",
	})
}

// acceptInvitation uses the invitation up (atomically) and creates the
// account and a session in the same transaction.
func (h *Handler) acceptInvitation(c *fiber.Ctx) error {
	token := c.Params("token")
	if !secret.WellFormed(token) {
		return h.badInvitation(c, "unknown")
	}
	hash := secret.Hash(token)
	ctx := c.Context()
	var user queries.User
	now := h.Clock.Now()
	err := h.Store.Tx(ctx, func(q *queries.Queries) error {
		inv, err := q.AcceptInvitation(ctx, queries.AcceptInvitationParams{TokenHash: hash, Now: now})
		if err != nil {
			return err
		}
		user, err = q.CreatePartnerUser(ctx, queries.CreatePartnerUserParams{
			OrganizationID: inv.OrganizationID, PartnerID: &inv.PartnerID, Role: inv.Role, Email: inv.Email, Name: inv.Name, CreatedAt: now})
		if queries.IsDuplicate(err) {
			return errAccountExists
		}
		if err != nil {
			return err
		}
		if err := q.MarkUserLoggedIn(ctx, queries.MarkUserLoggedInParams{Now: now, ID: user.ID}); err != nil {
			return err
		}
		return h.startSession(c, q, user.ID)
	})
	switch {
	case errors.Is(err, errAccountExists):
		// Only the owner of the address sees this: the invitation came to it.
		return h.badInvitation(c, "exists")
	case queries.IsNotFound(err):
		inv, lerr := h.Store.GetInvitationByToken(ctx, hash)
		if lerr != nil {
			return h.badInvitation(c, "unknown")
		}
		return h.badInvitation(c, invitationState(inv.AcceptedAt, inv.RevokedAt, inv.ExpiresAt, h.Clock.Now()))
	case err != nil:
		return err
	}
	h.Log.Info("invitation accepted", "user_id", user.ID)
	h.flash(c, "Welcome! Your account is ready.")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// invitationState says why an invitation can no longer be used ("" = it can).
func invitationState(accepted, revoked *time.Time, expires time.Time, now time.Time) string {
	switch {
	case accepted != nil:
		return "used"
	case revoked != nil:
		return "revoked"
	case !now.Before(expires):
		return "expired"
	}
	return ""
}

func (h *Handler) badInvitation(c *fiber.Ctx, reason string) error {
	msg := map[string]string{
		"unknown": "We do not recognise this invitation link. If you were sent a newer invitation, use that one.",
		"used":    "This invitation has already been accepted. Sign in with the address it was sent to.",
		"revoked": "This invitation was withdrawn. Ask the person who invited you to send a new one.",
		"expired": "This invitation has expired. Ask the person who invited you to send it again.",
		"exists":  "This address already has an account in the partner portal, so it cannot accept the invitation. Sign in with it, or ask to be invited at another address.",
	}[reason]
	return h.badAccountLink(c, "Invitation not valid", reason, msg)
}
