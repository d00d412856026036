package app

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// rejectLead turns down a lead in review with a reason the partner reads.
// Without a usable reason nothing changes and the row comes back (422) with
// the reject form open and the message beside it.
func (h *Handler) rejectLead(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := leadIDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	p := h.newPage(c, "Lead review")
	reason := strings.TrimSpace(c.FormValue("reason"))
	if n := utf8.RuneCountInString(reason); n < 3 || n > 500 {
		p.Errors = map[string]string{"reason": "Tell the partner why, in 3 to 500 characters."}
		p.Form = map[string]string{"reason": reason}
		return h.respondReviewRow(c, fiber.StatusUnprocessableEntity, id, p, "reject", "")
	}
	var lead queries.Lead
	var notified []int64
	now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		if lead, err = q.LockLeadForReview(ctx, queries.LockLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id}); err != nil {
			return err
		}
		if _, err := q.RejectLead(ctx, queries.RejectLeadParams{Now: now, OrganizationID: u.OrganizationID, ID: id, RejectionReason: reason}); err != nil {
			return transitionErr(err)
		}
		if err := recordLeadEvent(ctx, q, now, u.OrganizationID, lead.PartnerID, id, &u.ID, "rejected", nil, reason); err != nil {
			return err
		}
		notified, err = notifyLeadPartner(ctx, q, now, lead, u.OrganizationName+" rejected your lead "+lead.Company+". Reason: "+reason)
		return err
	})
	if errors.Is(err, errLeadTransition) {
		p.Errors = map[string]string{"row": refusal(lead, "rejected")}
		return h.respondReviewRow(c, fiber.StatusUnprocessableEntity, id, p, "", "")
	}
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(ctx, notified)
	return h.respondReviewRow(c, fiber.StatusOK, id, p, "", "Rejected "+lead.Company+". "+partnerTold(len(notified)))
}
