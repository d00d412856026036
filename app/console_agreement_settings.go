package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// updateAgreementSettings turns signing on or off for the whole organization.
// The session user is loaded from the database on every request, so the
// partners' gate follows at once.
func (h *Handler) updateAgreementSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	on, err := formSwitch(c, "agreements_enabled")
	if err != nil {
		return err
	}
	if err := h.Store.SetAgreementsEnabled(c.Context(), queries.SetAgreementsEnabledParams{
		ID: u.OrganizationID, AgreementsEnabled: on}); err != nil {
		return err
	}
	if on {
		h.flash(c, "Agreements are on. Partner users are asked to sign every enabled agreement before they use the portal.")
	} else {
		h.flash(c, "Agreements are off. Partner users can use the portal without signing anything.")
	}
	return redirect(c, "/console/agreements")
}
