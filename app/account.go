package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
	"partnerportal/workers"
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
	pending, err := h.Store.GetPendingEmailChange(c.Context(), queries.GetPendingEmailChangeParams{
		OrganizationID: u.OrganizationID, UserID: u.ID, Now: h.Clock.Now()})
	switch {
	case err == nil:
		data["PendingEmail"] = pending.NewEmail
	case !queries.IsNotFound(err):
		return err
	}
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

// updateAccount saves name and time zone at once. A new email address is
// only requested here: it takes effect when the link sent to it is opened,
// and the current address is told. The answer is the same whether or not the
// new address has an account elsewhere. Bad input re-renders the form with
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
	changing := len(errs) == 0 && email != u.Email
	if changing {
		ok, err := allow(c.Context(), h.Redis, "rl:email_change:user:"+strconv.FormatInt(u.ID, 10), emailChangesPerUserPerDay, 24*time.Hour)
		if err != nil {
			return err
		}
		if !ok {
			p.Errors = map[string]string{"email": "You asked to change your address too many times today. Try again tomorrow."}
			return h.renderAccount(c, fiber.StatusTooManyRequests, p)
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, p)
	}
	ctx := c.Context()
	var changeID int64
	err := h.Store.Tx(ctx, func(q *queries.Queries) error {
		if _, err := q.UpdateUserNameAndZone(ctx, queries.UpdateUserNameAndZoneParams{
			OrganizationID: u.OrganizationID, ID: u.ID, Name: p.Form["name"], TimeZone: p.Form["time_zone"]}); err != nil {
			return err
		}
		if !changing {
			return nil
		}
		now := h.Clock.Now()
		if err := q.CancelPendingEmailChanges(ctx, queries.CancelPendingEmailChangesParams{OrganizationID: u.OrganizationID, UserID: u.ID, Now: now}); err != nil {
			return err
		}
		var err error
		changeID, err = q.CreateEmailChange(ctx, queries.CreateEmailChangeParams{
			OrganizationID: u.OrganizationID, UserID: u.ID, OldEmail: u.Email, NewEmail: email,
			ExpiresAt: now.Add(h.Config.EmailChangeTTL), CancelExpiresAt: now.Add(emailChangeReportWindow), CreatedAt: now})
		return err
	})
	if err != nil {
		return err
	}
	if !changing {
		h.flash(c, "Your account settings are saved.")
		return redirect(c, "/account")
	}
	if _, err := h.Queue.EnqueueContext(ctx, workers.NewEmailChangeTask(changeID)); err != nil {
		h.Log.Warn("email change not queued; the sweep will", "email_change_id", changeID, "err", err)
	}
	h.Log.Info("email change requested", "email_change_id", changeID, "user_id", u.ID)
	h.flash(c, "Your settings are saved. We sent a confirmation link to "+email+": your sign-in address changes "+
		"when you open it (within "+ttlText(h.Config.EmailChangeTTL)+"). Until then you keep signing in with "+u.Email+".")
	return redirect(c, "/account")
}

// Email changes: requests per user per day, and how long the old address's
// report link works (it can undo a change already confirmed).
const (
	emailChangesPerUserPerDay = 5
	emailChangeReportWindow   = 7 * 24 * time.Hour
)

// commonZones is the time zone list offered in forms ("" = the organization's).
var commonZones = []string{
	"UTC", "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
	"America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Amsterdam", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
	"Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
}
