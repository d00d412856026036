package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showSignedAgreement shows one of the company's signatures with the text it
// covers, from Account Settings. Another company's signature is a 404.
func (h *Handler) showSignedAgreement(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	row, err := h.Store.GetSignatureForPartner(c.Context(), queries.GetSignatureForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
	if err != nil {
		return err
	}
	p := h.newPage(c, row.Title)
	p.Data = fiber.Map{"Sig": newSignatureView(row), "Back": "/account", "BackLabel": "Account settings"}
	return h.render(c, fiber.StatusOK, "pages/agreement_signed", "", p)
}
