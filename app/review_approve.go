package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// approveLead accepts a lead that is in review: the status, the history
// entry and the partner's notifications are written in one transaction; the
// emails are enqueued after it commits.
func (h *Handler) approveLead(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := leadIDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	var lead queries.Lead
	var notified []int64
	now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		if lead, err = q.LockLeadForReview(ctx, queries.LockLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id}); err != nil {
			return err // not this organization's lead: 404
		}
		if _, err := q.ApproveLead(ctx, queries.ApproveLeadParams{Now: now, OrganizationID: u.OrganizationID, ID: id}); err != nil {
			return transitionErr(err)
		}
		if err := recordLeadEvent(ctx, q, now, u.OrganizationID, lead.PartnerID, id, &u.ID, "approved", nil, ""); err != nil {
			return err
		}
		notified, err = notifyLeadPartner(ctx, q, now, lead, u.OrganizationName+" approved your lead "+lead.Company+".")
		return err
	})
	p := h.newPage(c, "Lead review")
	if errors.Is(err, errLeadTransition) {
		p.Errors = map[string]string{"row": refusal(lead, "approved")}
		return h.respondReviewRow(c, fiber.StatusUnprocessableEntity, id, p, "", "")
	}
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(ctx, notified)
	return h.respondReviewRow(c, fiber.StatusOK, id, p, "", "Approved "+lead.Company+". "+partnerTold(len(notified)))
}

// partnerTold says who heard about a decision, for the flash.
func partnerTold(n int) string {
	switch n {
	case 0:
		return "The partner has no users to notify."
	case 1:
		return "One partner user was notified."
	}
	return "The partner's users were notified."
}
