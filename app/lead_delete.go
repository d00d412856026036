package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showDeleteLead asks "Delete lead X?" with a button: the confirmation step
// that works without JavaScript.
func (h *Handler) showDeleteLead(c *fiber.Ctx) error {
	u := currentUser(c)
	row, err := h.editableLead(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Delete lead")
	p.Section = "leads"
	p.Data = row.Lead
	return h.render(c, fiber.StatusOK, "leads/delete", "", p)
}

// deleteLead removes a lead still In Review, with its history. The rule is
// checked first for a clear message and again in the DELETE itself.
func (h *Handler) deleteLead(c *fiber.Ctx) error {
	u := currentUser(c)
	row, err := h.editableLead(c, u)
	if err != nil {
		return err
	}
	company, err := h.Store.DeleteLeadForPartner(c.Context(), queries.DeleteLeadForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: row.Lead.ID,
		IsAdmin: u.IsPartnerAdmin(), UserID: u.ID,
	})
	switch {
	case queries.IsNotFound(err):
		return errLeadLocked // reviewed or removed since the check above
	case err != nil:
		return err
	}
	h.flash(c, "The lead "+company+" was deleted.")
	return redirect(c, "/leads")
}
