package app

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// linkFigures are one link's figures in a period. Amounts are one string per
// currency: different currencies are never added.
type linkFigures struct {
	Clicks, UniqueVisitors, Leads int64
	Revenue, Commission           []string
}

// linkRow is a link as the tables show it.
type linkRow struct {
	queries.TrackingLink
	URL string
	linkFigures
	Toggle linkToggle
}

// linkTable is one table of links (referral or marketplace).
type linkTable struct {
	Rows  []linkRow
	Admin bool   // partner admins see Edit and (De)activate
	Query string // the period, carried to the link pages ("?period=…")
}

// linkToggle feeds links/active_form; Return says where to come back to
// ("list" or "detail").
type linkToggle struct {
	ID     int64
	Name   string
	Active bool
	CSRF   string
	Return string
}

// linksPeriod reads the period of the Tracking Links pages from the query.
func (h *Handler) linksPeriod(c *fiber.Ctx, u *User) Period {
	return parsePeriod(c.Query("period"), c.Query("from"), c.Query("to"), h.Clock.Now(), u.OrganizationTZ)
}

// linkURL is the address a partner shares: BASE_URL/r/{code}.
func (h *Handler) linkURL(code string) string {
	return h.Config.BaseURL.String() + "/r/" + code
}

// showLinks is the Dashboard's Tracking Links tab: the partner's referral
// and marketplace links with their figures for the chosen period.
func (h *Handler) showLinks(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	period := h.linksPeriod(c, u)
	links, err := h.Store.ListTrackingLinksForPartner(ctx, queries.ListTrackingLinksForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return err
	}
	figures, err := h.linkFigures(ctx, u, period, 0)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Tracking links")
	q := url.Values{}
	period.Set(q)
	referral := linkTable{Admin: u.IsPartnerAdmin(), Query: "?" + q.Encode()}
	marketplace := referral
	for _, l := range links {
		row := linkRow{TrackingLink: l, URL: h.linkURL(l.Code), linkFigures: figures.of(l.ID, u.Currency),
			Toggle: linkToggle{ID: l.ID, Name: l.Name, Active: l.Active, CSRF: p.CSRF, Return: "list"}}
		if l.Kind == "marketplace" {
			marketplace.Rows = append(marketplace.Rows, row)
		} else {
			referral.Rows = append(referral.Rows, row)
		}
	}
	p.Section = "dashboard"
	p.Data = fiber.Map{"Tab": "links", "Period": period, "Action": "/dashboard/links",
		"Referral": referral, "Marketplace": marketplace}
	announce(c, "Figures for "+period.Label+".")
	return h.render(c, fiber.StatusOK, "pages/links", "links/tables", p)
}

// figureSet holds the figures of several links, by link id.
type figureSet struct {
	counts  map[int64]*linkFigures
	revenue map[int64]map[string]int64
	commish map[int64]map[string]int64
}

// of returns one link's figures (zeros when it had none), amounts formatted
// per currency with the organization's currency first.
func (s figureSet) of(linkID int64, orgCurrency string) linkFigures {
	var f linkFigures
	if c := s.counts[linkID]; c != nil {
		f = *c
	}
	f.Revenue = amounts(s.revenue[linkID], orgCurrency)
	f.Commission = amounts(s.commish[linkID], orgCurrency)
	return f
}

// linkFigures loads the figures of all the partner's links (linkID 0) or of
// one, in one query.
func (h *Handler) linkFigures(ctx context.Context, u *User, p Period, linkID int64) (figureSet, error) {
	rows, err := h.Store.ListTrackingLinkFigures(ctx, queries.ListTrackingLinkFiguresParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, LinkID: linkID,
		Tz: u.OrganizationTZ, PeriodFrom: p.From, PeriodTo: p.To})
	if err != nil {
		return figureSet{}, err
	}
	s := figureSet{counts: map[int64]*linkFigures{}, revenue: map[int64]map[string]int64{}, commish: map[int64]map[string]int64{}}
	for _, r := range rows {
		if r.Currency == "" {
			s.counts[r.LinkID] = &linkFigures{Clicks: r.Clicks, UniqueVisitors: r.UniqueVisitors, Leads: r.Leads}
			continue
		}
		if r.RevenueMinor != 0 {
			if s.revenue[r.LinkID] == nil {
				s.revenue[r.LinkID] = map[string]int64{}
			}
			s.revenue[r.LinkID][r.Currency] = r.RevenueMinor
		}
		if r.CommissionMinor != 0 {
			if s.commish[r.LinkID] == nil {
				s.commish[r.LinkID] = map[string]int64{}
			}
			s.commish[r.LinkID][r.Currency] = r.CommissionMinor
		}
	}
	return s, nil
}
