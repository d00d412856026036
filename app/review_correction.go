package app

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// correctLead changes a closed lead after the fact: the revenue of a won
// deal, a refund, a won deal lost after all, or a reopen. Each writes a
// 'lead_changed' outbox event in the same transaction; the commission
// engine then adjusts (a pending commission in place, approved or paid
// money with a new adjustment row) and the partner sees the reason.
func (h *Handler) correctLead(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := leadIDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	cur, err := h.Store.GetLeadForReview(ctx, queries.GetLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
	if err != nil {
		return err
	}
	l := cur.Lead
	action := c.FormValue("action")
	raw := strings.TrimSpace(c.FormValue("amount"))
	var amount int64
	if action == "revenue" || action == "refund" {
		v, perr := money.Parse(raw, l.Currency)
		if perr != nil || (action == "refund" && v == 0) {
			return h.correctionError(c, l, cur.PartnerName, raw, "Enter an amount like 12500 or 12,500.00"+map[bool]string{true: ", more than zero.", false: "."}[action == "refund"])
		}
		amount = v
	}
	var reason, flash string
	var changes map[string]Change
	kind := "updated"
	now := h.Clock.Now()
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		var err error
		switch action {
		case "revenue":
			_, err = q.CorrectWonRevenue(ctx, queries.CorrectWonRevenueParams{Now: now, RevenueMinor: amount, OrganizationID: u.OrganizationID, ID: id})
			reason = "Revenue corrected"
			changes = map[string]Change{"Revenue": {Old: money.Format(l.RevenueMinor, l.Currency), New: money.Format(amount, l.Currency)}}
			flash = "Revenue changed to " + money.Format(amount, l.Currency) + "."
		case "refund":
			_, err = q.RecordLeadRefund(ctx, queries.RecordLeadRefundParams{Now: now, AmountMinor: amount, OrganizationID: u.OrganizationID, ID: id})
			reason = "Refund of " + money.Format(amount, l.Currency)
			changes = map[string]Change{"Refunded": {Old: money.Format(l.RefundedMinor, l.Currency), New: money.Format(l.RefundedMinor+amount, l.Currency)}}
			flash = "Recorded a refund of " + money.Format(amount, l.Currency) + "."
		case "lost":
			_, err = q.LoseWonLead(ctx, queries.LoseWonLeadParams{Now: now, OrganizationID: u.OrganizationID, ID: id})
			reason, kind = "Lead marked Lost", "lost"
			changes = map[string]Change{"Stage": {Old: statusLabel(l.Stage), New: "Lost"}}
			flash = "Marked " + l.Company + " as Lost."
		case "reopen":
			_, err = q.ReopenLead(ctx, queries.ReopenLeadParams{Now: now, OrganizationID: u.OrganizationID, ID: id})
			reason, kind = "Lead reopened", "stage"
			changes = map[string]Change{"Stage": {Old: statusLabel(l.Stage), New: "Proposal"}}
			flash = "Reopened " + l.Company + " at Proposal."
		default:
			return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose a correction.")
		}
		if err != nil {
			return transitionErr(err)
		}
		if _, err := q.CreateLeadChangedEvent(ctx, queries.CreateLeadChangedEventParams{Reason: reason, OrganizationID: u.OrganizationID, LeadID: id}); err != nil {
			return err
		}
		return recordLeadEvent(ctx, q, now, u.OrganizationID, l.PartnerID, id, &u.ID, kind, changes, "")
	})
	if err != nil {
		if errors.Is(err, errLeadTransition) {
			return h.correctionError(c, l, cur.PartnerName, raw, "This lead changed meanwhile; reload the page and try again.")
		}
		return err
	}
	h.flash(c, flash+" Commissions follow within seconds.")
	return redirect(c, "/console/leads/"+strconv.FormatInt(id, 10))
}

func (h *Handler) correctionError(c *fiber.Ctx, l queries.Lead, partner, raw, msg string) error {
	p := h.newPage(c, l.Company)
	p.Section = "review"
	p.Errors = map[string]string{"correction": msg}
	p.Form = map[string]string{"amount": raw, "action": c.FormValue("action")}
	row := h.newReviewRow(c, p, l, partner)
	v, err := h.reviewLeadView(c, row)
	if err != nil {
		return err
	}
	p.Data = v
	return h.render(c, fiber.StatusUnprocessableEntity, "review/lead", "", p)
}
