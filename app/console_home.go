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
	// Per-status totals kept by the triggers on leads: three rows, not a
	// count over every lead of the program.
	totals, err := h.Store.LeadStatusTotals(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	var leads, inReview int64
	for _, t := range totals {
		leads += t.Leads
		if t.Status == "in_review" {
			inReview = t.Leads
		}
	}
	p := h.newPage(c, "Overview")
	p.Section = "console"
	p.Data = fiber.Map{"Partners": partners, "Leads": formatCount(leads), "InReview": formatCount(inReview),
		"AgreementsEnabled": u.AgreementsEnabled}
	return h.render(c, fiber.StatusOK, "pages/console_home", "", p)
}
