package app

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgtype"

	"partnerportal/app/commission"
	"partnerportal/app/invoice"
	"partnerportal/app/money"
	"partnerportal/queries"
)

// invoiceFilter is the Invoices list's query string: status (all, paid,
// pending), a search on number, period or amount, and the order.
type invoiceFilter struct {
	Status, Q, Sort string
}

var invoiceSorts = []kindChoice{{"", "Newest first"}, {"issued_asc", "Oldest first"}, {"amount", "Largest amount"},
	{"amount_asc", "Smallest amount"}, {"due", "Due date"}}

func (f invoiceFilter) Query() string {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Sort != "" {
		v.Set("sort", f.Sort)
	}
	return v.Encode()
}

func parseInvoiceFilter(c *fiber.Ctx) invoiceFilter {
	f := invoiceFilter{Status: c.Query("status"), Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort")}
	if f.Status != "paid" && f.Status != "pending" {
		f.Status = ""
	}
	ok := false
	for _, s := range invoiceSorts {
		ok = ok || s.Key == f.Sort
	}
	if !ok {
		f.Sort = ""
	}
	if len([]rune(f.Q)) > 60 {
		f.Q = string([]rune(f.Q)[:60])
	}
	return f
}

// invoiceRow is one invoice as the lists show it.
type invoiceRow struct {
	ID                                     int64
	Kind, Number, Period, Status, Currency string
	Partner                                string
	Issued, Due, PaidOn                    string
	Total                                  string
	TotalMinor                             int64
	Missing, CreditNote, InBatch           bool
}

func day(d pgtype.Date) string {
	if !d.Valid {
		return ""
	}
	return d.Time.Format("2 Jan 2006")
}

type invoicesData struct {
	Filter    invoiceFilter
	Sorts     []kindChoice
	Due, Paid []string
	CarryOver []string // "$120.00 approved, below the $500.00 minimum: carried over to the next run"
	Rows      []invoiceRow
	Pager     Pager
	Total     int64
}

const invoicesPerPage = 25

// showInvoices is Payments → Invoices, for partner admins: Amount Due and
// Amount Paid per currency and the company's invoices, filtered, searched,
// sorted and paged by the query string (htmx swaps the results; without
// JavaScript the form reloads the page).
func (h *Handler) showInvoices(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	p := h.newPage(c, "Invoices")
	p.Section = "payments"
	d := &invoicesData{Filter: parseInvoiceFilter(c), Sorts: invoiceSorts}
	f := d.Filter
	var amount int64
	if a, err := money.Parse(strings.TrimLeft(f.Q, "$€£¥"), u.Currency); err == nil && a > 0 {
		amount = a
	}
	args := queries.CountInvoicesForPartnerParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Status: f.Status,
		Search: strings.ToLower(f.Q), Amount: amount}
	total, err := h.Store.CountInvoicesForPartner(ctx, args)
	if err != nil {
		return err
	}
	d.Total = total
	d.Pager = newPager(c, pageNumber(c), invoicesPerPage, total)
	rows, err := h.Store.ListInvoicesForPartner(ctx, queries.ListInvoicesForPartnerParams{OrganizationID: u.OrganizationID,
		PartnerID: u.PartnerID, Status: f.Status, Search: args.Search, Amount: amount, Sort: f.Sort,
		MaxRows: d.Pager.Limit(), SkipRows: d.Pager.Offset()})
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, invoiceRow{ID: r.ID, Kind: r.Kind, Number: r.Number, Period: r.PeriodLabel, Status: r.Status,
			Currency: r.Currency, Issued: day(r.IssuedOn), Due: day(r.DueOn), PaidOn: day(r.PaidOn),
			Total: money.Format(r.TotalMinor, r.Currency), TotalMinor: r.TotalMinor, Missing: r.PayoutDetailsMissing,
			CreditNote: r.Kind == "credit_note"})
	}
	if !isFragmentRequest(c) {
		if err := h.loadInvoiceFigures(c, u, d); err != nil {
			return err
		}
	}
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/payments_invoices", "invoices/results", p)
}

