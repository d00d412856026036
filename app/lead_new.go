package app

import (
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// commonCurrencies are offered in the lead form after the organization's own.
var commonCurrencies = []string{"USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "SGD", "INR", "BRL", "ZAR"}

// leadCurrencies is the currency list of the lead form: the organization's
// currency first, then the common ones, plus any the lead already uses.
func leadCurrencies(orgCurrency string, extra ...string) []string {
	out := []string{orgCurrency}
	for _, c := range append(slices.Clone(commonCurrencies), extra...) {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// showNewLead is the empty lead form, in the organization's currency.
func (h *Handler) showNewLead(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "New lead")
	p.Form = map[string]string{"currency": u.Currency}
	return h.renderLeadForm(c, fiber.StatusOK, p, nil)
}

// renderLeadForm shows leads/form for a new lead (lead nil) or an edit.
func (h *Handler) renderLeadForm(c *fiber.Ctx, status int, p *Page, lead *queries.Lead) error {
	u := p.User
	data := fiber.Map{"Action": "/leads/new", "Cancel": "/leads", "Submit": "Register lead", "Currencies": leadCurrencies(u.Currency)}
	if lead != nil {
		data = fiber.Map{"Action": fmt.Sprintf("/leads/%d/edit", lead.ID), "Cancel": fmt.Sprintf("/leads/%d", lead.ID),
			"Submit": "Save changes", "Currencies": leadCurrencies(u.Currency, lead.Currency), "Lead": lead}
	}
	p.Section = "leads"
	p.Data = data
	return h.render(c, status, "leads/form", "", p)
}

// createLeadFromForm registers a lead for review, or shows the form again
// with every problem beside its field (422) and saves nothing.
func (h *Handler) createLeadFromForm(c *fiber.Ctx) error {
	u := currentUser(c)
	in, errs, raw := validateLead(func(k string) string { return c.FormValue(k) }, u.Currency)
	if errs == nil && !slices.Contains(leadCurrencies(u.Currency), in.Currency) {
		errs = map[string]string{"currency": "Choose a currency from the list."}
	}
	if errs != nil {
		p := h.newPage(c, "New lead")
		p.Form, p.Errors = raw, errs
		return h.renderLeadForm(c, fiber.StatusUnprocessableEntity, p, nil)
	}
	org, err := h.Store.GetOrganization(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	actor := u.ID
	var id int64
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		var err error
		id, err = createLead(c.Context(), q, NewLead{Now: h.Clock.Now(),
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ActorID: &actor,
			Source: "partner", Status: "in_review", ProtectionDays: org.LeadProtectionDays, TimeZone: org.TimeZone, Input: in,
		})
		return err
	})
	if err != nil {
		return err
	}
	h.flash(c, "Lead registered. The program team will review it; you can follow it here.")
	return redirect(c, fmt.Sprintf("/leads/%d", id))
}
