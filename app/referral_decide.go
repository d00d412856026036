package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// errReferralDecided answers a second accept or decline of the same referral.
var errReferralDecided = fiber.NewError(fiber.StatusConflict,
	"This referral was already accepted or declined. Reload the page to see where it stands.")

// acceptReferral takes on a referral that is waiting for the company.
func (h *Handler) acceptReferral(c *fiber.Ctx) error {
	return h.decideReferral(c, true)
}

// declineReferral turns a waiting referral down with a reason (3 to 500
// characters) the program team reads.
func (h *Handler) declineReferral(c *fiber.Ctx) error {
	return h.decideReferral(c, false)
}

// decideReferral changes the status in SQL only while the lead is a waiting
// referral of the company, and writes the history entry in the same
// transaction. htmx gets the row back (and the metrics out of band); a plain
// form gets redirected to the list.
func (h *Handler) decideReferral(c *fiber.Ctx, accept bool) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	scope := queries.GetReferralLeadForPartnerParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id}
	lead, err := h.Store.GetReferralLeadForPartner(c.Context(), scope)
	if err != nil {
		return err // not the company's referral: 404
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if !accept {
		if n := len([]rune(reason)); n < 3 || n > 500 {
			if lead.Status != "in_review" {
				return errReferralDecided
			}
			p := h.newPage(c, "Referral leads")
			row := &referralRow{Lead: lead, CSRF: p.CSRF, Zone: u.Zone(), Reason: reason,
				Error: "Tell the program team why you decline it (3 to 500 characters)."}
			announceError(c, row.Error)
			return h.renderReferrals(c, fiber.StatusUnprocessableEntity, p, row)
		}
	}
	actor := u.ID
	now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		var n int64
		var err error
		kind := "accepted"
		if accept {
			n, err = q.AcceptReferralLead(c.Context(), queries.AcceptReferralLeadParams{Now: now,
				OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
		} else {
			kind = "declined"
			n, err = q.DeclineReferralLead(c.Context(), queries.DeclineReferralLeadParams{Now: now,
				OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id, RejectionReason: reason})
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return errReferralDecided
		}
		changes := map[string]Change{"Status": {Old: statusLabel("in_review"), New: statusLabel("approved")}}
		if !accept {
			changes["Status"] = Change{Old: statusLabel("in_review"), New: statusLabel("rejected")}
		}
		return recordLeadEvent(c.Context(), q, now, u.OrganizationID, u.PartnerID, id, &actor, kind, changes, reason)
	})
	if err != nil {
		return err
	}
	if isFragmentRequest(c) {
		lead, err = h.Store.GetReferralLeadForPartner(c.Context(), scope)
		if err != nil {
			return err
		}
		p := h.newPage(c, "Referral leads")
		if accept {
			announce(c, "You accepted the referral "+lead.Company+".")
		} else {
			announce(c, "You declined the referral "+lead.Company+".")
		}
		return h.renderReferrals(c, fiber.StatusOK, p, &referralRow{Lead: lead, CSRF: p.CSRF, Zone: u.Zone()})
	}
	if accept {
		h.flash(c, "You accepted the referral "+lead.Company+". It is now one of your approved leads.")
	} else {
		h.flash(c, "You declined the referral "+lead.Company+". The program team can see your reason.")
	}
	return redirect(c, "/leads/referrals")
}
