package app

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showPartnerSettings shows the partner company's profile; the tier is set by
// the program team and only shown.
func (h *Handler) showPartnerSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	partner, err := h.Store.GetPartner(c.Context(), queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID})
	if err != nil {
		return err
	}
	p := h.newPage(c, "Organization settings")
	p.Form = map[string]string{"name": partner.Name, "website": partner.Website}
	return h.renderPartnerSettings(c, fiber.StatusOK, p, partner)
}

func (h *Handler) renderPartnerSettings(c *fiber.Ctx, status int, p *Page, partner queries.GetPartnerRow) error {
	p.Section = "manage"
	p.Data = fiber.Map{"Tab": "organization", "Partner": partner}
	return h.render(c, status, "pages/manage_organization", "", p)
}

// updatePartnerSettings saves name and website, or shows the form again with
// the problems beside their fields (422) and saves nothing.
func (h *Handler) updatePartnerSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	partner, err := h.Store.GetPartner(ctx, queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID})
	if err != nil {
		return err
	}
	p := h.newPage(c, "Organization settings")
	p.Form = map[string]string{
		"name":    strings.TrimSpace(c.FormValue("name")),
		"website": strings.TrimSpace(c.FormValue("website")),
	}
	errs := map[string]string{}
	if n := len([]rune(p.Form["name"])); n < 1 || n > 200 {
		errs["name"] = "Enter your company's name (up to 200 characters)."
	}
	if problem := checkWebsite(p.Form["website"]); problem != "" {
		errs["website"] = problem
	}
	if len(errs) == 0 {
		_, err := h.Store.UpdatePartnerProfile(ctx, queries.UpdatePartnerProfileParams{
			OrganizationID: u.OrganizationID, ID: u.PartnerID, Name: p.Form["name"], Website: p.Form["website"]})
		switch {
		case queries.IsDuplicate(err):
			errs["name"] = "Another partner company in this program already uses this name."
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderPartnerSettings(c, fiber.StatusUnprocessableEntity, p, partner)
	}
	h.flash(c, "Your organization settings are saved.")
	return redirect(c, "/manage/organization")
}

// checkWebsite accepts an empty value or an absolute http(s) URL with a host.
func checkWebsite(raw string) string {
	if raw == "" {
		return ""
	}
	const msg = "Enter a full web address starting with https:// (or leave it empty)."
	if len(raw) > 500 || strings.ContainsAny(raw, " \t\r\n") {
		return msg
	}
	w, err := url.Parse(raw)
	if err != nil || (w.Scheme != "http" && w.Scheme != "https") || w.Hostname() == "" || w.User != nil {
		return msg
	}
	return ""
}
