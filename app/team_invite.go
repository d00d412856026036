package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
	"partnerportal/workers"
)

func (h *Handler) showInvite(c *fiber.Ctx) error {
	p := h.newPage(c, "Invite a team member")
	p.Section, p.Data = "manage", fiber.Map{"Tab": "team"}
	p.Form = map[string]string{"name": "", "email": "", "role": RolePartnerUser}
	return h.render(c, fiber.StatusOK, "pages/manage_invite", "", p)
}

// inviteUser creates the account in the partner company and queues the email
// with its first sign-in link. Bad input comes back as the form with every
// problem beside its field (422), and no account is created.
func (h *Handler) inviteUser(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Invite a team member")
	p.Section, p.Data = "manage", fiber.Map{"Tab": "team"}
	p.Form = map[string]string{
		"name":  strings.TrimSpace(c.FormValue("name")),
		"email": strings.TrimSpace(c.FormValue("email")),
		"role":  c.FormValue("role"),
	}
	errs := map[string]string{}
	if n := len([]rune(p.Form["name"])); n < 2 || n > 100 {
		errs["name"] = "Enter the person's name (2 to 100 characters)."
	}
	email, problem := normalizeEmail(p.Form["email"])
	if problem != "" {
		errs["email"] = problem
	}
	role := p.Form["role"]
	if role != RolePartnerAdmin && role != RolePartnerUser {
		errs["role"] = "Choose Admin or User."
	}
	var invited queries.User
	if len(errs) == 0 {
		var err error
		invited, err = h.Store.CreatePartnerUser(c.Context(), queries.CreatePartnerUserParams{CreatedAt: h.Clock.Now(),
			OrganizationID: u.OrganizationID, PartnerID: &u.PartnerID, Role: role, Email: email, Name: p.Form["name"]})
		switch {
		case queries.IsDuplicate(err):
			errs["email"] = "An account with this email already exists."
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/manage_invite", "", p)
	}
	// The account is committed before the task is queued, so the worker
	// always finds it.
	task, err := workers.NewLoginLinkTask(workers.LoginLinkPayload{
		RequestID: secret.New()[:22], Email: invited.Email, Invite: true,
		InvitedBy: u.DisplayName() + " of " + u.PartnerName,
	})
	if err == nil {
		_, err = h.Queue.EnqueueContext(c.Context(), task)
	}
	if err != nil {
		// The account exists: the person can still sign in from /login.
		h.Log.Error("invitation email not queued", "user_id", invited.ID, "invited_by", u.ID, "err", err)
		h.flash(c, invited.Name+" was added, but the invitation email could not be sent. "+
			"They can sign in from the sign-in page with their email address.")
		return redirect(c, "/manage")
	}
	h.flash(c, "Invitation sent to "+invited.Name+" ("+invited.Email+").")
	return redirect(c, "/manage")
}
