package app

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/commission"
	"partnerportal/app/money"
	"partnerportal/queries"
)

// commissionFilter is the Payments list's query string: status, kind,
// period and a search on the lead's company.
type commissionFilter struct {
	Status, Kind, Q string
	Period          Period
	Tab             string // commissions or spiffs
}

// Query renders the filter back into a query string (page dropped).
func (f commissionFilter) Query() string {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Kind != "" {
		v.Set("kind", f.Kind)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if !f.Period.IsLifetime() || f.Period.Selected == "custom" {
		f.Period.Set(v)
	}
	return v.Encode()
}

func parseCommissionFilter(c *fiber.Ctx, now time.Time, tz string) commissionFilter {
	f := commissionFilter{Status: c.Query("status"), Kind: c.Query("kind"), Q: strings.TrimSpace(c.Query("q")),
		Period: parsePeriod(c.Query("period"), c.Query("from"), c.Query("to"), now, tz)}
	if !slices.Contains(commission.Statuses, f.Status) {
		f.Status = ""
	}
	if !slices.Contains(commission.Kinds, f.Kind) {
		f.Kind = ""
	}
	if len([]rune(f.Q)) > 100 {
		f.Q = string([]rune(f.Q)[:100])
	}
	return f
}

// commissionRow is one commission as the lists show it.
type commissionRow struct {
	ID           int64
	LeadID       int64
	Lead         string
	Partner      string
	Kind         string
	KindLabel    string
	Basis        string // "$18,000.00 × 15%" or "Reached Qualified"
	Reason       string
	Amount       string
	Status       string
	Approvable   time.Time
	Earned       time.Time
	CanApprove   bool
	CanVoid      bool
	AmountMinor  int64
	CurrencyCode string
	// The live invoice that carries the commission, if any.
	InvoiceID     int64
	InvoiceNumber string
}

func newCommissionRow(c queries.Commission, lead, partner string, now time.Time) commissionRow {
	r := commissionRow{ID: c.ID, Lead: lead, Partner: partner, Kind: c.Kind, KindLabel: commission.KindLabel(c.Kind),
		Reason: c.Reason, Amount: money.Format(c.AmountMinor, c.Currency), Status: c.Status,
		Approvable: c.ApprovableAt, Earned: c.EarnedAt, AmountMinor: c.AmountMinor, CurrencyCode: c.Currency,
		CanApprove: c.Status == "pending" && !c.ApprovableAt.After(now),
		CanVoid:    c.Status == "pending" || c.Status == "approved"}
	if c.LeadID != nil {
		r.LeadID = *c.LeadID
	}
	switch {
	case c.RateBps > 0 && c.BasisMinor != 0:
		r.Basis = money.Format(c.BasisMinor, c.Currency) + " × " + money.FormatBps(int64(c.RateBps))
	case c.Kind == commission.KindStageIncentive:
		r.Basis = "Reached " + statusLabel(c.Stage)
	}
	return r
}

// paymentsData is the Payments page.
type paymentsData struct {
	Filter  commissionFilter
	Figures []statusFigure
	Rows    []commissionRow
	Pager   Pager
	Total   int64  // at most commissionCountCap
	Matched string // Total for people: "10,000+" at the cap
	About   aboutCommissions
	Kinds   []kindChoice
	Spiff   bool
	Active  []activeSpiff // the SPIFF tab: campaigns the partner can earn now
}

type activeSpiff struct {
	Name, Description, Amount, What string
	Ends                            time.Time
}

type statusFigure struct {
	Status  string
	Amounts []string
}

// statusFigures are the Pending / Approved / Paid figures from the sums per
// status and currency: one amount per currency, zero in the organization's
// currency when a status has none.
func statusFigures(sums []queries.SumCommissionsByStatusRow, currency string) []statusFigure {
	var figs []statusFigure
	for _, st := range []string{"pending", "approved", "paid"} {
		fig := statusFigure{Status: st}
		for _, s := range sums {
			if s.Status == st {
				fig.Amounts = append(fig.Amounts, money.Format(s.AmountMinor, s.Currency))
			}
		}
		if len(fig.Amounts) == 0 {
			fig.Amounts = []string{money.Format(0, currency)}
		}
		figs = append(figs, fig)
	}
	return figs
}

type kindChoice struct{ Key, Label string }

func kindChoices() []kindChoice {
	out := make([]kindChoice, 0, len(commission.Kinds))
	for _, k := range commission.Kinds {
		out = append(out, kindChoice{k, commission.KindLabel(k)})
	}
	return out
}

// aboutCommissions is the "About your commissions" panel, written from the
// partner's tier and the program's rules.
type aboutCommissions struct {
	Tier, Rate, Trigger string
	HoldDays            int32
	Auto                bool
	Incentives          []string // "$50.00 when a lead reaches Qualified"
}

const commissionsPerPage = 25

// commissionCountCap bounds how many rows the commission lists count: past
// it the lists say "5,000+" and page through the first 5,000 (as the review
// queue does at 10,000); the period filter reaches older rows.
const commissionCountCap = 5000

func commissionCountLabel(n int64) string {
	if n >= commissionCountCap {
		return formatCount(commissionCountCap) + "+"
	}
	return formatCount(n)
}

func (h *Handler) showPayments(c *fiber.Ctx) error { return h.showPaymentsTab(c, "commissions") }

func (h *Handler) showSpiffPayments(c *fiber.Ctx) error { return h.showPaymentsTab(c, "spiffs") }

func (h *Handler) showPaymentsTab(c *fiber.Ctx, tab string) error {
	u := currentUser(c)
	ctx := c.Context()
	p := h.newPage(c, "Payments")
	p.Section = "payments"
	d := &paymentsData{Filter: parseCommissionFilter(c, h.Clock.Now(), u.OrganizationTZ), Kinds: kindChoices(), Spiff: tab == "spiffs"}
	d.Filter.Tab = tab
	kinds := []string{}
	if d.Spiff {
		kinds = []string{commission.KindSpiff}
		d.Filter.Kind = ""
	} else if d.Filter.Kind != "" {
		kinds = []string{d.Filter.Kind}
	}
	f := d.Filter
	// Planned for the actual values: a generic plan cannot fold the unused
	// filters away (queries/custom_plans.go).
	q := h.Store.CustomPlans()
	total, err := q.CountCommissionsForPartner(ctx, queries.CountCommissionsForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Status: f.Status, Kinds: kinds,
		PeriodFrom: f.Period.From, PeriodTo: f.Period.To, Search: strings.ToLower(f.Q), MaxCount: commissionCountCap})
	if err != nil {
		return err
	}
	d.Total, d.Matched = total, commissionCountLabel(total)
	d.Pager = newPager(c, pageNumber(c), commissionsPerPage, total)
	rows, err := q.ListCommissionsForPartner(ctx, queries.ListCommissionsForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Status: f.Status, Kinds: kinds,
		PeriodFrom: f.Period.From, PeriodTo: f.Period.To, Search: strings.ToLower(f.Q),
		MaxRows: d.Pager.Limit(), SkipRows: d.Pager.Offset()})
	if err != nil {
		return err
	}
	now := h.Clock.Now()
	for _, r := range rows {
		d.Rows = append(d.Rows, newCommissionRow(r.Commission, r.Commission.LeadCompany, "", now))
	}
	if u.IsPartnerAdmin() && len(d.Rows) > 0 {
		if err := h.linkCommissionInvoices(c, u, d.Rows); err != nil {
			return err
		}
	}
	if !isFragmentRequest(c) {
		if err := h.loadPaymentFigures(c, u, d); err != nil {
			return err
		}
		if d.Spiff {
			if err := h.loadActiveSpiffs(c, u, d); err != nil {
				return err
			}
		}
	}
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/payments", "payments/results", p)
}

