package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// setLeadOutcome closes a lead as Won (with the revenue it brought) or Lost.
// Winning a lead still in review approves it in the same step; both entries
// go into the history. A win also writes the durable 'lead_won' event in the
// same transaction, so the commission worker of a later release can never
// miss one, nor see one for a change that was rolled back.
func (h *Handler) setLeadOutcome(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := leadIDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	p := h.newPage(c, "Lead review")
	outcome := c.FormValue("outcome")
	if outcome != "won" && outcome != "lost" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose Won or Lost.")
	}
	cur, err := h.Store.GetLeadForReview(ctx, queries.GetLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	var revenue int64
	if outcome == "won" {
		raw := strings.TrimSpace(c.FormValue("revenue"))
		v, perr := money.Parse(raw, cur.Lead.Currency)
		if perr != nil || v <= 0 {
			p.Errors = map[string]string{"revenue": "Enter the revenue the deal brought, more than zero, like 12500 or 12,500.00."}
			p.Form = map[string]string{"revenue": raw}
			return h.respondReviewRow(c, fiber.StatusUnprocessableEntity, id, p, "won", "")
		}
		revenue = v
	}
	var lead queries.Lead
	var notified []int64
	now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		if lead, err = q.LockLeadForReview(ctx, queries.LockLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id}); err != nil {
			return err
		}
		record := func(kind string, changes map[string]Change) error {
			return recordLeadEvent(ctx, q, now, u.OrganizationID, lead.PartnerID, id, &u.ID, kind, changes, "")
		}
		if outcome == "lost" {
			if _, err := q.MarkLeadLost(ctx, queries.MarkLeadLostParams{Now: now, OrganizationID: u.OrganizationID, ID: id}); err != nil {
				return transitionErr(err)
			}
			return record("lost", map[string]Change{"Stage": {Old: statusLabel(lead.Stage), New: "Lost"}})
		}
		if lead.Status == "in_review" {
			if _, err := q.ApproveLead(ctx, queries.ApproveLeadParams{Now: now, OrganizationID: u.OrganizationID, ID: id}); err != nil {
				return transitionErr(err)
			}
			if err := record("approved", nil); err != nil {
				return err
			}
		}
		if _, err := q.MarkLeadWon(ctx, queries.MarkLeadWonParams{Now: now, OrganizationID: u.OrganizationID, ID: id, RevenueMinor: revenue}); err != nil {
			return transitionErr(err)
		}
		if _, err := q.CreateLeadWonEvent(ctx, queries.CreateLeadWonEventParams{OrganizationID: u.OrganizationID, LeadID: id}); err != nil {
			return err
		}
		if err := record("won", map[string]Change{"Stage": {Old: statusLabel(lead.Stage), New: "Won"},
			"Revenue": {New: money.Format(revenue, lead.Currency)}}); err != nil {
			return err
		}
		notified, err = notifyLeadPartner(ctx, q, now, lead, "Your lead "+lead.Company+" was marked Won by "+
			u.OrganizationName+", with "+money.Format(revenue, lead.Currency)+" in revenue.")
		return err
	})
	if errors.Is(err, errLeadTransition) {
		p.Errors = map[string]string{"row": refusal(lead, "marked "+statusLabel(outcome))}
		return h.respondReviewRow(c, fiber.StatusUnprocessableEntity, id, p, "", "")
	}
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(ctx, notified)
	flash := "Marked " + lead.Company + " as Lost."
	if outcome == "won" {
		flash = "Marked " + lead.Company + " as Won. " + partnerTold(len(notified))
	}
	return h.respondReviewRow(c, fiber.StatusOK, id, p, "", flash)
}
