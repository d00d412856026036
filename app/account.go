package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

func (h *Handler) showAccount(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Account settings")
	p.Form = map[string]string{"name": u.Name, "email": u.Email, "time_zone": u.TimeZone}
	return h.renderAccount(c, fiber.StatusOK, p)
}

func (h *Handler) renderAccount(c *fiber.Ctx, status int, p *Page) error {
	u := p.User
	data := fiber.Map{"Zones": commonZones}
	if u.IsPartner() {
		sigs, err := h.Store.ListSignaturesForPartner(c.Context(), queries.ListSignaturesForPartnerParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
		if err != nil {
			return err
		}
		data["Signatures"] = sigs
	}
	p.Data = data
	return h.render(c, status, "pages/account", "", p)
}

// updateAccount saves name, email and time zone, or re-renders the form with
// every problem beside its field (422) and saves nothing.
func (h *Handler) updateAccount(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Account settings")
	p.Form = map[string]string{
		"name": strings.TrimSpace(c.FormValue("name")), "email": strings.TrimSpace(c.FormValue("email")),
		"time_zone": strings.TrimSpace(c.FormValue("time_zone")),
	}
	errs := map[string]string{}
	if n := len([]rune(p.Form["name"])); n < 2 || n > 100 {
		errs["name"] = "Enter your name (2 to 100 characters)."
	}
	email, problem := normalizeEmail(p.Form["email"])
	if problem != "" {
		errs["email"] = problem
	}
	if tz := p.Form["time_zone"]; tz != "" {
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			errs["time_zone"] = "Choose a time zone from the list."
		}
	}
	if len(errs) == 0 {
		_, err := h.Store.UpdateUserProfile(c.Context(), queries.UpdateUserProfileParams{
			OrganizationID: u.OrganizationID, ID: u.ID, Name: p.Form["name"], Email: email, TimeZone: p.Form["time_zone"],
		})
		switch {
		case queries.IsDuplicate(err):
			errs["email"] = "Another account already uses this email address."
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, p)
	}
	h.flash(c, "Your account settings are saved.")
	return redirect(c, "/account")
}

// commonZones is the time zone list offered in forms ("" = the organization's).
var commonZones = []string{
	"UTC", "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
	"America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Amsterdam", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
	"Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
}
