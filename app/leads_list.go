package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

const leadsPerPage = 25

// showLeads lists the partner company's leads, newest first, a page at a time.
func (h *Handler) showLeads(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	total, err := h.Store.CountLeadsForPartner(ctx, queries.CountLeadsForPartnerParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return err
	}
	pager := newPager(c, pageNumber(c), leadsPerPage, total)
	leads, err := h.Store.ListRecentLeadsForPartner(ctx, queries.ListRecentLeadsForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Limit: pager.Limit(), Offset: pager.Offset()})
	if err != nil {
		return err
	}
	p := h.newPage(c, "Leads")
	p.Section = "leads"
	p.Data = fiber.Map{"Leads": leads, "Pager": pager, "Total": total}
	return h.render(c, fiber.StatusOK, "pages/leads", "", p)
}
