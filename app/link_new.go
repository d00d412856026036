package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showNewLink is the form for a new named link (partner admins).
func (h *Handler) showNewLink(c *fiber.Ctx) error {
	u := currentUser(c)
	org, err := h.Store.GetOrganization(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	p := h.newPage(c, "New tracking link")
	p.Form = map[string]string{"kind": "referral"}
	if len(org.LinkDestinations) > 0 {
		p.Form["destination"] = org.LinkDestinations[0]
	}
	return h.renderLinkForm(c, fiber.StatusOK, p, org.LinkDestinations, nil)
}

// renderLinkForm shows the new (link nil) or edit form.
func (h *Handler) renderLinkForm(c *fiber.Ctx, status int, p *Page, allowed []string, link *queries.TrackingLink) error {
	p.Section = "dashboard"
	p.Data = fiber.Map{"Allowed": allowed, "Link": link}
	return h.render(c, status, "pages/link_form", "", p)
}

// createLink makes a named link with a generated code; bad input comes back
// as the form with every problem beside its field (422), nothing saved.
func (h *Handler) createLink(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	org, err := h.Store.GetOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	p := h.newPage(c, "New tracking link")
	p.Form = readLinkForm(c)
	if errs := validateLinkForm(p.Form, org.LinkDestinations, true); len(errs) > 0 {
		p.Errors = errs
		return h.renderLinkForm(c, fiber.StatusUnprocessableEntity, p, org.LinkDestinations, nil)
	}
	f := p.Form
	id, code, err := createLinkWithCode(ctx, h.Store.Queries, queries.CreateTrackingLinkParams{Now: h.Clock.Now(),
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Name: f["name"], Kind: f["kind"],
		Destination: f["destination"], UtmSource: f["utm_source"], UtmMedium: f["utm_medium"],
		UtmCampaign: f["utm_campaign"], Active: true,
	}, u.PartnerName)
	if err != nil {
		return err
	}
	h.invalidateLink(c, code) // a click on the code before it existed may be cached as "unknown"
	h.Log.Info("tracking link created", "link_id", id, "partner_id", u.PartnerID, "user_id", u.ID)
	h.flash(c, "Link created. Share it to start counting clicks.")
	return redirect(c, "/dashboard/links/"+strconv.FormatInt(id, 10))
}

// invalidateLink drops a changed link from every web process's cache. The
// change is saved either way; if Redis cannot carry the message, other
// processes pick it up when their entry expires.
func (h *Handler) invalidateLink(c *fiber.Ctx, code string) {
	if err := h.Links.Invalidate(c.Context(), h.Redis, code); err != nil {
		h.Log.Error("link cache invalidation not broadcast", "code", code, "err", err)
	}
}
