package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// leadLockReason says why the user may not edit or delete a lead, or "" when
// they may. partnerCanEdit is the rule; leads the program team passed to the
// company are also kept out of reach while they wait (the partner accepts or
// declines those instead).
func leadLockReason(u *User, l queries.Lead) string {
	switch {
	case l.Status != "in_review":
		return "This lead has been reviewed, so it can no longer be changed or deleted. Notes can still be added on the lead's page."
	case l.Source == "referral":
		return "The program team passed this lead to your company: accept or decline it under Referral Leads instead of editing it."
	case l.Source == "directory":
		return "A visitor of the partner directory sent this request to your company: accept or decline it under Referral Leads instead of editing it."
	case l.Source == "referral_link":
		return "This lead signed up through one of your tracking links; its details come from that sign-up and cannot be changed here. Notes can still be added on the lead's page."
	case !partnerCanEdit(u, l.Status, l.Source, l.CreatedByUserID):
		return "Only the colleague who registered this lead, or one of your company's portal admins, can change or delete it."
	}
	return ""
}

// editableLead loads the lead and refuses (403, with the reason) when the
// user may not change it.
func (h *Handler) editableLead(c *fiber.Ctx, u *User) (queries.GetLeadForPartnerRow, error) {
	id, err := paramID(c)
	if err != nil {
		return queries.GetLeadForPartnerRow{}, err
	}
	row, err := h.loadLead(c, u, id)
	if err != nil {
		return row, err
	}
	if why := leadLockReason(u, row.Lead); why != "" {
		return row, fiber.NewError(fiber.StatusForbidden, why)
	}
	return row, nil
}

func leadInputOf(l queries.Lead) LeadInput {
	return LeadInput{Company: l.Company, Domain: l.Domain, ContactName: l.ContactName, Email: l.Email,
		Phone: l.Phone, Currency: l.Currency, Notes: l.Notes, DealValueMinor: l.DealValueMinor}
}

// showEditLead is the lead form filled with the lead's current values.
func (h *Handler) showEditLead(c *fiber.Ctx) error {
	u := currentUser(c)
	row, err := h.editableLead(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Edit lead")
	p.Form = leadInputOf(row.Lead).Fields()
	return h.renderLeadForm(c, fiber.StatusOK, p, &row.Lead)
}

// errLeadLocked means the lead was reviewed (or otherwise locked) between the
// page load and the save.
var errLeadLocked = fiber.NewError(fiber.StatusConflict,
	"This lead changed while you were editing it (it may have just been reviewed), so your changes were not saved. Open it again to see where it stands.")

// updateLead saves the edited fields, checks again for duplicates and writes
// what changed to the history; invalid input comes back in place (422).
func (h *Handler) updateLead(c *fiber.Ctx) error {
	u := currentUser(c)
	row, err := h.editableLead(c, u)
	if err != nil {
		return err
	}
	in, errs, raw := validateLead(func(k string) string { return c.FormValue(k) }, row.Lead.Currency)
	if errs == nil && !slices.Contains(leadCurrencies(u.Currency, row.Lead.Currency), in.Currency) {
		errs = map[string]string{"currency": "Choose a currency from the list."}
	}
	if errs != nil {
		p := h.newPage(c, "Edit lead")
		p.Form, p.Errors = raw, errs
		return h.renderLeadForm(c, fiber.StatusUnprocessableEntity, p, &row.Lead)
	}
	org, err := h.Store.GetOrganization(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	changed := false
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		var err error
		changed, err = saveLeadEdit(c.Context(), q, h.Clock.Now(), u, row.Lead.ID, in, org.LeadProtectionDays)
		return err
	})
	if err != nil {
		return err
	}
	if changed {
		h.flash(c, "Your changes to the lead are saved.")
	} else {
		h.flash(c, "Nothing changed, so nothing was saved.")
	}
	return redirect(c, fmt.Sprintf("/leads/%d", row.Lead.ID))
}

// saveLeadEdit updates the lead under a row lock. It reports whether anything
// changed; nothing is written (not even updated_at) when nothing did.
func saveLeadEdit(ctx context.Context, q *queries.Queries, now time.Time, u *User, id int64, in LeadInput, protectionDays int32) (bool, error) {
	cur, err := q.LockLeadForPartner(ctx, queries.LockLeadForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
	if err != nil {
		return false, err
	}
	if leadLockReason(u, cur) != "" {
		return false, errLeadLocked
	}
	old := leadInputOf(cur)
	changes := leadChanges(&old, in)
	if len(changes) == 0 {
		return false, nil
	}
	params := queries.UpdateLeadForPartnerParams{Now: now,
		Company: in.Company, Domain: in.Domain, ContactName: in.ContactName, Email: in.Email, Phone: in.Phone,
		Currency: in.Currency, DealValueMinor: in.DealValueMinor, Notes: in.Notes,
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id, IsAdmin: u.IsPartnerAdmin(), UserID: u.ID,
	}
	dup, err := q.FindDuplicateLead(ctx, queries.FindDuplicateLeadParams{Now: now,
		OrganizationID: u.OrganizationID, ExcludeID: id, ProtectionDays: protectionDays, Email: in.Email, Domain: in.Domain})
	switch {
	case err == nil:
		// Only a lead registered before this one makes it a duplicate: the
		// first to register keeps the protection even when it is edited.
		if dup.CreatedAt.Before(cur.CreatedAt) || (dup.CreatedAt.Equal(cur.CreatedAt) && dup.ID < id) {
			params.DuplicateOfLeadID = &dup.ID
			params.DuplicateReason = duplicateReason(dup, u.PartnerID, protectionDays, u.OrganizationTZ)
		}
	case !queries.IsNotFound(err):
		return false, err
	}
	n, err := q.UpdateLeadForPartner(ctx, params)
	if err != nil {
		return false, err
	}
	if n == 0 {
		return false, errLeadLocked
	}
	actor := u.ID
	if err := recordLeadEvent(ctx, q, now, u.OrganizationID, u.PartnerID, id, &actor, "updated", changes, ""); err != nil {
		return false, err
	}
	if params.DuplicateReason != "" && params.DuplicateReason != cur.DuplicateReason {
		if err := recordLeadEvent(ctx, q, now, u.OrganizationID, u.PartnerID, id, nil, "duplicate", nil, params.DuplicateReason); err != nil {
			return false, err
		}
	}
	return true, nil
}
