package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showReviewEdit turns a queue row into an edit row (htmx), or shows the
// same form on a page of its own (no JavaScript).
func (h *Handler) showReviewEdit(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := leadIDParam(c)
	if err != nil {
		return err
	}
	l, err := h.Store.GetLeadForReview(c.Context(), queries.GetLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	p := h.newPage(c, "Edit "+l.Lead.Company)
	p.Section = "review"
	announce(c, "Editing "+l.Lead.Company+".")
	return h.renderReviewEdit(c, fiber.StatusOK, p, l)
}

func (h *Handler) renderReviewEdit(c *fiber.Ctx, status int, p *Page, l queries.GetLeadForReviewRow) error {
	row := h.newReviewRow(c, p, l.Lead, l.PartnerName)
	row.Inline = isFragmentRequest(c)
	p.Data = &reviewView{Row: row, Heading: "Edit " + l.Lead.Company}
	return h.render(c, status, "review/edit", "review/row_edit_swap", p)
}