// linkCommissionInvoices names the invoice that carries each row (partner
// admins see invoices).
func (h *Handler) linkCommissionInvoices(c *fiber.Ctx, u *User, rows []commissionRow) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	invs, err := h.Store.ListInvoicesOfCommissions(c.Context(), queries.ListInvoicesOfCommissionsParams{OrganizationID: u.OrganizationID,
		PartnerID: u.PartnerID, CommissionIds: ids})
	if err != nil {
		return err
	}
	by := map[int64]queries.ListInvoicesOfCommissionsRow{}
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

// loadPaymentFigures fills the Pending / Approved / Paid figures (per
// currency, lifetime) and the About panel.
func (h *Handler) loadPaymentFigures(c *fiber.Ctx, u *User, d *paymentsData) error {
	ctx := c.Context()
	sums, err := h.Store.SumCommissionsByStatus(ctx, queries.SumCommissionsByStatusParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return err
	}
	d.Figures = statusFigures(sums, u.Currency)
	prog, err := h.Store.GetPartnerProgram(ctx, queries.GetPartnerProgramParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return err
	}
	d.About = aboutCommissions{Tier: prog.TierName, Rate: money.FormatBps(int64(prog.TierBps)), Trigger: statusLabel(prog.TriggerStage),
		HoldDays: prog.CommissionHoldDays, Auto: prog.CommissionApproval == "auto"}
	if prog.TierID != nil {
		ins, err := h.Store.ListStageIncentives(ctx, queries.ListStageIncentivesParams{OrganizationID: u.OrganizationID, TierID: *prog.TierID})
		if err != nil {
			return err
		}
		for _, in := range ins {
			d.About.Incentives = append(d.About.Incentives, money.Format(in.AmountMinor, in.Currency)+" when a lead first reaches "+statusLabel(in.Stage))
		}
	}
	return nil
}

// loadActiveSpiffs lists the active campaigns the partner's tier is eligible for.
func (h *Handler) loadActiveSpiffs(c *fiber.Ctx, u *User, d *paymentsData) error {
	partner, err := h.Store.GetPartner(c.Context(), queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID})
	if err != nil {
		return err
	}
	var tier int64
	if partner.TierID != nil {
		tier = *partner.TierID
	}
	list, err := h.Store.ListSpiffsForPartner(c.Context(), queries.ListSpiffsForPartnerParams{OrganizationID: u.OrganizationID, At: h.Clock.Now(), TierID: tier})
	if err != nil {
		return err
	}
	for _, s := range list {
		a := activeSpiff{Name: s.Name, Description: s.Description, Amount: money.Format(s.AmountMinor, s.Currency), Ends: s.EndsAt.Add(-time.Second)}
		if s.Rule == "manual" {
			a.What = "Awarded by the program team"
		} else {
			a.What = "For each lead that reaches " + statusLabel(s.Stage)
		}
		if s.CapPerPartner > 0 {
			a.What += ", up to " + strconv.Itoa(int(s.CapPerPartner)) + " per company"
		}
		d.Active = append(d.Active, a)
	}
	return nil
}
