package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/invoice"
	"partnerportal/app/money"
	"partnerportal/queries"
)

type voidInvoiceData struct {
	Row  invoiceRow
	Back string
}

// showVoidInvoice asks for the reason before voiding (a destructive action).
func (h *Handler) showVoidInvoice(c *fiber.Ctx) error {
	inv, err := h.consoleInvoice(c)
	if err != nil {
		return err
	}
	return h.renderVoidInvoice(c, fiber.StatusOK, h.newPage(c, "Void invoice"), inv)
}

func (h *Handler) renderVoidInvoice(c *fiber.Ctx, status int, p *Page, inv queries.Invoice) error {
	p.Section = "invoices"
	p.Data = voidInvoiceData{Row: invoiceRow{ID: inv.ID, Number: inv.Number, Partner: inv.PartnerName, Status: inv.Status,
		Total: money.Format(inv.TotalMinor, inv.Currency), Period: inv.PeriodLabel}, Back: backToInvoices(c)}
	return h.render(c, status, "pages/console_invoice_void", "", p)
}

// voidInvoice voids a pending invoice with a reason; its commissions go on
// the next run's invoice. Paid invoices are never voided (a correction is a
// credit note).
func (h *Handler) voidInvoice(c *fiber.Ctx) error {
	u := currentUser(c)
	inv, err := h.consoleInvoice(c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	p := h.newPage(c, "Void invoice")
	p.Form = map[string]string{"reason": reason}
	if l := len([]rune(reason)); l < 3 || l > 500 {
		p.Errors = map[string]string{"reason": "Say why, in 3 to 500 characters: the partner sees it."}
		return h.renderVoidInvoice(c, fiber.StatusUnprocessableEntity, p, inv)
	}
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		return invoice.Void(c.Context(), q, u.OrganizationID, inv.ID, reason, &u.ID, h.Clock.Now())
	})
	if errors.Is(err, invoice.ErrNotPending) {
		p.Errors = map[string]string{"reason": "This invoice is " + statusLabel(inv.Status) + ": only pending invoices can be voided. Correct a paid invoice with an adjustment; the next run issues a credit note."}
		return h.renderVoidInvoice(c, fiber.StatusUnprocessableEntity, p, inv)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Voided invoice "+inv.Number+". Its commissions go on the next invoice run.")
	return redirect(c, backToInvoices(c))
}
