package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showConsoleSignature shows any signature given to the staff user's
// organization; another organization's signature is a 404.
func (h *Handler) showConsoleSignature(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	row, err := h.Store.GetSignatureForOrganization(c.Context(), queries.GetSignatureForOrganizationParams{
		OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	p := h.newPage(c, row.Title+" · "+row.PartnerName)
	p.Section = "agreements"
	p.Data = fiber.Map{"Sig": newSignatureView(queries.GetSignatureForPartnerRow(row)),
		"Back": "/console/agreements", "BackLabel": "Agreements"}
	return h.render(c, fiber.StatusOK, "pages/agreement_signed", "", p)
}
