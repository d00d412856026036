package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// publishSpotlight makes the saved profile public, or sends it for review
// when the vendor wants to approve profiles first.
func (h *Handler) publishSpotlight(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	s, saved, err := h.loadSpotlight(ctx, u)
	if err != nil {
		return err
	}
	if saved == nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Save your profile before publishing it.")
	}
	state, msg := spotlight.Published, "Your profile is published in the partner directory."
	if s.ApprovalRequired {
		state, msg = spotlight.Pending, "Your profile is sent for review. The program team approves it before it appears in the directory."
	}
	if !s.Enabled && state == spotlight.Published {
		msg = "Your profile is published. The directory itself is not open yet: it appears once the program team opens it."
	}
	_, err = h.Store.SetPartnerProfileState(ctx, queries.SetPartnerProfileStateParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
		State: state, FromStates: []string{spotlight.Draft, spotlight.Declined}, Now: h.Clock.Now()})
	if queries.IsNotFound(err) {
		h.flash(c, "Your profile is already "+saved.State+".")
		return redirect(c, "/manage/spotlight")
	}
	if err != nil {
		return err
	}
	h.flash(c, msg)
	return redirect(c, "/manage/spotlight")
}

// unpublishSpotlight takes the profile out of the directory (or out of
// review) and back to a draft.
func (h *Handler) unpublishSpotlight(c *fiber.Ctx) error {
	u := currentUser(c)
	_, err := h.Store.SetPartnerProfileState(c.Context(), queries.SetPartnerProfileStateParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
		State: spotlight.Draft, FromStates: []string{spotlight.Published, spotlight.Pending}, Now: h.Clock.Now()})
	if err != nil && !queries.IsNotFound(err) {
		return err
	}
	h.flash(c, "Your profile is a draft again and no longer public.")
	return redirect(c, "/manage/spotlight")
}

// showSpotlightPreview shows the saved profile exactly as the directory
// will, whatever its state.
func (h *Handler) showSpotlightPreview(c *fiber.Ctx) error {
	u := currentUser(c)
	s, saved, err := h.loadSpotlight(c.Context(), u)
	if err != nil {
		return err
	}
	if saved == nil {
		return fiber.ErrNotFound
	}
	base := "/partners/" + s.Slug
	logo := ""
	if saved.LogoKey != "" {
		logo = "/manage/spotlight/logo.png?v=" + logoVersion(saved.LogoKey)
	}
	p := h.newPage(c, "Preview: "+saved.CompanyName)
	p.Section = "manage"
	p.Data = fiber.Map{"P": viewProfile(*saved, base, logo), "State": saved.State, "OrgName": u.OrganizationName}
	return h.render(c, fiber.StatusOK, "pages/manage_spotlight_preview", "", p)
}
