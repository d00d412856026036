package app

import (
	"github.com/gofiber/fiber/v2"
)

// showConsoleHome is the staff overview of the organization's program.
func (h *Handler) showConsoleHome(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	partners, err := h.Store.CountPartnersForOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	leads, err := h.Store.CountLeadsForOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	inReview, err := h.Store.CountLeadsInReviewForOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Overview")
	p.Section = "console"
	p.Data = fiber.Map{"Partners": partners, "Leads": leads, "InReview": inReview,
		"AgreementsEnabled": u.AgreementsEnabled}
	return h.render(c, fiber.StatusOK, "pages/console_home", "", p)
}
