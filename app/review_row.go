package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showReviewRow gives back a lead's queue row (Cancel in the edit row).
// Without htmx there is no row to swap: the lead page shows it instead.
func (h *Handler) showReviewRow(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := leadIDParam(c)
	if err != nil {
		return err
	}
	if !isFragmentRequest(c) {
		if _, err := h.Store.GetLeadForReview(c.Context(), queries.GetLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id}); err != nil {
			return err
		}
		return c.Redirect(fmt.Sprintf("/console/leads/%d", id), fiber.StatusSeeOther)
	}
	return h.respondReviewRow(c, fiber.StatusOK, id, h.newPage(c, "Lead review"), "", "")
}
