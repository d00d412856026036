package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// decideProfile approves or declines a profile waiting for review, inline:
// an htmx request gets the row back (422 with the reason's error in place),
// a plain form post a redirect.
func (h *Handler) decideProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	partnerID, err := strconv.ParseInt(c.Params("partner"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	decision := c.FormValue("decision")
	reason := strings.TrimSpace(c.FormValue("reason"))
	prof, err := h.Store.GetPartnerProfile(ctx, queries.GetPartnerProfileParams{OrganizationID: u.OrganizationID, PartnerID: partnerID})
	if err != nil {
		return err
	}
	row := queries.ListPendingProfilesRow{PartnerID: prof.PartnerID, CompanyName: prof.CompanyName, Slug: prof.Slug, State: prof.State, SubmittedAt: prof.SubmittedAt}
	p := h.newPage(c, "Partner directory")
	errs := map[string]string{}
	state := ""
	switch decision {
	case "approve":
		state = spotlight.Published
		reason = ""
	case "decline":
		state = spotlight.Declined
		if n := len([]rune(reason)); n == 0 || n > 500 {
			errs["reason"] = "Say why (up to 500 characters): the partner sees it."
		}
	default:
		errs["reason"] = "Choose approve or decline."
	}
	if len(errs) > 0 {
		p.Errors = errs
		p.Form = map[string]string{"reason": reason}
		return h.renderProfileRow(c, fiber.StatusUnprocessableEntity, p, row, "")
	}
	_, err = h.Store.SetPartnerProfileState(ctx, queries.SetPartnerProfileStateParams{OrganizationID: u.OrganizationID, PartnerID: partnerID,
		State: state, DeclineReason: reason, FromStates: []string{spotlight.Pending}, Now: h.Clock.Now()})
	if queries.IsNotFound(err) {
		p.Errors = map[string]string{"reason": "This profile is no longer waiting for review."}
		return h.renderProfileRow(c, fiber.StatusUnprocessableEntity, p, row, "")
	}
	if err != nil {
		return err
	}
	done := "Approved " + prof.CompanyName + ": it is in the directory now."
	if state == spotlight.Declined {
		done = "Declined " + prof.CompanyName + "; the partner sees your reason."
	}
	if !isFragmentRequest(c) {
		h.flash(c, done)
		return redirect(c, "/console/directory")
	}
	announce(c, done)
	return h.renderProfileRow(c, fiber.StatusOK, p, row, done)
}

func (h *Handler) renderProfileRow(c *fiber.Ctx, status int, p *Page, row queries.ListPendingProfilesRow, done string) error {
	p.Section = "settings"
	p.Data = fiber.Map{"Row": row, "Done": done}
	if !isFragmentRequest(c) {
		cd, err := h.loadConsoleDirectory(c, p.User)
		if err != nil {
			return err
		}
		if p.Form == nil {
			p.Form = map[string]string{}
		}
		f := settingsForm(cd.S)
		for k, v := range f {
			if _, ok := p.Form[k]; !ok {
				p.Form[k] = v
			}
		}
		return h.renderConsoleDirectory(c, status, p, cd)
	}
	c.Status(status)
	c.Vary("HX-Request")
	return c.Render("console/directory_row", profileRowView{Row: row, Errors: p.Errors, Reason: p.Form["reason"], CSRF: p.CSRF, Done: done}, "")
}

// profileRowView is one row of the review list.
type profileRowView struct {
	Row          queries.ListPendingProfilesRow
	Errors       map[string]string
	Reason, CSRF string
	Done         string
}

// RowFor gives the review list's row template its data on the full page
// (errors of a decision posted without htmx show under their row).
func (cd consoleDirectory) RowFor(p *Page, row queries.ListPendingProfilesRow) profileRowView {
	v := profileRowView{Row: row, CSRF: p.CSRF}
	if p.Form != nil && p.Errors["reason"] != "" {
		v.Errors, v.Reason = p.Errors, p.Form["reason"]
	}
	return v
}
