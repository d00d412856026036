package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// setLinkActive activates or deactivates a link (the default one too; links
// are never deleted). The change reaches every web process at once: the
// code is dropped from all link caches, so the next click sees it.
func (h *Handler) setLinkActive(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	active, err := formSwitch(c, "active")
	if err != nil {
		return err
	}
	code, err := h.Store.SetTrackingLinkActive(c.Context(), queries.SetTrackingLinkActiveParams{Now: h.Clock.Now(),
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: id, Active: active})
	if err != nil {
		return err // not this partner's link: 404
	}
	h.invalidateLink(c, code)
	h.Log.Info("tracking link switched", "link_id", id, "active", active, "user_id", u.ID)
	if active {
		h.flash(c, "The link is active again.")
	} else {
		h.flash(c, "The link is deactivated. Visitors who open it see a “link not available” page.")
	}
	if c.FormValue("return") == "detail" {
		return redirect(c, "/dashboard/links/"+strconv.FormatInt(id, 10))
	}
	return redirect(c, "/dashboard/links")
}
