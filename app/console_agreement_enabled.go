package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// setAgreementEnabled turns one agreement on or off. A disabled agreement is
// kept with its versions and signatures but nobody is asked to sign it.
func (h *Handler) setAgreementEnabled(c *fiber.Ctx) error {
	u := currentUser(c)
	a, err := h.staffAgreement(c)
	if err != nil {
		return err
	}
	on, err := formSwitch(c, "enabled")
	if err != nil {
		return err
	}
	if err := h.Store.SetAgreementEnabled(c.Context(), queries.SetAgreementEnabledParams{
		OrganizationID: u.OrganizationID, ID: a.ID, Enabled: on}); err != nil {
		return err
	}
	if on {
		h.flash(c, a.Title+" is enabled. Partner companies are asked to sign its latest published version.")
	} else {
		h.flash(c, a.Title+" is disabled. Partners are no longer asked to sign it.")
	}
	return redirect(c, "/console/agreements/"+strconv.FormatInt(a.ID, 10))
}
