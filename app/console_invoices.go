package app

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/invoice"
	"partnerportal/app/money"
	"partnerportal/queries"
)

// consoleInvoiceFilter is the console list's query string.
type consoleInvoiceFilter struct {
	Status, Period, Currency string
	PartnerID                int64
	// PartnerSearch (partner_q) keeps invoices of partners whose name
	// contains it (lower case); the page suggests the matching partners.
	PartnerSearch string
}

// partnerMatchesTarget is the element the partner field's htmx request
// aims at: it gets only the suggestions.
const partnerMatchesTarget = "ci-partner-matches"

// maxPartnerMatches is how many partners the suggestions list.
const maxPartnerMatches = 20

// manyPartners is where a partner search stops being a list of ids.
const manyPartners = 1000

// WithPartner is the list's URL with the filter narrowed to one partner.
func (f consoleInvoiceFilter) WithPartner(id int64) string {
	f.PartnerID, f.PartnerSearch = id, ""
	if q := f.Query(); q != "" {
		return "/console/invoices?" + q
	}
	return "/console/invoices"
}

// WithoutPartner is the list's URL with the filter for all partners.
func (f consoleInvoiceFilter) WithoutPartner() string {
	return f.WithPartner(0)
}

func (f consoleInvoiceFilter) Query() string {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Period != "" {
		v.Set("period", f.Period)
	}
	if f.Currency != "" {
		v.Set("currency", f.Currency)
	}
	if f.PartnerID != 0 {
		v.Set("partner", strconv.FormatInt(f.PartnerID, 10))
	}
	if f.PartnerSearch != "" {
		v.Set("partner_q", f.PartnerSearch)
	}
	return v.Encode()
}

var periodKeyRe = regexp.MustCompile(`^\d{4}-\d{2}(-\d{1,2})?$`)

func parseConsoleInvoiceFilter(c *fiber.Ctx) consoleInvoiceFilter {
	f := consoleInvoiceFilter{Status: c.Query("status"), Period: c.Query("period"), Currency: c.Query("currency")}
	switch f.Status {
	case "pending", "paid", "void":
	default:
		f.Status = ""
	}
	if !periodKeyRe.MatchString(f.Period) {
		f.Period = ""
	}
	if !currencyCodeRe.MatchString(f.Currency) {
		f.Currency = ""
	}
	if id, err := strconv.ParseInt(c.Query("partner"), 10, 64); err == nil && id > 0 {
		f.PartnerID = id
	}
	q := strings.ReplaceAll(strings.ToValidUTF8(c.Query("partner_q"), ""), "\x00", "")
	f.PartnerSearch = strings.ToLower(strings.Join(strings.Fields(q), " "))
	if r := []rune(f.PartnerSearch); len(r) > 100 {
		f.PartnerSearch = string(r[:100])
	}
	if f.PartnerSearch != "" {
		f.PartnerID = 0 // a name typed replaces the partner picked before
	}
	return f
}

type consoleInvoicesData struct {
	Filter consoleInvoiceFilter
	Rows   []invoiceRow
	Pager  Pager
	Total  int64
	// PartnerName is the partner the list is narrowed to (PartnerID);
	// Matches are the partners suggested for PartnerSearch.
	PartnerName string
	Matches     []queries.SearchInvoicePartnersRow
	Periods     []queries.ListInvoicePeriodsRow
	Batches     []batchRow
	Runs        []queries.InvoiceRun
	Manual      bool
	Today       string
	Back        string
}

type batchRow struct {
	ID                   int64
	Status, Created, Ref string
	Invoices             int64
	Currencies           string
}

// showConsoleInvoices is Invoices and payouts: every invoice, filtered by
// status, partner, period and currency; pending ones can be marked paid
// (one or many, with a date and reference) or put in a payout batch.
func (h *Handler) showConsoleInvoices(c *fiber.Ctx) error {
	return h.renderConsoleInvoices(c, h.newPage(c, "Invoices and payouts"), fiber.StatusOK)
}