// loadInvoiceFigures fills Amount Due / Amount Paid (per currency) and what
// carries over below the program's minimum.
func (h *Handler) loadInvoiceFigures(c *fiber.Ctx, u *User, d *invoicesData) error {
	ctx := c.Context()
	sums, err := h.Store.SumInvoicesForPartner(ctx, queries.SumInvoicesForPartnerParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return err
	}
	for _, s := range sums {
		if s.Status == "pending" {
			d.Due = append(d.Due, money.Format(s.AmountMinor, s.Currency))
		} else {
			d.Paid = append(d.Paid, money.Format(s.AmountMinor, s.Currency))
		}
	}
	if len(d.Due) == 0 {
		d.Due = []string{money.Format(0, u.Currency)}
	}
	if len(d.Paid) == 0 {
		d.Paid = []string{money.Format(0, u.Currency)}
	}
	open, err := h.Store.SumUninvoicedForPartner(ctx, queries.SumUninvoicedForPartnerParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil || len(open) == 0 {
		return err
	}
	s, err := invoice.LoadSettings(ctx, h.Store.Queries, u.OrganizationID)
	if err != nil {
		return err
	}
	for _, o := range open {
		line := money.Format(o.AmountMinor, o.Currency) + " approved and not yet invoiced"
		if m := s.Minimums[o.Currency]; m > 0 && o.AmountMinor < m {
			line += ": below the " + money.Format(m, o.Currency) + " minimum payout, so it carries over to the next invoice run"
		} else {
			line += ": it goes on the next invoice"
		}
		d.CarryOver = append(d.CarryOver, line)
	}
	return nil
}

// invoiceLineRow is one line of an invoice page.
type invoiceLineRow struct {
	CommissionID, LeadID int64
	Lead, Kind, Basis    string
	Amount               string
	Earned               time.Time
}

type invoiceEventRow struct {
	What, Detail, Who string
	At                time.Time
}

type invoicePageData struct {
	Invoice queries.Invoice
	Row     invoiceRow
	Lines   []invoiceLineRow
	Events  []invoiceEventRow
	PDFURL  string
	Console bool
	// PayoutUnreadable (console): the partner's saved payout details do not
	// open now, so this pending invoice cannot be paid until they are
	// entered again.
	PayoutUnreadable bool
}

// loadInvoicePage reads one invoice of one partner with its lines and history.
func (h *Handler) loadInvoicePage(c *fiber.Ctx, org, partner int64, inv queries.Invoice) (*invoicePageData, error) {
	ctx := c.Context()
	d := &invoicePageData{Invoice: inv, Row: invoiceRow{ID: inv.ID, Kind: inv.Kind, Number: inv.Number, Period: inv.PeriodLabel,
		Status: inv.Status, Currency: inv.Currency, Issued: day(inv.IssuedOn), Due: day(inv.DueOn), PaidOn: day(inv.PaidOn),
		Total: money.Format(inv.TotalMinor, inv.Currency), TotalMinor: inv.TotalMinor, Missing: inv.PayoutDetailsMissing,
		CreditNote: inv.Kind == "credit_note", Partner: inv.PartnerName, InBatch: inv.BatchID != nil}}
	lines, err := h.Store.ListInvoiceLines(ctx, queries.ListInvoiceLinesParams{OrganizationID: org, PartnerID: partner, InvoiceID: inv.ID})
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		r := invoiceLineRow{CommissionID: l.CommissionID, Lead: l.LeadCompany, Kind: commission.KindLabel(l.Kind),
			Basis:  invoice.LineBasis(l.Kind, l.BasisMinor, l.RateBps, l.Stage, l.Reason, inv.Currency),
			Amount: money.Format(l.AmountMinor, inv.Currency), Earned: l.EarnedAt}
		if l.LeadID != nil {
			r.LeadID = *l.LeadID
		}
		d.Lines = append(d.Lines, r)
	}
	events, err := h.Store.ListInvoiceEvents(ctx, queries.ListInvoiceEventsParams{OrganizationID: org, InvoiceID: inv.ID})
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		d.Events = append(d.Events, invoiceEventRow{What: invoiceEventLabel(e.Kind), Detail: e.Detail, Who: e.UserName, At: e.CreatedAt})
	}
	return d, nil
}

func invoiceEventLabel(kind string) string {
	switch kind {
	case "issued":
		return "Issued"
	case "paid":
		return "Paid"
	case "voided":
		return "Voided"
	case "batched":
		return "Added to a payout batch"
	}
	return kind
}
