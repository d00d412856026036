package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// saveReviewEdit stores staff corrections to a lead: company, website,
// contact, email, deal value and (for an approved open lead) the stage.
// Invalid input returns the edit row with the messages in place (422) and
// saves nothing. The history gets an 'updated' entry listing the changed
// fields and, when the stage moved, a 'stage' entry.
func (h *Handler) saveReviewEdit(c *fiber.Ctx) error {
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
	p := h.newPage(c, "Edit "+cur.Lead.Company)
	p.Section = "review"
	// The edit row shows some of the fields; the others keep their values.
	form := func(k string) string {
		switch k {
		case "phone":
			return cur.Lead.Phone
		case "notes":
			return cur.Lead.Notes
		case "currency":
			return cur.Lead.Currency
		}
		return c.FormValue(k)
	}
	in, errs, raw := validateLead(form, cur.Lead.Currency)
	if errs == nil {
		errs = map[string]string{}
	}
	stage := strings.TrimSpace(c.FormValue("stage"))
	if stage == "" {
		stage = cur.Lead.Stage
	}
	raw["stage"] = stage
	if stage != cur.Lead.Stage && !(cur.Lead.Status == "approved" && openStage(cur.Lead.Stage) && openStage(stage)) {
		errs["stage"] = "Only an approved, open lead can move between New, Qualified and Proposal; use Won or Lost to close it."
	}
	if len(errs) > 0 {
		p.Errors, p.Form = errs, raw
		return h.renderReviewEdit(c, fiber.StatusUnprocessableEntity, p, cur)
	}
	now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		old, err := q.LockLeadForReview(ctx, queries.LockLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
		if err != nil {
			return err
		}
		if _, err := q.UpdateLeadForReview(ctx, queries.UpdateLeadForReviewParams{Now: now,
			OrganizationID: u.OrganizationID, ID: id, Company: in.Company, Domain: in.Domain,
			ContactName: in.ContactName, Email: in.Email, DealValueMinor: in.DealValueMinor, Stage: stage}); err != nil {
			return transitionErr(err)
		}
		before := LeadInput{Company: old.Company, Domain: old.Domain, ContactName: old.ContactName, Email: old.Email,
			Phone: old.Phone, Currency: old.Currency, Notes: old.Notes, DealValueMinor: old.DealValueMinor}
		if changes := leadChanges(&before, in); len(changes) > 0 {
			if err := recordLeadEvent(ctx, q, now, u.OrganizationID, old.PartnerID, id, &u.ID, "updated", changes, ""); err != nil {
				return err
			}
		}
		if stage != old.Stage {
			// The commission engine hears of every stage move (stage
			// incentives, a tier whose revenue share is earned before Won).
			if _, err := q.CreateLeadChangedEvent(ctx, queries.CreateLeadChangedEventParams{
				Reason: "Stage " + statusLabel(stage), OrganizationID: u.OrganizationID, LeadID: id}); err != nil {
				return err
			}
			return recordLeadEvent(ctx, q, now, u.OrganizationID, old.PartnerID, id, &u.ID, "stage",
				map[string]Change{"Stage": {Old: statusLabel(old.Stage), New: statusLabel(stage)}}, "")
		}
		return nil
	})
	if errors.Is(err, errLeadTransition) {
		// The lead changed since the form was opened (e.g. it was just won).
		p.Errors, p.Form = map[string]string{"stage": "This lead's stage can no longer change here; it was closed or decided meanwhile."}, raw
		fresh, gerr := h.Store.GetLeadForReview(ctx, queries.GetLeadForReviewParams{OrganizationID: u.OrganizationID, ID: id})
		if gerr != nil {
			return gerr
		}
		return h.renderReviewEdit(c, fiber.StatusUnprocessableEntity, p, fresh)
	}
	if err != nil {
		return err
	}
	return h.respondReviewRow(c, fiber.StatusOK, id, h.newPage(c, "Lead review"), "", "Saved your changes to "+in.Company+".")
}

func openStage(s string) bool { return s == "new" || s == "qualified" || s == "proposal" }