// renderConsoleInvoices renders the list for the request's query string
// (a form error passes its errors in p and 422).
func (h *Handler) renderConsoleInvoices(c *fiber.Ctx, p *Page, status int) error {
	u := currentUser(c)
	ctx := c.Context()
	p.Section = "invoices"
	d := &consoleInvoicesData{Filter: parseConsoleInvoiceFilter(c)}
	f := d.Filter
	fragment := isFragmentRequest(c) && c.Get("HX-Target") == partnerMatchesTarget
	// A name search filters by the matching partners' ids when there are at
	// most manyPartners of them, and by the name itself when there are more.
	var partnerIDs []int64
	partnerSearch := ""
	if f.PartnerSearch != "" {
		limit := int32(manyPartners + 1)
		if fragment {
			limit = maxPartnerMatches
		}
		matches, err := h.Store.SearchInvoicePartners(ctx, queries.SearchInvoicePartnersParams{OrganizationID: u.OrganizationID,
			Search: f.PartnerSearch, MaxRows: limit})
		if err != nil {
			return err
		}
		d.Matches = matches[:min(len(matches), maxPartnerMatches)]
		if len(matches) > manyPartners {
			partnerSearch = f.PartnerSearch
		} else {
			partnerIDs = make([]int64, 0, len(matches))
			for _, m := range matches {
				partnerIDs = append(partnerIDs, m.ID)
			}
		}
	}
	if fragment {
		// The partner field's suggestions while typing: nothing else.
		c.Vary("HX-Request", "HX-Target")
		p.Data = d
		return c.Render("invoices/partner_matches", p, "")
	}
	c.Vary("HX-Target")
	if f.PartnerID != 0 {
		name, err := h.Store.GetPartnerName(ctx, queries.GetPartnerNameParams{OrganizationID: u.OrganizationID, PartnerID: f.PartnerID})
		if err != nil && !queries.IsNotFound(err) {
			return err
		}
		d.PartnerName = name
	}
	total, err := h.Store.CustomPlans().CountInvoicesForOrganization(ctx, queries.CountInvoicesForOrganizationParams{OrganizationID: u.OrganizationID,
		Status: f.Status, PartnerID: f.PartnerID, PartnerIds: partnerIDs, PartnerSearch: partnerSearch, PeriodKey: f.Period, Currency: f.Currency})
	if err != nil {
		return err
	}
	d.Total = total
	d.Pager = newPager(c, pageNumber(c), 50, total)
	rows, err := h.Store.CustomPlans().ListInvoicesForOrganization(ctx, queries.ListInvoicesForOrganizationParams{OrganizationID: u.OrganizationID,
		Status: f.Status, PartnerID: f.PartnerID, PartnerIds: partnerIDs, PartnerSearch: partnerSearch, PeriodKey: f.Period, Currency: f.Currency, MaxRows: d.Pager.Limit(), SkipRows: d.Pager.Offset()})
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, invoiceRow{ID: r.ID, Kind: r.Kind, Number: r.Number, Period: r.PeriodLabel, Status: r.Status,
			Currency: r.Currency, Partner: r.PartnerName, Issued: day(r.IssuedOn), Due: day(r.DueOn), PaidOn: day(r.PaidOn),
			Total: money.Format(r.TotalMinor, r.Currency), TotalMinor: r.TotalMinor, Missing: r.PayoutDetailsMissing,
			CreditNote: r.Kind == "credit_note", InBatch: r.BatchID != nil})
	}
	if d.Periods, err = h.Store.ListInvoicePeriods(ctx, u.OrganizationID); err != nil {
		return err
	}
	batches, err := h.Store.ListPayoutBatches(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	for _, b := range batches {
		r := batchRow{ID: b.ID, Status: b.Status, Created: b.CreatedAt.Format("2 Jan 2006"), Invoices: b.Invoices, Currencies: b.Currencies, Ref: b.PaymentReference}
		d.Batches = append(d.Batches, r)
	}
	if d.Runs, err = h.Store.ListInvoiceRuns(ctx, u.OrganizationID); err != nil {
		return err
	}
	s, err := invoice.LoadSettings(ctx, h.Store.Queries, u.OrganizationID)
	if err != nil {
		return err
	}
	d.Manual = s.Period == invoice.Manual
	d.Today = invoice.IssueDate(s.Loc, h.Clock.Now()).Format("2006-01-02")
	d.Back = "/console/invoices"
	if q := string(c.Request().URI().QueryString()); q != "" {
		d.Back += "?" + q
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	if p.Form["paid_on"] == "" {
		p.Form["paid_on"] = d.Today
	}
	p.Data = d
	return h.render(c, status, "pages/console_invoices", "", p)
}
