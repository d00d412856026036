package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/invoice"
	"partnerportal/app/spotlight"
	"partnerportal/app/taxid"
	"partnerportal/queries"
)

// Billing details are what the self-billing invoice prints for the partner
// as its supplier: legal name, address, country and tax id. The invoice run
// copies them onto each invoice at issue (queries GetPartnerForInvoice), so
// a change shows on the next invoice, never on one already issued.

type billingData struct {
	Tab       string
	Countries []spotlight.Country
	// Vendor is who issues the invoices, for the reverse-charge hint.
	Vendor, VendorCountry string
	ReverseCharge         bool
	Saved                 bool
}

func (h *Handler) showBillingDetails(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Billing details")
	p.Form = map[string]string{}
	saved := false
	b, err := h.Store.GetPartnerBillingDetails(c.Context(), queries.GetPartnerBillingDetailsParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	switch {
	case err == nil:
		saved = true
		p.Form = map[string]string{"legal_name": b.LegalName, "address": b.Address, "country": b.Country, "tax_id": b.TaxID}
	case !queries.IsNotFound(err):
		return err
	}
	if p.Form["legal_name"] == "" {
		partner, err := h.Store.GetPartner(c.Context(), queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID})
		if err != nil {
			return err
		}
		p.Form["legal_name"] = partner.Name // what invoices print until a legal name is saved
	}
	return h.renderBillingDetails(c, fiber.StatusOK, p, saved)
}

func (h *Handler) renderBillingDetails(c *fiber.Ctx, status int, p *Page, saved bool) error {
	u := currentUser(c)
	s, err := h.Store.GetInvoiceSettings(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	vendor := s.VendorName
	if vendor == "" {
		vendor = s.OrganizationName
	}
	p.Section = "manage"
	p.Data = &billingData{Tab: "billing", Countries: spotlight.Countries(), Vendor: vendor, VendorCountry: s.VendorCountry,
		ReverseCharge: invoice.ReverseCharge(s.VendorCountry, p.Form["country"]), Saved: saved}
	return h.render(c, status, "pages/manage_billing", "", p)
}

// updateBillingDetails validates and saves the billing details, or shows
// the form again with the problems beside their fields (422) and saves
// nothing.
func (h *Handler) updateBillingDetails(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Billing details")
	address := strings.ReplaceAll(strings.TrimSpace(c.FormValue("address")), "\r\n", "\n")
	p.Form = map[string]string{
		"legal_name": strings.Join(strings.Fields(c.FormValue("legal_name")), " "),
		"address":    address,
		"country":    strings.ToUpper(strings.TrimSpace(c.FormValue("country"))),
		"tax_id":     strings.TrimSpace(c.FormValue("tax_id")),
	}
	errs := map[string]string{}
	if n := len([]rune(p.Form["legal_name"])); n < 2 || n > 200 {
		errs["legal_name"] = "Enter your company's registered legal name (2 to 200 characters)."
	}
	lines := strings.Split(address, "\n")
	switch {
	case len([]rune(address)) < 5:
		errs["address"] = "Enter your billing address: street, postcode and town."
	case len([]rune(address)) > 500 || len(lines) > 6:
		errs["address"] = "Keep the address to 6 lines and 500 characters."
	case strings.ContainsFunc(address, func(r rune) bool { return r < ' ' && r != '\n' }):
		errs["address"] = "The address can only hold letters, digits, punctuation and line breaks."
	}
	country, ok := taxid.Country(p.Form["country"])
	if !ok || !spotlight.IsArea(country) {
		errs["country"] = "Choose the country your company is registered in."
	}
	p.Form["country"] = country
	if _, bad := errs["country"]; !bad {
		id, problem := taxid.Check(country, p.Form["tax_id"])
		switch problem {
		case taxid.BadVAT:
			errs["tax_id"] = "Enter an EU VAT ID: the country prefix (" + taxid.VATPrefix(country) + ") and 2 to 13 letters or digits, e.g. " + taxid.VATPrefix(country) + "123456789, or leave it empty."
		case taxid.WrongPrefix:
			errs["tax_id"] = "This VAT ID starts with " + id[:2] + ", but a VAT ID from " + spotlight.AreaName(country) + " starts with " + taxid.VATPrefix(country) + ". Check the country or the VAT ID."
		case taxid.BadOther:
			errs["tax_id"] = "Enter your tax ID with letters, digits, spaces, dots, dashes or slashes (2 to 30 characters), or leave it empty."
		default:
			p.Form["tax_id"] = id
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		_, err := h.Store.GetPartnerBillingDetails(c.Context(), queries.GetPartnerBillingDetailsParams{
			OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
		if err != nil && !queries.IsNotFound(err) {
			return err
		}
		return h.renderBillingDetails(c, fiber.StatusUnprocessableEntity, p, err == nil)
	}
	if err := h.Store.UpsertPartnerBillingDetails(c.Context(), queries.UpsertPartnerBillingDetailsParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, LegalName: p.Form["legal_name"], Address: address,
		TaxID: p.Form["tax_id"], Country: country}); err != nil {
		return err
	}
	h.flash(c, "Your billing details are saved. Invoices issued from now on print them.")
	return redirect(c, "/manage/billing")
}
