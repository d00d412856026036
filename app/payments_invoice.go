package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/media"
	"partnerportal/queries"
)

// partnerInvoice loads the invoice in the URL if it belongs to the signed-in
// partner (organization and partner in the query): another partner's is 404.
func (h *Handler) partnerInvoice(c *fiber.Ctx) (queries.Invoice, error) {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return queries.Invoice{}, fiber.ErrNotFound
	}
	inv, err := h.Store.GetInvoice(c.Context(), queries.GetInvoiceParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
	if queries.IsNotFound(err) {
		return inv, fiber.ErrNotFound
	}
	return inv, err
}

// showInvoice is one invoice for the partner's admins: lines, status,
// history and the PDF.
func (h *Handler) showInvoice(c *fiber.Ctx) error {
	u := currentUser(c)
	inv, err := h.partnerInvoice(c)
	if err != nil {
		return err
	}
	d, err := h.loadInvoicePage(c, u.OrganizationID, u.PartnerID, inv)
	if err != nil {
		return err
	}
	if inv.PdfKey != "" {
		d.PDFURL = "/payments/invoices/" + strconv.FormatInt(inv.ID, 10) + "/pdf"
	}
	p := h.newPage(c, "Invoice "+inv.Number)
	p.Section = "payments"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/payments_invoice", "", p)
}

// downloadInvoicePDF sends the stored PDF (partner admins of its partner).
func (h *Handler) downloadInvoicePDF(c *fiber.Ctx) error {
	inv, err := h.partnerInvoice(c)
	if err != nil {
		return err
	}
	return h.sendInvoicePDF(c, inv)
}

// sendInvoicePDF streams an invoice's PDF as a download, never inline.
func (h *Handler) sendInvoicePDF(c *fiber.Ctx, inv queries.Invoice) error {
	if inv.PdfKey == "" {
		return fiber.NewError(fiber.StatusNotFound, "This invoice's PDF is still being made: try again in a minute.")
	}
	obj, err := h.Files.Open(c.Context(), inv.PdfKey)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+media.DispositionName(inv.Number+".pdf", "invoice.pdf")+`"`)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.SendStream(obj, int(obj.Info().Size))
}
