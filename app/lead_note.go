package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// addLeadNote adds a note to the history of any lead of the company, even a
// locked one; the lead's fields stay as they are. An empty or too long note
// comes back on the lead page with the message beside it (422).
func (h *Handler) addLeadNote(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(c.FormValue("note"))
	if n := len([]rune(note)); n < 1 || n > 2000 {
		row, err := h.loadLead(c, u, id)
		if err != nil {
			return err
		}
		p := h.newPage(c, row.Lead.Company)
		p.Form = map[string]string{"note": note}
		p.Errors = map[string]string{"note": "Write a note of 1 to 2,000 characters."}
		if n > 2000 {
			p.Errors["note"] = fmt.Sprintf("Keep the note under 2,000 characters (it has %d).", n)
		}
		return h.renderLeadDetail(c, fiber.StatusUnprocessableEntity, p, row)
	}
	actor := u.ID
	n, err := h.Store.CreateLeadNote(c.Context(), queries.CreateLeadNoteParams{Now: h.Clock.Now(),
		ActorUserID: &actor, Note: note, OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
	if err != nil {
		return err
	}
	if n == 0 {
		return fiber.ErrNotFound
	}
	h.flash(c, "Your note was added to the lead's history.")
	return redirect(c, fmt.Sprintf("/leads/%d#history", id))
}
