package app

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/invoice"
	"partnerportal/app/money"
	"partnerportal/queries"
)

// createPayoutBatch puts the chosen pending invoices into a new payout batch
// and opens it (its files and "mark paid").
func (h *Handler) createPayoutBatch(c *fiber.Ctx) error {
	u := currentUser(c)
	ids := formIDs(c)
	if len(ids) == 0 {
		return h.invoicesFormError(c, map[string]string{"id": "Choose at least one pending invoice for the payout batch."})
	}
	var batch int64
	var n int
	err := h.Store.Tx(c.Context(), func(q *queries.Queries) (err error) {
		batch, n, err = invoice.CreateBatch(c.Context(), q, u.OrganizationID, ids, &u.ID, h.Clock.Now())
		return err
	})
	if errors.Is(err, invoice.ErrNotPending) {
		return h.invoicesFormError(c, map[string]string{"id": "None of the chosen invoices is pending and outside a payout batch."})
	}
	if err != nil {
		return err
	}
	msg := "Payout batch " + strconv.FormatInt(batch, 10) + " holds " + plural(n, "invoice", "invoices") + "."
	if left := len(ids) - n; left > 0 {
		msg += " " + plural(left, "was", "were") + " left out: not pending, a credit note, or already in a batch."
	}
	h.flash(c, msg)
	return redirect(c, "/console/payouts/"+strconv.FormatInt(batch, 10))
}

type payoutBatchData struct {
	Batch     queries.PayoutBatch
	Rows      []payoutRow
	Totals    []string
	SEPACount int
	PaidOn    string
}

type payoutRow struct {
	ID                                            int64
	Number, Partner, Method, Amount, Status, Note string
	SEPA, Unreadable                              bool
}

// batchTransfers reads a batch's invoices with their payout details opened.
// Details that do not open (altered, or sealed under a key no longer
// configured) count as missing: the files leave them out, and the page
// flags them as unreadable (batchData.unreadable) so staff ask the partner
// to enter them again.
func (h *Handler) batchTransfers(c *fiber.Ctx) (queries.PayoutBatch, []queries.ListBatchInvoicesRow, []invoice.Transfer, error) {
	b, rows, ts, _, err := h.batchTransfersFlagged(c)
	return b, rows, ts, err
}

func (h *Handler) batchTransfersFlagged(c *fiber.Ctx) (queries.PayoutBatch, []queries.ListBatchInvoicesRow, []invoice.Transfer, map[int64]bool, error) {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return queries.PayoutBatch{}, nil, nil, nil, fiber.ErrNotFound
	}
	b, err := h.Store.GetPayoutBatch(c.Context(), queries.GetPayoutBatchParams{OrganizationID: u.OrganizationID, ID: id})
	if queries.IsNotFound(err) {
		return b, nil, nil, nil, fiber.ErrNotFound
	}
	if err != nil {
		return b, nil, nil, nil, err
	}
	rows, err := h.Store.ListBatchInvoices(c.Context(), queries.ListBatchInvoicesParams{OrganizationID: u.OrganizationID, BatchID: &b.ID})
	if err != nil {
		return b, nil, nil, nil, err
	}
	ts := make([]invoice.Transfer, len(rows))
	unreadable := map[int64]bool{}
	for i, r := range rows {
		t := invoice.Transfer{InvoiceNumber: r.Number, Partner: r.PartnerName, Method: r.PayoutMethod, Currency: r.Currency, AmountMinor: r.TotalMinor}
		if r.Sealed == nil {
			t.Missing = true
		} else if d, err := invoice.OpenDetails(h.Config.PayoutKeys, u.OrganizationID, r.PartnerID, r.SealedKeyID, r.Sealed); err != nil || !d.Complete(r.PayoutMethod) {
			t.Missing = true
			if err != nil {
				unreadable[r.ID] = true
				h.Log.Warn("payout details do not open", "organization_id", u.OrganizationID, "partner_id", r.PartnerID,
					"key_id", r.SealedKeyID, "err", openFailure(err))
			}
		} else {
			t.Details = d
		}
		ts[i] = t
	}
	return b, rows, ts, unreadable, nil
}

