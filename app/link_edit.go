package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showEditLink is the form to rename a link or change where it leads.
func (h *Handler) showEditLink(c *fiber.Ctx) error {
	u := currentUser(c)
	link, org, err := h.linkAndOrg(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Edit tracking link")
	p.Form = map[string]string{"name": link.Name, "kind": link.Kind, "destination": link.Destination,
		"utm_source": link.UtmSource, "utm_medium": link.UtmMedium, "utm_campaign": link.UtmCampaign}
	return h.renderLinkForm(c, fiber.StatusOK, p, org.LinkDestinations, &link)
}

// updateLink saves name, destination and UTM values (the code and kind stay)
// and drops the link from every cache, so the next click follows the change.
func (h *Handler) updateLink(c *fiber.Ctx) error {
	u := currentUser(c)
	link, org, err := h.linkAndOrg(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Edit tracking link")
	p.Form = readLinkForm(c)
	p.Form["kind"] = link.Kind
	if errs := validateLinkForm(p.Form, org.LinkDestinations, false); len(errs) > 0 {
		p.Errors = errs
		return h.renderLinkForm(c, fiber.StatusUnprocessableEntity, p, org.LinkDestinations, &link)
	}
	f := p.Form
	code, err := h.Store.UpdateTrackingLink(c.Context(), queries.UpdateTrackingLinkParams{Now: h.Clock.Now(),
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: link.ID, Name: f["name"],
		Destination: f["destination"], UtmSource: f["utm_source"], UtmMedium: f["utm_medium"], UtmCampaign: f["utm_campaign"]})
	if err != nil {
		return err
	}
	h.invalidateLink(c, code)
	h.flash(c, "Link saved.")
	return redirect(c, "/dashboard/links/"+strconv.FormatInt(link.ID, 10))
}

// linkAndOrg loads the partner's link named by :id (404 for anyone else's)
// and the organization's settings.
func (h *Handler) linkAndOrg(c *fiber.Ctx, u *User) (queries.TrackingLink, queries.Organization, error) {
	id, err := paramID(c)
	if err != nil {
		return queries.TrackingLink{}, queries.Organization{}, err
	}
	link, err := h.Store.GetTrackingLinkForPartner(c.Context(), queries.GetTrackingLinkForPartnerParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id})
	if err != nil {
		return link, queries.Organization{}, err
	}
	org, err := h.Store.GetOrganization(c.Context(), u.OrganizationID)
	return link, org, err
}
