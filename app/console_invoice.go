package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/invoice"
	"partnerportal/queries"
)

// consoleInvoice loads the invoice in the URL if it is the staff member's
// organization's (another organization's is 404).
func (h *Handler) consoleInvoice(c *fiber.Ctx) (queries.Invoice, error) {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return queries.Invoice{}, fiber.ErrNotFound
	}
	inv, err := h.Store.GetInvoiceForStaff(c.Context(), queries.GetInvoiceForStaffParams{OrganizationID: u.OrganizationID, ID: id})
	if queries.IsNotFound(err) {
		return inv, fiber.ErrNotFound
	}
	return inv, err
}

// backToInvoices is where a console invoice action returns: the list URL the
// form carried, or the plain list (never another site).
func backToInvoices(c *fiber.Ctx) string {
	back := c.FormValue("back", c.Query("back"))
	if back == "/console/invoices" || strings.HasPrefix(back, "/console/invoices?") || strings.HasPrefix(back, "/console/invoices/") ||
		strings.HasPrefix(back, "/console/payouts/") {
		if !strings.Contains(back, "//") && !strings.ContainsAny(back, "\\\r\n") {
			return back
		}
	}
	return "/console/invoices"
}

// showConsoleInvoice is one invoice for staff: lines, history, mark paid, void.
func (h *Handler) showConsoleInvoice(c *fiber.Ctx) error {
	inv, err := h.consoleInvoice(c)
	if err != nil {
		return err
	}
	d, err := h.loadInvoicePage(c, inv.OrganizationID, inv.PartnerID, inv)
	if err != nil {
		return err
	}
	d.Console = true
	if inv.Status == "pending" && inv.Kind == "invoice" {
		if d.PayoutUnreadable, err = h.payoutUnreadable(c, inv.OrganizationID, inv.PartnerID); err != nil {
			return err
		}
	}
	if inv.PdfKey != "" {
		d.PDFURL = "/console/invoices/" + strconv.FormatInt(inv.ID, 10) + "/pdf"
	}
	p := h.newPage(c, "Invoice "+inv.Number)
	p.Section = "invoices"
	p.Form = map[string]string{"paid_on": h.Clock.Now().Format("2006-01-02")}
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/console_invoice", "", p)
}

func (h *Handler) downloadConsoleInvoicePDF(c *fiber.Ctx) error {
	inv, err := h.consoleInvoice(c)
	if err != nil {
		return err
	}
	return h.sendInvoicePDF(c, inv)
}

// payoutUnreadable reports whether the partner's saved payout details are
// sealed but do not open (altered, or under a key no longer configured);
// the failure is logged without the bytes.
func (h *Handler) payoutUnreadable(c *fiber.Ctx, org, partner int64) (bool, error) {
	s, err := h.Store.GetPayoutSettings(c.Context(), queries.GetPayoutSettingsParams{OrganizationID: org, PartnerID: partner})
	if queries.IsNotFound(err) || (err == nil && s.Sealed == nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := invoice.OpenDetails(h.Config.PayoutKeys, org, partner, s.SealedKeyID, s.Sealed); err != nil {
		h.Log.Warn("payout details do not open", "organization_id", org, "partner_id", partner, "key_id", s.SealedKeyID, "err", openFailure(err))
		return true, nil
	}
	return false, nil
}
