package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showDashboard is the partner's home: Overview, Tracking Links and Rewards tabs.
func (h *Handler) showDashboard(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	tab := c.Query("tab", "overview")
	data := fiber.Map{"Tab": tab}
	switch tab {
	case "overview":
		totals, err := h.Store.PartnerLeadTotals(ctx, queries.PartnerLeadTotalsParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
		if err != nil {
			return err
		}
		leads, err := h.Store.ListRecentLeadsForPartner(ctx, queries.ListRecentLeadsForPartnerParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Limit: 10})
		if err != nil {
			return err
		}
		data["Totals"], data["Leads"] = totals, leads
	case "rewards":
		partner, err := h.Store.GetPartner(ctx, queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID})
		if err != nil {
			return err
		}
		data["Partner"] = partner
	case "links":
	default:
		return fiber.ErrNotFound
	}
	p := h.newPage(c, "Dashboard")
	p.Section = "dashboard"
	p.Data = data
	return h.render(c, fiber.StatusOK, "pages/dashboard", "", p)
}
