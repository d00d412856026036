package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// resendInvitation sends an open invitation again with a new link and a new
// validity; the earlier link stops working. It counts against the company's
// daily limit like a first send.
func (h *Handler) resendInvitation(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := memberID(c)
	if err != nil {
		return err
	}
	ok, err := h.allowInvite(c.Context(), u.PartnerID)
	if err != nil {
		return err
	}
	if !ok {
		p := h.newPage(c, "Team")
		p.Errors = map[string]string{"invitations": inviteLimitMessage}
		return h.renderTeam(c, fiber.StatusTooManyRequests, p)
	}
	inv, err := h.Store.RenewInvitation(c.Context(), queries.RenewInvitationParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id,
		RequestID: secret.New()[:22], ExpiresAt: h.Clock.Now().Add(h.Config.InviteTTL)})
	if err != nil {
		return err // not an open invitation of this company: 404
	}
	h.enqueueInvitation(c, inv)
	h.flash(c, "Invitation sent again to "+inv.Email+". The earlier link no longer works.")
	return redirect(c, "/manage")
}
