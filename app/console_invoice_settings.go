package app

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/iban"
	"partnerportal/app/invoice"
	"partnerportal/app/money"
	"partnerportal/queries"
)

var (
	prefixRe  = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,19}$`)
	countryRe = regexp.MustCompile(`^([A-Z]{2})?$`)
)

type invoiceSettingsData struct {
	Periods []kindChoice
}

// showInvoiceSettings is the program's invoicing settings (staff).
func (h *Handler) showInvoiceSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	s, err := invoice.LoadSettings(c.Context(), h.Store.Queries, u.OrganizationID)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Invoice settings")
	p.Form = map[string]string{"period": s.Period, "net_days": strconv.Itoa(int(s.NetDays)), "number_prefix": s.NumberPrefix,
		"vendor_name": s.VendorName, "vendor_address": s.VendorAddress, "vendor_tax_id": s.VendorTaxID,
		"vendor_country": s.VendorCountry, "vendor_iban": s.VendorIban, "vendor_bic": s.VendorBic}
	var mins []string
	for cur, m := range s.Minimums {
		mins = append(mins, cur+" "+money.Input(m, cur))
	}
	slices.Sort(mins)
	p.Form["minimums"] = strings.Join(mins, "\n")
	return h.renderInvoiceSettings(c, fiber.StatusOK, p)
}

func (h *Handler) renderInvoiceSettings(c *fiber.Ctx, status int, p *Page) error {
	p.Section = "invoices"
	p.Data = invoiceSettingsData{Periods: []kindChoice{{invoice.Monthly, "Monthly"}, {invoice.TwiceMonthly, "Twice a month (1st–15th, 16th–end)"},
		{invoice.Manual, "Manual only (Run now)"}}}
	return h.render(c, status, "pages/console_invoice_settings", "", p)
}

// saveInvoiceSettings validates every field and saves all or nothing (422
// with the problems beside their fields).
func (h *Handler) saveInvoiceSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	f := map[string]string{}
	for _, k := range []string{"period", "net_days", "number_prefix", "vendor_name", "vendor_address", "vendor_tax_id", "vendor_country", "vendor_iban", "vendor_bic", "minimums"} {
		f[k] = strings.TrimSpace(c.FormValue(k))
	}
	f["number_prefix"] = strings.ToUpper(f["number_prefix"])
	f["vendor_country"] = strings.ToUpper(f["vendor_country"])
	f["vendor_bic"] = strings.ToUpper(strings.ReplaceAll(f["vendor_bic"], " ", ""))
	errs := map[string]string{}
	if !slices.Contains(invoice.Periods, f["period"]) {
		errs["period"] = "Choose monthly, twice a month or manual."
	}
	net, err := strconv.Atoi(f["net_days"])
	if err != nil || net < 0 || net > 120 {
		errs["net_days"] = "Enter the payment terms in days, 0 to 120 (NET 30 is 30)."
	}
	if !prefixRe.MatchString(f["number_prefix"]) {
		errs["number_prefix"] = "Use 1 to 20 capital letters, digits or hyphens, e.g. ACME."
	}
	for _, k := range []string{"vendor_name", "vendor_tax_id"} {
		if len([]rune(f[k])) > 200 {
			errs[k] = "At most 200 characters."
		}
	}
	if len([]rune(f["vendor_address"])) > 500 {
		errs["vendor_address"] = "At most 500 characters."
	}
	if !countryRe.MatchString(f["vendor_country"]) {
		errs["vendor_country"] = "Enter the two-letter country code (DE, FR, US), or leave it empty."
	}
	if f["vendor_iban"] != "" {
		norm, err := iban.Normalize(f["vendor_iban"])
		if errors.Is(err, iban.ErrChecksum) {
			errs["vendor_iban"] = "This IBAN's check digits do not match: please check it for a typing mistake."
		} else if err != nil {
			errs["vendor_iban"] = "Enter an IBAN: two letters for the country, two check digits and the account number."
		}
		f["vendor_iban"] = norm
	}
	if f["vendor_bic"] != "" && !bicRe.MatchString(f["vendor_bic"]) {
		errs["vendor_bic"] = "A BIC (SWIFT code) has 8 or 11 letters and digits, or leave it empty."
	}
	mins := map[string]int64{}
	for _, line := range strings.Split(f["minimums"], "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		cur, amount, ok := strings.Cut(line, " ")
		cur = strings.ToUpper(cur)
		m, err := money.Parse(amount, cur)
		if !ok || !currencyCodeRe.MatchString(cur) || err != nil || m < 0 || len(mins) >= 20 {
			errs["minimums"] = "One currency per line, its code then the amount, e.g. “USD 500.00”."
			break
		}
		mins[cur] = m
	}
	if len(errs) > 0 {
		p := h.newPage(c, "Invoice settings")
		p.Form, p.Errors = f, errs
		return h.renderInvoiceSettings(c, fiber.StatusUnprocessableEntity, p)
	}
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if err := q.UpsertInvoiceSettings(c.Context(), queries.UpsertInvoiceSettingsParams{OrganizationID: u.OrganizationID,
			Period: f["period"], NetDays: int32(net), NumberPrefix: f["number_prefix"], VendorName: f["vendor_name"],
			VendorAddress: f["vendor_address"], VendorTaxID: f["vendor_tax_id"], VendorCountry: f["vendor_country"],
			VendorIban: f["vendor_iban"], VendorBic: f["vendor_bic"], Now: h.Clock.Now()}); err != nil {
			return err
		}
		if err := q.DeleteInvoiceMinimums(c.Context(), u.OrganizationID); err != nil {
			return err
		}
		for cur, m := range mins {
			if err := q.SetInvoiceMinimum(c.Context(), queries.SetInvoiceMinimumParams{OrganizationID: u.OrganizationID, Currency: cur, AmountMinor: m}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	h.flash(c, "Invoice settings saved.")
	return redirect(c, "/console/invoices/settings")
}
