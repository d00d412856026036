package app

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// errLastAdmin refuses a change that would leave the company without an admin.
var errLastAdmin = errors.New("last partner admin")

// updateUserRole makes a member of the partner company an admin or a user.
// The company row is locked while admins are counted, so two admins demoting
// each other at the same moment cannot leave the company with none.
func (h *Handler) updateUserRole(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	role := c.FormValue("role")
	if role != RolePartnerAdmin && role != RolePartnerUser {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose Admin or User as the new role.")
	}
	ctx := c.Context()
	var member queries.User
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		m, err := lockMember(ctx, q, u, id)
		if err != nil {
			return err // not a member of this company: 404
		}
		member = m
		if m.Role == role {
			return nil
		}
		if m.Role == RolePartnerAdmin {
			if err := refuseLastAdmin(ctx, q, u); err != nil {
				return err
			}
		}
		member, err = q.UpdatePartnerUserRole(ctx, queries.UpdatePartnerUserRoleParams{
			OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID, ID: id, Role: role})
		return err
	})
	if errors.Is(err, errLastAdmin) {
		p := h.newPage(c, "Team")
		p.Errors = map[string]string{"role": lastAdminMessage(member, u, "change this role")}
		return h.renderTeam(c, fiber.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	h.flash(c, memberName(member)+" is now "+roleWithArticle(role)+".")
	if member.ID == u.ID && role != RolePartnerAdmin {
		return redirect(c, "/dashboard") // no longer allowed on /manage
	}
	return redirect(c, "/manage")
}

func memberName(m queries.User) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Email
}

func roleWithArticle(role string) string {
	if role == RolePartnerAdmin {
		return "an Admin"
	}
	return "a User"
}
