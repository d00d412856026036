package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

const partnersPerPage = 25

// showConsolePartners lists the organization's partner companies by name, a
// page at a time, with tier, members and leads.
func (h *Handler) showConsolePartners(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	total, err := h.Store.CountPartnersForOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	pager := newPager(c, pageNumber(c), partnersPerPage, total)
	partners, err := h.Store.ListPartnersForOrganization(ctx, queries.ListPartnersForOrganizationParams{
		OrganizationID: u.OrganizationID, Limit: pager.Limit(), Offset: pager.Offset()})
	if err != nil {
		return err
	}
	p := h.newPage(c, "Partners")
	p.Section = "partners"
	p.Data = fiber.Map{"Partners": partners, "Pager": pager, "Total": total}
	return h.render(c, fiber.StatusOK, "pages/console_partners", "", p)
}
