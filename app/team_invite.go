package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
	"partnerportal/workers"
)

// invitesPerPartnerPerDay bounds the invitation emails (first sends and
// resends) one partner company can have sent in a day: an admin account in
// the wrong hands cannot turn the portal into a mailer.
const invitesPerPartnerPerDay = 20

func (h *Handler) showInvite(c *fiber.Ctx) error {
	p := h.newPage(c, "Invite a team member")
	p.Section, p.Data = "manage", fiber.Map{"Tab": "team"}
	p.Form = map[string]string{"name": "", "email": "", "role": RolePartnerUser}
	return h.render(c, fiber.StatusOK, "pages/manage_invite", "", p)
}

// inviteUser records an invitation and queues its email. The answer is the
// same whether or not the address already has an account anywhere in the
// installation: the account is created only when the person accepts. Bad
// input comes back as the form with every problem beside its field (422).
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
	if len(errs) == 0 {
		ok, err := h.allowInvite(c.Context(), u.PartnerID)
		if err != nil {
			return err
		}
		if !ok {
			errs["email"] = inviteLimitMessage
			p.Errors = errs
			return h.render(c, fiber.StatusTooManyRequests, "pages/manage_invite", "", p)
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/manage_invite", "", p)
	}
	ctx := c.Context()
	var inv queries.Invitation
	now := h.Clock.Now()
	err := h.Store.Tx(ctx, func(q *queries.Queries) error {
		// Inviting an address again replaces its open invitation.
		if err := q.RevokeOpenInvitationForEmail(ctx, queries.RevokeOpenInvitationForEmailParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Email: email, Now: now}); err != nil {
			return err
		}
		var err error
		inv, err = q.CreateInvitation(ctx, queries.CreateInvitationParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, Email: email, Name: p.Form["name"], Role: role,
			InvitedBy: &u.ID, RequestID: secret.New()[:22], ExpiresAt: now.Add(h.Config.InviteTTL), CreatedAt: now})
		return err
	})
	if err != nil {
		return err
	}
	h.enqueueInvitation(c, inv)
	h.flash(c, "Invitation sent to "+inv.Email+". It is valid for "+ttlText(h.Config.InviteTTL)+".")
	return redirect(c, "/manage")
}

var inviteLimitMessage = "Your company has sent as many invitations as it can in one day (" +
	strconv.Itoa(invitesPerPartnerPerDay) + ", resends included). Try again tomorrow, or ask the program team for help."

// allowInvite counts one invitation email against the company's daily limit.
func (h *Handler) allowInvite(ctx context.Context, partnerID int64) (bool, error) {
	return allow(ctx, h.Redis, "rl:invite:partner:"+strconv.FormatInt(partnerID, 10), invitesPerPartnerPerDay, 24*time.Hour)
}

// enqueueInvitation queues the email after the commit. If Redis does not
// answer, the row waits and the account sweep queues it within minutes.
func (h *Handler) enqueueInvitation(c *fiber.Ctx, inv queries.Invitation) {
	if _, err := h.Queue.EnqueueContext(c.Context(), workers.NewInvitationEmailTask(inv.RequestID)); err != nil {
		h.Log.Warn("invitation email not queued; the sweep will", "invitation_id", inv.ID, "err", err)
	}
}

// ttlText says a validity in days or hours.
func ttlText(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	if d >= time.Hour && d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return d.String()
}
