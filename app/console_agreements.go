package app

import (
	"github.com/gofiber/fiber/v2"
)

// showConsoleAgreements lists the organization's agreements with the
// organization-wide signing switch and the form for a new agreement.
func (h *Handler) showConsoleAgreements(c *fiber.Ctx) error {
	p := h.newPage(c, "Agreements")
	p.Form = map[string]string{}
	return h.renderConsoleAgreements(c, fiber.StatusOK, p)
}

func (h *Handler) renderConsoleAgreements(c *fiber.Ctx, status int, p *Page) error {
	u := p.User
	list, err := h.Store.ListAgreements(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	p.Section = "agreements"
	p.Data = fiber.Map{"Agreements": list, "OrgEnabled": u.AgreementsEnabled}
	return h.render(c, status, "pages/console_agreements", "", p)
}
