package app

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// showNewPartner is staff's form to add a partner company with its first
// admin.
func (h *Handler) showNewPartner(c *fiber.Ctx) error {
	p := h.newPage(c, "Add a partner")
	p.Form = map[string]string{}
	return h.renderNewPartner(c, fiber.StatusOK, p)
}

func (h *Handler) renderNewPartner(c *fiber.Ctx, status int, p *Page) error {
	u := currentUser(c)
	org, err := h.Store.GetOrganization(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	tiers, err := h.Store.ListTiers(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	p.Section = "partners"
	p.Data = fiber.Map{"Tiers": tiers, "NoDestinations": len(org.LinkDestinations) == 0}
	return h.render(c, status, "pages/console_partner_new", "", p)
}

// errFormInvalid rolls a transaction back when the form turns out invalid
// inside it (a duplicate name or email); the errors are already recorded.
var errFormInvalid = errors.New("form invalid")

// createPartner adds a partner company, its default referral link (to the
// organization's first allowed destination), its first admin's invitation, all in one
// transaction, then queues the admin's invitation email. Bad input comes
// back as the form with every problem beside its field (422), nothing saved.
func (h *Handler) createPartner(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	p := h.newPage(c, "Add a partner")
	p.Form = map[string]string{}
	for _, k := range []string{"name", "website", "tier_id", "admin_name", "admin_email"} {
		p.Form[k] = strings.TrimSpace(c.FormValue(k))
	}
	f := p.Form
	errs := map[string]string{}
	org, err := h.Store.GetOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	if len(org.LinkDestinations) == 0 {
		errs["form"] = "Every partner gets a default referral link, and your program has no allowed link destinations yet. Add at least one in Settings first."
	}
	if n := len([]rune(f["name"])); n < 1 || n > 200 {
		errs["name"] = "Enter the company's name (1 to 200 characters)."
	}
	if w := f["website"]; w != "" {
		if wu, err := url.Parse(w); err != nil || (wu.Scheme != "https" && wu.Scheme != "http") || wu.Host == "" || len(w) > 300 {
			errs["website"] = "Enter the website as a full address like https://www.example.com, or leave it empty."
		}
	}
	var tierID *int64
	if f["tier_id"] != "" {
		tiers, err := h.Store.ListTiers(ctx, u.OrganizationID)
		if err != nil {
			return err
		}
		id, _ := strconv.ParseInt(f["tier_id"], 10, 64)
		for _, t := range tiers {
			if t.ID == id {
				tierID = &t.ID
			}
		}
		if tierID == nil {
			errs["tier_id"] = "Choose a tier from the list."
		}
	}
	if n := len([]rune(f["admin_name"])); n < 2 || n > 100 {
		errs["admin_name"] = "Enter the admin's name (2 to 100 characters)."
	}
	email, problem := normalizeEmail(f["admin_email"])
	if problem != "" {
		errs["admin_email"] = problem
	}
	var partner queries.Partner
	var admin queries.Invitation
	if len(errs) == 0 {
		now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
		err = h.Store.Tx(ctx, func(q *queries.Queries) error {
			var err error
			partner, err = q.CreatePartner(ctx, queries.CreatePartnerParams{Now: now,
				OrganizationID: u.OrganizationID, Name: f["name"], Website: f["website"], TierID: tierID})
			if queries.IsDuplicate(err) {
				errs["name"] = "A partner company with this name is already in your program."
				return errFormInvalid
			}
			if err != nil {
				return err
			}
			if _, _, err := createLinkWithCode(ctx, q, queries.CreateTrackingLinkParams{Now: now,
				OrganizationID: u.OrganizationID, PartnerID: partner.ID, Name: "Default referral link",
				Kind: "referral", Destination: org.LinkDestinations[0], IsDefault: true, Active: true,
			}, partner.Name); err != nil {
				return err
			}
			// The first admin is invited like any member: no account until
			// accepted, so the form answers alike for an address with an
			// account anywhere in the installation.
			admin, err = q.CreateInvitation(ctx, queries.CreateInvitationParams{
				OrganizationID: u.OrganizationID, PartnerID: partner.ID, Email: email, Name: f["admin_name"],
				Role: RolePartnerAdmin, InvitedBy: &u.ID, RequestID: secret.New()[:22],
				ExpiresAt: now.Add(h.Config.InviteTTL), CreatedAt: now})
			return err
		})
		if err != nil && !errors.Is(err, errFormInvalid) {
			return err
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderNewPartner(c, fiber.StatusUnprocessableEntity, p)
	}
	h.Log.Info("partner added", "partner_id", partner.ID, "invitation_id", admin.ID, "staff_user_id", u.ID)
	if _, err := h.allowInvite(ctx, partner.ID); err != nil {
		h.Log.Warn("invitation limit not counted", "partner_id", partner.ID, "err", err)
	}
	h.enqueueInvitation(c, admin)
	h.flash(c, partner.Name+" was added with a default referral link. An invitation is on its way to "+admin.Email+
		": they join as the company's admin when they accept it (within "+ttlText(h.Config.InviteTTL)+").")
	return redirect(c, "/console/partners")
}
