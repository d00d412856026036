package app

import (
	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"partnerportal/queries"
)

// overviewTarget is the id of the Overview tab's content: a change of period
// swaps it whole (figures, chart and lead list in one response).
const overviewTarget = "overview"

// overviewPage is what the Overview tab renders.
type overviewPage struct {
	Period                 Period
	Leads, Won             string
	Revenue, Pending, Paid []string // one figure per currency
	Chart                  *chart
	List                   *leadList
}

// showDashboard is the partner's home, its Overview tab. The Tracking Links
// and Rewards tabs are their own pages (/dashboard/links, /dashboard/rewards);
// old ?tab= links still land there.
func (h *Handler) showDashboard(c *fiber.Ctx) error {
	switch c.Query("tab") {
	case "", "overview":
		return h.showOverview(c)
	case "links":
		return c.Redirect("/dashboard/links", fiber.StatusMovedPermanently)
	case "rewards":
		return c.Redirect("/dashboard/rewards", fiber.StatusMovedPermanently)
	}
	return fiber.ErrNotFound
}

// showOverview shows the company's figures, chart and leads for a period
// (?period=…, in the organization's time zone). htmx asks for one of two
// fragments: the whole Overview when the period changes, or only the lead
// list's results when a list filter changes (then the figures and the chart
// are not computed at all).
func (h *Handler) showOverview(c *fiber.Ctx) error {
	u := currentUser(c)
	now := h.Clock.Now()
	period := parsePeriod(c.Query("period"), c.Query("from"), c.Query("to"), now, u.OrganizationTZ)
	f := readLeadFilter(c, period, true)
	fragment := leadListFragment(c)
	listOnly := fragment != ""
	if !listOnly {
		fragment = "dashboard/overview"
	}
	data := &overviewPage{Period: period}
	span := newChartSpan(period, now)
	dayFrom, dayTo := period.Days()
	var created []queries.ChartCreatedLeadsForPartnerRow
	var won []queries.ChartWonLeadsForPartnerRow
	// With no search, the list's status counts for the period are sums of
	// the chart's rows: the list then only reads its page of rows.
	countsFromChart := !listOnly && f.Term() == ""
	var rows []queries.ListLeadsForPartnerRow
	g, ctx := errgroup.WithContext(c.Context())
	g.Go(func() (err error) {
		if countsFromChart {
			rows, err = h.leadPage(ctx, u, f)
		} else {
			data.List, err = h.loadLeadList(ctx, u, "/dashboard", f)
		}
		return err
	})
	if !listOnly {
		// Prepared statements: the day rows' primary key is the plan for any
		// period, so the chart needs no planning per request.
		q := h.Store
		if span.Unit == "month" {
			// Whole months from the month rows (the page as it opens:
			// lifetime), the partial ones from the day rows.
			r := newMonthRanges(dayFrom, dayTo)
			g.Go(func() (err error) {
				created, err = chartCreatedByMonth(ctx, q.Queries, u, r, span.FirstMonth)
				return err
			})
			g.Go(func() (err error) {
				won, err = chartWonByMonth(ctx, q.Queries, u, r, span.FirstMonth)
				return err
			})
		} else {
			g.Go(func() (err error) {
				created, err = q.ChartCreatedLeadsForPartner(ctx, queries.ChartCreatedLeadsForPartnerParams{
					OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, DayFrom: dayFrom, DayTo: dayTo,
					Unit: span.Unit, FirstBucket: span.FirstBucket, FirstMonth: span.FirstMonth})
				return err
			})
			g.Go(func() (err error) {
				won, err = q.ChartWonLeadsForPartner(ctx, queries.ChartWonLeadsForPartnerParams{
					OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, DayFrom: dayFrom, DayTo: dayTo,
					Unit: span.Unit, FirstBucket: span.FirstBucket, FirstMonth: span.FirstMonth})
				return err
			})
		}
		g.Go(func() (err error) {
			data.Pending, data.Paid, err = h.commissionFigures(ctx, u, period)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if !listOnly {
		// The figures are the chart's sums: the two always agree.
		data.Chart = buildChart(created, won, span, period, u.Currency)
		data.Leads, data.Won = formatCount(data.Chart.Leads), formatCount(data.Chart.Won)
		data.Revenue = amounts(data.Chart.Revenue, u.Currency)
	}
	if countsFromChart {
		data.List = newLeadList(u, "/dashboard", f, statusCounts(created), rows, false)
	}
	c.Vary("HX-Target")
	if isFragmentRequest(c) {
		// The pushed address is the canonical one (defaults left out), so
		// reloading it shows the same thing.
		c.Set("HX-Push-Url", withQuery("/dashboard", f.Values()))
		if listOnly {
			announce(c, data.List.Outcome())
		} else {
			announce(c, period.Label+": "+data.Leads+" leads, "+data.Won+" won.")
			announceError(c, period.Error)
		}
	}
	p := h.newPage(c, "Dashboard")
	p.Section = "dashboard"
	p.Data = data
	return h.render(c, fiber.StatusOK, "pages/dashboard", fragment, p)
}

// statusCounts adds up the chart's leads per status into the list's tab
// counts.
func statusCounts(created []queries.ChartCreatedLeadsForPartnerRow) queries.CountLeadsForPartnerByStatusRow {
	var c queries.CountLeadsForPartnerByStatusRow
	for _, r := range created {
		c.Total += r.Leads
		switch r.Status {
		case "approved":
			c.Approved += r.Leads
		case "in_review":
			c.InReview += r.Leads
		case "rejected":
			c.Rejected += r.Leads
		}
	}
	return c
}
