package app

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

type consolePartnerData struct {
	Partner     queries.GetPartnerRow
	Members     []queries.ListPartnerMembersRow
	Tiers       []queries.Tier
	Changes     []queries.ListPartnerTierChangesRow
	LeadsStage  []queries.CountPartnerLeadsByStageRow
	Links       []queries.TrackingLink
	Commissions []statusFigure
	// Billing is what the partner's invoices print for it (nil: none saved).
	Billing *queries.PartnerBillingDetail
}

// showConsolePartner is a partner company for staff: members, tier (and
// its history), leads, links and commissions.
func (h *Handler) showConsolePartner(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	d := &consolePartnerData{}
	d.Partner, err = h.Store.GetPartner(ctx, queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: id})
	if queries.IsNotFound(err) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if d.Members, err = h.Store.ListPartnerMembers(ctx, queries.ListPartnerMembersParams{OrganizationID: u.OrganizationID, PartnerID: id}); err != nil {
		return err
	}
	if d.Tiers, err = h.Store.ListTiers(ctx, u.OrganizationID); err != nil {
		return err
	}
	if d.Changes, err = h.Store.ListPartnerTierChanges(ctx, queries.ListPartnerTierChangesParams{OrganizationID: u.OrganizationID, PartnerID: id}); err != nil {
		return err
	}
	if d.LeadsStage, err = h.Store.CountPartnerLeadsByStage(ctx, queries.CountPartnerLeadsByStageParams{OrganizationID: u.OrganizationID, PartnerID: id}); err != nil {
		return err
	}
	if d.Links, err = h.Store.ListTrackingLinksForPartner(ctx, queries.ListTrackingLinksForPartnerParams{OrganizationID: u.OrganizationID, PartnerID: id}); err != nil {
		return err
	}
	sums, err := h.Store.SumCommissionsByStatus(ctx, queries.SumCommissionsByStatusParams{OrganizationID: u.OrganizationID, PartnerID: id})
	if err != nil {
		return err
	}
	d.Commissions = statusFigures(sums, u.Currency)
	switch b, err := h.Store.GetPartnerBillingDetails(ctx, queries.GetPartnerBillingDetailsParams{OrganizationID: u.OrganizationID, PartnerID: id}); {
	case err == nil:
		d.Billing = &b
	case !queries.IsNotFound(err):
		return err
	}
	p := h.newPage(c, d.Partner.Name)
	p.Section = "partners"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/console_partner", "", p)
}

// changePartnerTier moves a partner to another tier (or none). The change is
// recorded; commissions earned before it keep their rate.
func (h *Handler) changePartnerTier(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	back := "/console/partners/" + strconv.FormatInt(id, 10)
	var to *int64
	if raw := c.FormValue("tier_id"); raw != "" {
		tid, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose a tier from the list.")
		}
		to = &tid
	}
	_, err = h.Store.ChangePartnerTier(c.Context(), queries.ChangePartnerTierParams{OrganizationID: u.OrganizationID, ToTierID: to,
		ChangedBy: &u.ID, PartnerID: id})
	switch {
	case queries.IsNotFound(err):
		h.flash(c, "The tier is unchanged.")
	case err != nil && (errorsIsReference(err)):
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose a tier from the list.")
	case err != nil:
		return err
	default:
		h.flash(c, "Changed the tier. Commissions earned from now on use the new tier; earlier ones keep theirs.")
	}
	return redirect(c, back)
}

func errorsIsReference(err error) bool {
	return errors.Is(queries.Classify(err), queries.ErrReference)
}
