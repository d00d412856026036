package app

import (
	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"partnerportal/queries"
)

// leadsPage is what pages/leads renders.
type leadsPage struct {
	Leads, Won    string
	Pending, Paid []string // one figure per currency
	List          *leadList
}

// showLeads is the Leads page, "Your Leads": lifetime figures and the list.
// An htmx request from the list's filters gets only the list's results.
func (h *Handler) showLeads(c *fiber.Ctx) error {
	u := currentUser(c)
	lifetime := parsePeriod("lifetime", "", "", h.Clock.Now(), u.OrganizationTZ)
	f := readLeadFilter(c, lifetime, false)
	fragment := leadListFragment(c)
	data := &leadsPage{}
	g, ctx := errgroup.WithContext(c.Context())
	g.Go(func() (err error) {
		data.List, err = h.loadLeadList(ctx, u, "/leads", f)
		return err
	})
	var leads int64
	if fragment == "" { // the figures are not part of the fragment
		g.Go(func() error {
			dayFrom, dayTo := lifetime.Days()
			won, err := h.Store.CountWonLeadsForPartner(ctx, queries.CountWonLeadsForPartnerParams{
				OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, DayFrom: dayFrom, DayTo: dayTo})
			data.Won = formatCount(won)
			return err
		})
		g.Go(func() (err error) {
			data.Pending, data.Paid, err = h.commissionFigures(ctx, u, lifetime)
			return err
		})
		if f.Term() != "" { // the list counts only the matches; the figure counts all
			g.Go(func() error {
				all, err := h.leadStatusCounts(ctx, u, f.Period, "")
				leads = all.Total
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if f.Term() == "" {
		leads = data.List.All // every lead of the company: the list's All tab
	}
	data.Leads = formatCount(leads)
	data.List.ExportURL = withQuery("/leads/export.csv", exportValues(f))
	c.Vary("HX-Target")
	if fragment != "" {
		c.Set("HX-Push-Url", withQuery("/leads", f.Values())) // the canonical address of what is shown
		announce(c, data.List.Outcome())
	}
	p := h.newPage(c, "Leads")
	p.Section = "leads"
	p.Data = data
	return h.render(c, fiber.StatusOK, "pages/leads", fragment, p)
}
