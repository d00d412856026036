package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// referralForm is the data of the referral lead form.
type referralForm struct {
	Partners []queries.ListPartnerChoicesRow
	Currency string
}

// showReferralNew is the form staff use to pass a lead to a partner.
func (h *Handler) showReferralNew(c *fiber.Ctx) error {
	p := h.newPage(c, "New referral lead")
	p.Section = "review"
	if id := c.Query("partner"); id != "" {
		p.Form = map[string]string{"partner_id": id}
	}
	return h.renderReferralForm(c, fiber.StatusOK, p)
}

func (h *Handler) renderReferralForm(c *fiber.Ctx, status int, p *Page) error {
	u := currentUser(c)
	partners, err := h.Store.ListPartnerChoices(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	p.Data = &referralForm{Partners: partners, Currency: u.Currency}
	return h.render(c, status, "review/referral_new", "", p)
}
