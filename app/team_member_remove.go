package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// showRemoveMember asks before removing a member (works without JavaScript).
func (h *Handler) showRemoveMember(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := memberID(c)
	if err != nil {
		return err
	}
	m, err := h.Store.GetPartnerUser(c.Context(), queries.GetPartnerUserParams{OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID, ID: id})
	if err != nil {
		return err
	}
	p := h.newPage(c, "Remove "+memberName(m)+"?")
	return h.renderRemoveMember(c, fiber.StatusOK, p, m)
}

func (h *Handler) renderRemoveMember(c *fiber.Ctx, status int, p *Page, m queries.User) error {
	p.Section, p.Data = "manage", fiber.Map{"Tab": "team", "Member": m}
	return h.render(c, status, "pages/manage_member_remove", "", p)
}

// removeMember deletes the member's account: their sessions go with it (so
// they are signed out at once, on every device), their leads stay with the
// company. The last admin cannot be removed.
func (h *Handler) removeMember(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := memberID(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	var member queries.User
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		m, err := lockMember(ctx, q, u, id)
		if err != nil {
			return err
		}
		member = m
		if m.Role == RolePartnerAdmin {
			if err := refuseLastAdmin(ctx, q, u); err != nil {
				return err
			}
		}
		_, err = q.DeletePartnerUser(ctx, queries.DeletePartnerUserParams{OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID, ID: id})
		return err
	})
	if errors.Is(err, errLastAdmin) {
		p := h.newPage(c, "Remove "+memberName(member)+"?")
		p.Errors = map[string]string{"remove": lastAdminMessage(member, u, "remove this member")}
		return h.renderRemoveMember(c, fiber.StatusUnprocessableEntity, p, member)
	}
	if err != nil {
		return err
	}
	h.Log.Info("team member removed", "user_id", member.ID, "by_user_id", u.ID)
	h.flash(c, memberName(member)+" was removed from "+u.PartnerName+" and signed out. Their leads stay with the company.")
	if member.ID == u.ID {
		h.setCookie(c, "session", "", -1)
		return redirect(c, "/login")
	}
	return redirect(c, "/manage")
}
