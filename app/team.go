package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showTeam lists the members of the partner company with their roles.
func (h *Handler) showTeam(c *fiber.Ctx) error {
	return h.renderTeam(c, fiber.StatusOK, h.newPage(c, "Team"))
}

// renderTeam renders the team page; a refused role change passes its message
// in p.Errors["role"] with status 422.
func (h *Handler) renderTeam(c *fiber.Ctx, status int, p *Page) error {
	u := p.User
	members, err := h.Store.ListPartnerUsers(c.Context(), queries.ListPartnerUsersParams{
		OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID})
	if err != nil {
		return err
	}
	invites, err := h.Store.ListOpenInvitations(c.Context(), queries.ListOpenInvitationsParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return err
	}
	admins := 0
	for _, m := range members {
		if m.Role == RolePartnerAdmin {
			admins++
		}
	}
	p.Section = "manage"
	p.Data = fiber.Map{"Tab": "team", "Members": members, "Admins": admins, "Invitations": invites, "Now": h.Clock.Now()}
	return h.render(c, status, "pages/manage_team", "", p)
}
