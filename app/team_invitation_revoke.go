package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// revokeInvitation withdraws an open invitation: its link stops working.
func (h *Handler) revokeInvitation(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := memberID(c)
	if err != nil {
		return err
	}
	inv, err := h.Store.RevokeInvitation(c.Context(), queries.RevokeInvitationParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id, Now: h.Clock.Now()})
	if err != nil {
		return err // not an open invitation of this company: 404
	}
	h.Log.Info("invitation revoked", "invitation_id", inv.ID, "by_user_id", u.ID)
	h.flash(c, "The invitation to "+inv.Email+" is withdrawn; its link no longer works.")
	return redirect(c, "/manage")
}
