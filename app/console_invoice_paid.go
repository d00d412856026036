package app

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/invoice"
	"partnerportal/queries"
)

// paymentForm reads a payment date and reference; problems go in errs.
func paymentForm(c *fiber.Ctx, now time.Time, errs map[string]string) (time.Time, string) {
	paidOn, err := time.Parse("2006-01-02", c.FormValue("paid_on"))
	if err != nil {
		errs["paid_on"] = "Enter the date the payment was made."
	} else if paidOn.After(now.AddDate(0, 0, 1)) || paidOn.Year() < 2000 {
		errs["paid_on"] = "The payment date cannot be in the future."
	}
	ref, ok := invoice.CleanReference(c.FormValue("reference"))
	if !ok {
		errs["reference"] = "Enter the payment's reference (1 to 35 characters), as on the bank statement."
	}
	return paidOn, ref
}

func formIDs(c *fiber.Ctx) []int64 {
	var ids []int64
	for _, raw := range c.Request().PostArgs().PeekMulti("id") {
		if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil && id > 0 && len(ids) < 1000 {
			ids = append(ids, id)
		}
	}
	return ids
}

// markInvoicesPaid marks the chosen pending invoices paid with one date and
// reference (a row's own form sends one id). Invalid input: 422 with the
// list and the errors beside the fields, nothing saved.
func (h *Handler) markInvoicesPaid(c *fiber.Ctx) error {
	u := currentUser(c)
	errs := map[string]string{}
	ids := formIDs(c)
	if len(ids) == 0 {
		errs["id"] = "Choose at least one pending invoice."
	}
	paidOn, ref := paymentForm(c, h.Clock.Now(), errs)
	if len(errs) > 0 {
		return h.invoicesFormError(c, errs)
	}
	var notes []int64
	paid := 0
	err := h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		for _, id := range ids {
			n, err := invoice.MarkPaid(c.Context(), q, u.OrganizationID, id, paidOn, ref, &u.ID, h.Clock.Now())
			if errors.Is(err, invoice.ErrNotPending) {
				continue
			}
			if err != nil {
				return err
			}
			paid++
			notes = append(notes, n...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(c.Context(), notes)
	msg := "Marked " + plural(paid, "invoice", "invoices") + " paid."
	if left := len(ids) - paid; left > 0 {
		msg += " " + plural(left, "was", "were") + " not pending and left as they are."
	}
	h.flash(c, msg)
	return redirect(c, backToInvoices(c))
}

// invoicesFormError shows the page the form came from again with the
// errors (422) and nothing saved: the invoice page for a single invoice's
// form, else the list.
func (h *Handler) invoicesFormError(c *fiber.Ctx, errs map[string]string) error {
	form := map[string]string{"paid_on": c.FormValue("paid_on"), "reference": c.FormValue("reference"), "reason": c.FormValue("reason")}
	if id, err := strconv.ParseInt(c.FormValue("invoice"), 10, 64); err == nil && id > 0 {
		inv, err := h.Store.GetInvoiceForStaff(c.Context(), queries.GetInvoiceForStaffParams{OrganizationID: currentUser(c).OrganizationID, ID: id})
		if queries.IsNotFound(err) {
			return fiber.ErrNotFound
		}
		if err != nil {
			return err
		}
		d, err := h.loadInvoicePage(c, inv.OrganizationID, inv.PartnerID, inv)
		if err != nil {
			return err
		}
		d.Console = true
		if inv.PdfKey != "" {
			d.PDFURL = "/console/invoices/" + strconv.FormatInt(inv.ID, 10) + "/pdf"
		}
		p := h.newPage(c, "Invoice "+inv.Number)
		p.Section, p.Errors, p.Form, p.Data = "invoices", errs, form, d
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/console_invoice", "", p)
	}
	p := h.newPage(c, "Invoices and payouts")
	p.Errors, p.Form = errs, form
	return h.renderConsoleInvoices(c, p, fiber.StatusUnprocessableEntity)
}
