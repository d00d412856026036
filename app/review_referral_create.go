package app

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// createReferralLead registers a lead on behalf of a partner company as a
// referral: source "referral", in review, created by the staff user. The
// partner accepts or declines it on their side. The partner must be one of
// the organization's own (looked up scoped by organization), else 422.
func (h *Handler) createReferralLead(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	p := h.newPage(c, "New referral lead")
	p.Section = "review"
	in, errs, raw := validateLead(func(k string) string { return c.FormValue(k) }, u.Currency)
	if errs == nil {
		errs = map[string]string{}
	}
	raw["partner_id"] = c.FormValue("partner_id")
	partnerID, perr := strconv.ParseInt(raw["partner_id"], 10, 64)
	var partner queries.GetPartnerRow
	if perr == nil && partnerID > 0 {
		var err error
		partner, err = h.Store.GetPartner(ctx, queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: partnerID})
		if err != nil && !queries.IsNotFound(err) {
			return err
		}
		if err != nil {
			perr = err
		}
	}
	if perr != nil || partnerID <= 0 {
		errs["partner_id"] = "Choose the partner company that gets this lead."
	}
	if len(errs) > 0 {
		p.Errors, p.Form = errs, raw
		return h.renderReferralForm(c, fiber.StatusUnprocessableEntity, p)
	}
	org, err := h.Store.GetOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	var id int64
	var notified []int64
	now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		id, err = createLead(ctx, q, NewLead{Now: now, OrganizationID: u.OrganizationID, PartnerID: partner.ID, ActorID: &u.ID,
			Source: "referral", Status: "in_review", ProtectionDays: org.LeadProtectionDays, TimeZone: org.TimeZone, Input: in})
		if err != nil {
			return err
		}
		lead, err := q.LockLeadForReview(ctx, queries.LockLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
		if err != nil {
			return err
		}
		notified, err = notifyLeadPartner(ctx, q, now, lead, u.OrganizationName+" passed you a referral lead: "+in.Company+
			". Accept or decline it under Referral Leads.")
		return err
	})
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(ctx, notified)
	h.flash(c, "Passed "+in.Company+" to "+partner.Name+" as a referral lead. It stays In Review until they accept it.")
	return redirect(c, fmt.Sprintf("/console/leads/%d", id))
}