// showPayoutBatch is one batch: its invoices, the payout files, mark paid.
func (h *Handler) showPayoutBatch(c *fiber.Ctx) error {
	b, rows, ts, unreadable, err := h.batchTransfersFlagged(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Payout batch "+strconv.FormatInt(b.ID, 10))
	p.Section = "invoices"
	p.Form = map[string]string{"paid_on": h.Clock.Now().Format("2006-01-02"), "reference": fmt.Sprintf("PAYOUT-%d", b.ID)}
	return h.renderPayoutBatch(c, fiber.StatusOK, p, b, rows, ts, unreadable)
}

func (h *Handler) renderPayoutBatch(c *fiber.Ctx, status int, p *Page, b queries.PayoutBatch, rows []queries.ListBatchInvoicesRow, ts []invoice.Transfer, unreadable map[int64]bool) error {
	d := &payoutBatchData{Batch: b, PaidOn: day(b.PaidOn)}
	sums := map[string]int64{}
	var order []string
	for i, r := range rows {
		t := ts[i]
		row := payoutRow{ID: r.ID, Number: r.Number, Partner: r.PartnerName, Method: statusLabel(r.PayoutMethod),
			Amount: money.Format(r.TotalMinor, r.Currency), Status: r.Status, SEPA: invoice.SEPAEligible(t)}
		switch {
		case unreadable[r.ID]:
			row.Note, row.Unreadable = "Payout details unreadable: ask the partner to enter them again", true
		case t.Missing:
			row.Note = "Payout details missing"
		case t.Method == invoice.MethodBank:
			row.Note = invoice.Details{IBAN: t.Details.IBAN}.Masked(invoice.MethodBank)
		default:
			row.Note = t.Details.Masked(t.Method)
		}
		if row.SEPA {
			d.SEPACount++
		}
		if _, ok := sums[r.Currency]; !ok {
			order = append(order, r.Currency)
		}
		sums[r.Currency] += r.TotalMinor
		d.Rows = append(d.Rows, row)
	}
	for _, cur := range order {
		d.Totals = append(d.Totals, money.Format(sums[cur], cur))
	}
	p.Data = d
	return h.render(c, status, "pages/console_payout_batch", "", p)
}

// downloadPayoutCSV is the batch's payout file (every invoice).
func (h *Handler) downloadPayoutCSV(c *fiber.Ctx) error {
	b, _, ts, err := h.batchTransfers(c)
	if err != nil {
		return err
	}
	out, err := invoice.WriteCSV(ts)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="payout-batch-%d.csv"`, b.ID))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(out)
}

// downloadPayoutSEPA is the SEPA credit transfer file (pain.001.001.10) of
// the batch's EUR invoices paid by bank transfer.
func (h *Handler) downloadPayoutSEPA(c *fiber.Ctx) error {
	b, _, ts, err := h.batchTransfers(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	s, err := invoice.LoadSettings(c.Context(), h.Store.Queries, u.OrganizationID)
	if err != nil {
		return err
	}
	vendor := s.VendorName
	if vendor == "" {
		vendor = s.OrganizationName
	}
	now := h.Clock.Now()
	out, err := invoice.WriteSEPA(fmt.Sprintf("PAYOUT-%d-%d", u.OrganizationID, b.ID), invoice.Debtor{Name: vendor, IBAN: s.VendorIban, BIC: s.VendorBic},
		now, invoice.IssueDate(s.Loc, now).AddDate(0, 0, 1), ts)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
	}
	c.Set(fiber.HeaderContentType, "application/xml")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="payout-batch-%d-sepa.xml"`, b.ID))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(out)
}

// payPayoutBatch marks the batch paid and every pending invoice in it paid
// with the batch's date and reference.
func (h *Handler) payPayoutBatch(c *fiber.Ctx) error {
	u := currentUser(c)
	b, rows, ts, unreadable, err := h.batchTransfersFlagged(c)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	paidOn, ref := paymentForm(c, h.Clock.Now(), errs)
	if b.Status != "open" {
		errs["reference"] = "This batch is already paid."
	}
	if len(errs) > 0 {
		p := h.newPage(c, "Payout batch "+strconv.FormatInt(b.ID, 10))
		p.Section, p.Errors = "invoices", errs
		p.Form = map[string]string{"paid_on": c.FormValue("paid_on"), "reference": c.FormValue("reference")}
		return h.renderPayoutBatch(c, fiber.StatusUnprocessableEntity, p, b, rows, ts, unreadable)
	}
	var notes []int64
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) (err error) {
		notes, err = invoice.PayBatch(c.Context(), q, u.OrganizationID, b.ID, paidOn, ref, &u.ID, h.Clock.Now())
		return err
	})
	if errors.Is(err, invoice.ErrNotPending) {
		return redirect(c, "/console/payouts/"+strconv.FormatInt(b.ID, 10))
	}
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(c.Context(), notes)
	h.flash(c, "Payout batch "+strconv.FormatInt(b.ID, 10)+" is paid: its invoices are marked paid.")
	return redirect(c, "/console/payouts/"+strconv.FormatInt(b.ID, 10))
}
