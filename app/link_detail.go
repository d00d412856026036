package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/app/clicks"
	"partnerportal/queries"
)

// showLink is one tracking link's page: where it leads, its figures for the
// period and a chart of its clicks. Another partner's link is a 404.
func (h *Handler) showLink(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	id, err := paramID(c)
	if err != nil {
		return err
	}
	link, err := h.Store.GetTrackingLinkForPartner(ctx, queries.GetTrackingLinkForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
	if err != nil {
		return err
	}
	period := h.linksPeriod(c, u)
	figures, err := h.linkFigures(ctx, u, period, link.ID)
	if err != nil {
		return err
	}
	days, err := h.Store.ListTrackingLinkDailyStats(ctx, queries.ListTrackingLinkDailyStatsParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, LinkID: link.ID,
		Tz: u.OrganizationTZ, PeriodFrom: period.From, PeriodTo: period.To})
	if err != nil {
		return err
	}
	first, last := clickChartRange(period, link.CreatedAt, days, h.Clock.Now())
	p := h.newPage(c, link.Name+" · Tracking links")
	p.Section = "dashboard"
	p.Data = fiber.Map{
		"Tab": "links", "Period": period, "Action": "/dashboard/links/" + c.Params("id"),
		"Link": link, "URL": h.linkURL(link.Code), "Figures": figures.of(link.ID, u.Currency),
		"Destination": clicks.WithUTM(link.Destination, link.UtmSource, link.UtmMedium, link.UtmCampaign),
		"Chart":       buildClickChart(days, first, last, period.Label),
		"Toggle":      linkToggle{ID: link.ID, Name: link.Name, Active: link.Active, CSRF: p.CSRF, Return: "detail"},
	}
	announce(c, "Figures for "+period.Label+".")
	return h.render(c, fiber.StatusOK, "pages/link_detail", "links/detail_body", p)
}
