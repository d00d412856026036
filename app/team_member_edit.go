package app

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// memberID reads the :id of a member route; anything else is a 404.
func memberID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// showEditMember is the form for a member's name and role.
func (h *Handler) showEditMember(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := memberID(c)
	if err != nil {
		return err
	}
	m, err := h.Store.GetPartnerUser(c.Context(), queries.GetPartnerUserParams{OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID, ID: id})
	if err != nil {
		return err // another company's member: 404
	}
	p := h.newPage(c, "Edit "+memberName(m))
	p.Form = map[string]string{"name": m.Name, "role": m.Role}
	return h.renderEditMember(c, fiber.StatusOK, p, m)
}

func (h *Handler) renderEditMember(c *fiber.Ctx, status int, p *Page, m queries.User) error {
	p.Section, p.Data = "manage", fiber.Map{"Tab": "team", "Member": m}
	return h.render(c, status, "pages/manage_member_edit", "", p)
}

// updateMember saves a member's name and role. The company row is locked
// while admins are counted, so the last admin cannot be demoted, even by two
// admins demoting each other at the same moment.
func (h *Handler) updateMember(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := memberID(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Edit team member")
	p.Form = map[string]string{"name": strings.TrimSpace(c.FormValue("name")), "role": c.FormValue("role")}
	errs := map[string]string{}
	if n := len([]rune(p.Form["name"])); n < 2 || n > 100 {
		errs["name"] = "Enter the person's name (2 to 100 characters)."
	}
	role := p.Form["role"]
	if role != RolePartnerAdmin && role != RolePartnerUser {
		errs["role"] = "Choose Admin or User."
	}
	ctx := c.Context()
	var member queries.User
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		m, err := lockMember(ctx, q, u, id)
		if err != nil {
			return err
		}
		member = m
		if len(errs) > 0 {
			return errFormInvalid
		}
		if m.Role == RolePartnerAdmin && role != RolePartnerAdmin {
			if err := refuseLastAdmin(ctx, q, u); err != nil {
				return err
			}
		}
		member, err = q.UpdatePartnerUser(ctx, queries.UpdatePartnerUserParams{
			OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID, ID: id, Name: p.Form["name"], Role: role})
		return err
	})
	if errors.Is(err, errLastAdmin) {
		errs["role"] = lastAdminMessage(member, u, "change this role")
	} else if err != nil && !errors.Is(err, errFormInvalid) {
		return err
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderEditMember(c, fiber.StatusUnprocessableEntity, p, member)
	}
	h.Log.Info("team member updated", "user_id", member.ID, "by_user_id", u.ID)
	h.flash(c, memberName(member)+" is saved ("+RoleLabel(member.Role)+").")
	if member.ID == u.ID && role != RolePartnerAdmin {
		return redirect(c, "/dashboard") // no longer allowed on /manage
	}
	return redirect(c, "/manage")
}

// lockMember locks the company row and reads one of its members (404 for
// anyone else).
func lockMember(ctx context.Context, q *queries.Queries, u *User, id int64) (queries.User, error) {
	if _, err := q.LockPartner(ctx, queries.LockPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID}); err != nil {
		return queries.User{}, err
	}
	return q.GetPartnerUser(ctx, queries.GetPartnerUserParams{OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID, ID: id})
}

// refuseLastAdmin returns errLastAdmin when the company has one admin left;
// call it with the company row locked.
func refuseLastAdmin(ctx context.Context, q *queries.Queries, u *User) error {
	admins, err := q.CountPartnerAdmins(ctx, queries.CountPartnerAdminsParams{OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID})
	if err != nil {
		return err
	}
	if admins <= 1 {
		return errLastAdmin
	}
	return nil
}

func lastAdminMessage(m queries.User, u *User, what string) string {
	return memberName(m) + " is the only admin of " + u.PartnerName +
		". Make another member an admin first, then " + what + "."
}
