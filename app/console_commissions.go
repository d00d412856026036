package app

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/commission"
	"partnerportal/queries"
)

// consoleCommissionFilter is the console list's query string.
type consoleCommissionFilter struct {
	Status, Kind string
	PartnerID    int64
	Period       Period
}

func (f consoleCommissionFilter) Values() url.Values {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Kind != "" {
		v.Set("kind", f.Kind)
	}
	if f.PartnerID != 0 {
		v.Set("partner", strconv.FormatInt(f.PartnerID, 10))
	}
	if !f.Period.IsLifetime() || f.Period.Selected == "custom" {
		f.Period.Set(v)
	}
	return v
}

// Query is the filter as a query string.
func (f consoleCommissionFilter) Query() string { return f.Values().Encode() }

func parseConsoleCommissionFilter(c *fiber.Ctx, now time.Time, tz string) consoleCommissionFilter {
	f := consoleCommissionFilter{Status: c.Query("status"), Kind: c.Query("kind"),
		Period: parsePeriod(c.Query("period"), c.Query("from"), c.Query("to"), now, tz)}
	if !slices.Contains(commission.Statuses, f.Status) {
		f.Status = ""
	}
	if !slices.Contains(commission.Kinds, f.Kind) {
		f.Kind = ""
	}
	if id, err := strconv.ParseInt(c.Query("partner"), 10, 64); err == nil && id > 0 {
		f.PartnerID = id
	}
	return f
}

type consoleCommissionsData struct {
	Filter   consoleCommissionFilter
	Rows     []commissionRow
	Pager    Pager
	Total    int64  // at most commissionCountCap
	Matched  string // Total for people: "10,000+" at the cap
	Partners []queries.ListPartnerChoicesRow
	Kinds    []kindChoice
	Back     string // this list's URL, where actions return
}

func (h *Handler) showConsoleCommissions(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	p := h.newPage(c, "Commissions")
	p.Section = "commissions"
	now := h.Clock.Now()
	d := &consoleCommissionsData{Filter: parseConsoleCommissionFilter(c, now, u.OrganizationTZ), Kinds: kindChoices()}
	f := d.Filter
	q := h.Store.CustomPlans() // planned for the actual filters (queries/custom_plans.go)
	total, err := q.CountCommissionsForOrganization(ctx, queries.CountCommissionsForOrganizationParams{
		OrganizationID: u.OrganizationID, PartnerID: f.PartnerID, Status: f.Status, Kind: f.Kind,
		PeriodFrom: f.Period.From, PeriodTo: f.Period.To, MaxCount: commissionCountCap})
	if err != nil {
		return err
	}
	d.Total, d.Matched = total, commissionCountLabel(total)
	d.Pager = newPager(c, pageNumber(c), 50, total)
	rows, err := q.ListCommissionsForOrganization(ctx, queries.ListCommissionsForOrganizationParams{
		OrganizationID: u.OrganizationID, PartnerID: f.PartnerID, Status: f.Status, Kind: f.Kind,
		PeriodFrom: f.Period.From, PeriodTo: f.Period.To, MaxRows: d.Pager.Limit(), SkipRows: d.Pager.Offset()})
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, newCommissionRow(r.Commission, r.LeadCompany, r.PartnerName, now))
	}
	if err := h.linkConsoleCommissionInvoices(c, u, d.Rows); err != nil {
		return err
	}
	if d.Partners, err = q.ListPartnerChoices(ctx, u.OrganizationID); err != nil {
		return err
	}
	d.Back = "/console/commissions"
	if q := string(c.Request().URI().QueryString()); q != "" {
		d.Back += "?" + q
	}
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/console_commissions", "", p)
}

// backToCommissions is where a console commission action returns: the list
// URL the form carried, or the plain list (never another site).
func backToCommissions(c *fiber.Ctx) string {
	back := c.FormValue("back")
	if back == "/console/commissions" || strings.HasPrefix(back, "/console/commissions?") {
		return back
	}
	return "/console/commissions"
}

// approveCommissions approves the checked commissions (or the one of a row's
// button). Those still in their hold are left pending, and the flash says so.
func (h *Handler) approveCommissions(c *fiber.Ctx) error {
	u := currentUser(c)
	var ids []int64
	for _, raw := range c.Request().PostArgs().PeekMulti("id") {
		if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil && id > 0 && len(ids) < 500 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		h.flash(c, "Choose at least one commission to approve.")
		return redirect(c, backToCommissions(c))
	}
	eng := &commission.Engine{Now: h.Clock.Now}
	var approved []queries.ApproveCommissionsRow
	var notes []int64
	err := h.Store.Tx(c.Context(), func(q *queries.Queries) (err error) {
		approved, notes, err = eng.Approve(c.Context(), q, u.OrganizationID, ids, &u.ID)
		return err
	})
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(c.Context(), notes)
	msg := "Approved " + plural(len(approved), "commission", "commissions") + "."
	if left := len(ids) - len(approved); left > 0 {
		msg += " " + plural(left, "was", "were") + " not approved: still in the hold period, or no longer pending."
	}
	h.flash(c, msg)
	return redirect(c, backToCommissions(c))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// linkConsoleCommissionInvoices names the live invoice that carries each
// row of the console list (one query for the page).
func (h *Handler) linkConsoleCommissionInvoices(c *fiber.Ctx, u *User, rows []commissionRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	invs, err := h.Store.ListInvoicesOfOrganizationCommissions(c.Context(), queries.ListInvoicesOfOrganizationCommissionsParams{
		OrganizationID: u.OrganizationID, CommissionIds: ids})
	if err != nil {
		return err
	}
	by := make(map[int64]queries.ListInvoicesOfOrganizationCommissionsRow, len(invs))
	for _, i := range invs {
		by[i.CommissionID] = i
	}
	for k := range rows {
		if i, ok := by[rows[k].ID]; ok {
			rows[k].InvoiceID, rows[k].InvoiceNumber = i.InvoiceID, i.Number
		}
	}
	return nil
}
