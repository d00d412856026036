package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// resendPartnerInvitations lets staff send a partner company's open
// invitations again (new links, new validity): the first admin of a company
// staff added may have missed or let expire theirs. Counted against the
// company's daily invitation limit.
func (h *Handler) resendPartnerInvitations(c *fiber.Ctx) error {
	u := currentUser(c)
	partnerID, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx := c.Context()
	open, err := h.Store.ListOpenInvitations(ctx, queries.ListOpenInvitationsParams{OrganizationID: u.OrganizationID, PartnerID: partnerID})
	if err != nil {
		return err
	}
	if len(open) == 0 {
		return fiber.ErrNotFound // another organization's partner, or nothing to resend
	}
	sent := 0
	for _, inv := range open {
		ok, err := h.allowInvite(ctx, partnerID)
		if err != nil {
			return err
		}
		if !ok {
			return fiber.NewError(fiber.StatusTooManyRequests, inviteLimitMessage)
		}
		renewed, err := h.Store.RenewInvitation(ctx, queries.RenewInvitationParams{
			OrganizationID: u.OrganizationID, PartnerID: partnerID, ID: inv.ID,
			RequestID: secret.New()[:22], ExpiresAt: h.Clock.Now().Add(h.Config.InviteTTL)})
		if queries.IsNotFound(err) {
			continue // accepted or revoked meanwhile
		}
		if err != nil {
			return err
		}
		h.enqueueInvitation(c, renewed)
		sent++
	}
	h.flash(c, strconv.Itoa(sent)+" invitation(s) sent again; earlier links no longer work.")
	return redirect(c, "/console/partners")
}
