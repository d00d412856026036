package app

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/iban"
	"partnerportal/app/invoice"
	"partnerportal/app/vault"
	"partnerportal/queries"
)

// Payout details are sensitive: they are never logged, the page only shows
// them masked, and the edit form never carries the saved IBAN or PayPal
// address back (empty means "keep what is saved").

const (
	payoutBank   = "bank_transfer"
	payoutPayPal = "paypal"
)

var bicRe = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)

// payoutView is what the template sees of saved settings: masked only.
type payoutView struct {
	Method, Currency, AccountHolder, IBAN, BIC, PayPalEmail string
	UpdatedAt                                               time.Time
}

// savedPayoutSettings are the saved settings with the details opened
// (app/vault): kept in memory for the request, never logged or rendered
// unmasked.
type savedPayoutSettings struct {
	Method, Currency string
	UpdatedAt        time.Time
	invoice.Details
	// Unreadable: the sealed details do not open (altered bytes, a key id
	// no longer in PAYOUT_KEYS, or no key configured). Details are then
	// empty and the partner is asked to enter them again.
	Unreadable bool
}

func maskPayout(s savedPayoutSettings) *payoutView {
	v := &payoutView{Method: s.Method, Currency: s.Currency, UpdatedAt: s.UpdatedAt}
	if s.Unreadable {
		return v
	}
	if s.Method == payoutBank {
		v.AccountHolder, v.BIC = s.Holder, s.BIC
		if s.IBAN != "" {
			v.IBAN = iban.Mask(s.IBAN)
		}
	} else if s.PayPal != "" {
		v.PayPalEmail = MaskEmail(s.PayPal)
	}
	return v
}

// savedPayout loads the partner's settings; nil when none are saved yet.
// Rows written before sealing (plaintext columns) are read as they are
// until `portal keys rotate` seals them. Sealed details that do not open
// are no error: the settings come back Unreadable (and the failure is
// logged with the row's owner and key id, never its bytes), so the page
// asks for the details again instead of failing.
func (h *Handler) savedPayout(c *fiber.Ctx, u *User) (*savedPayoutSettings, error) {
	s, err := h.Store.GetPayoutSettings(c.Context(), queries.GetPayoutSettingsParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if queries.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &savedPayoutSettings{Method: s.Method, Currency: s.Currency, UpdatedAt: s.UpdatedAt,
		Details: invoice.Details{Holder: s.AccountHolder, IBAN: s.Iban, BIC: s.Bic, PayPal: s.PaypalEmail}}
	if s.Sealed != nil {
		d, err := invoice.OpenDetails(h.Config.PayoutKeys, u.OrganizationID, u.PartnerID, s.SealedKeyID, s.Sealed)
		if err != nil {
			h.Log.Warn("payout details do not open", "organization_id", u.OrganizationID, "partner_id", u.PartnerID,
				"key_id", s.SealedKeyID, "err", openFailure(err))
			out.Unreadable = true
			return out, nil
		}
		out.Details = d
	}
	return out, nil
}

func (h *Handler) showPayoutSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	saved, err := h.savedPayout(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Payout settings")
	p.Form = map[string]string{"method": payoutBank, "currency": u.Currency}
	if saved != nil {
		p.Form["method"], p.Form["currency"] = saved.Method, saved.Currency
		if saved.Method == payoutBank && !saved.Unreadable {
			p.Form["account_holder"], p.Form["bic"] = saved.Holder, saved.BIC
		}
	}
	return h.renderPayoutSettings(c, fiber.StatusOK, p, saved)
}

func (h *Handler) renderPayoutSettings(c *fiber.Ctx, status int, p *Page, saved *savedPayoutSettings) error {
	data := fiber.Map{"Tab": "payout", "Saved": nil, "HasIBAN": false, "HasPayPal": false, "Unreadable": false}
	if saved != nil && saved.Unreadable {
		data["Unreadable"] = true
	} else if saved != nil {
		data["Saved"] = maskPayout(*saved)
		data["HasIBAN"] = saved.Method == payoutBank && saved.IBAN != ""
		data["HasPayPal"] = saved.Method == payoutPayPal && saved.PayPal != ""
	}
	p.Section = "manage"
	p.Data = data
	return h.render(c, status, "pages/manage_payout", "", p)
}

// updatePayoutSettings validates and saves the payout method, or shows the
// form again with the problems beside their fields (422) and saves nothing.
func (h *Handler) updatePayoutSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	saved, err := h.savedPayout(c, u)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Payout settings")
	p.Form = map[string]string{
		"method":         c.FormValue("method"),
		"currency":       strings.ToUpper(strings.TrimSpace(c.FormValue("currency"))),
		"account_holder": strings.TrimSpace(c.FormValue("account_holder")),
		"iban":           strings.TrimSpace(c.FormValue("iban")),
		"bic":            strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(c.FormValue("bic")), " ", "")),
		"paypal_email":   strings.TrimSpace(c.FormValue("paypal_email")),
	}
	row := queries.UpsertSealedPayoutSettingsParams{UpdatedAt: h.Clock.Now(), OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
		Method: p.Form["method"], Currency: p.Form["currency"]}
	var d invoice.Details
	errs := map[string]string{}
	if !currencyCodeRe.MatchString(row.Currency) {
		errs["currency"] = "Enter a three-letter currency code such as USD or EUR."
	}
	switch row.Method {
	case payoutBank:
		d.Holder, d.BIC = p.Form["account_holder"], p.Form["bic"]
		if n := len([]rune(d.Holder)); n < 2 || n > 200 {
			errs["account_holder"] = "Enter the name the bank account is held in (2 to 200 characters)."
		}
		switch {
		case p.Form["iban"] == "" && saved != nil && saved.Method == payoutBank && saved.IBAN != "":
			d.IBAN = saved.IBAN // keep the saved account
		case p.Form["iban"] == "":
			errs["iban"] = "Enter the IBAN of the account."
		default:
			d.IBAN, err = iban.Normalize(p.Form["iban"])
			switch {
			case errors.Is(err, iban.ErrChecksum):
				errs["iban"] = "This IBAN's check digits do not match: please check it for a typing mistake."
			case errors.Is(err, iban.ErrLength):
				errs["iban"] = "This IBAN has the wrong number of characters for its country."
			case err != nil:
				errs["iban"] = "Enter an IBAN: two letters for the country, two check digits and the account number."
			}
		}
		if d.BIC != "" && !bicRe.MatchString(d.BIC) {
			errs["bic"] = "A BIC (SWIFT code) has 8 or 11 letters and digits, or leave it empty."
		}
	case payoutPayPal:
		switch {
		case p.Form["paypal_email"] == "" && saved != nil && saved.Method == payoutPayPal && saved.PayPal != "":
			d.PayPal = saved.PayPal // keep the saved address
		default:
			email, problem := normalizeEmail(p.Form["paypal_email"])
			if problem != "" {
				errs["paypal_email"] = strings.Replace(problem, "your email", "the PayPal account's email", 1)
			}
			d.PayPal = email
		}
	default:
		errs["method"] = "Choose bank transfer or PayPal."
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderPayoutSettings(c, fiber.StatusUnprocessableEntity, p, saved)
	}
	// Sealed under the current key, bound to this partner (app/vault).
	row.SealedKeyID, row.Sealed, err = invoice.SealDetails(h.Config.PayoutKeys, u.OrganizationID, u.PartnerID, d)
	if err != nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "Payout details cannot be saved right now: the encryption key is not configured.")
	}
	if err := h.Store.UpsertSealedPayoutSettings(c.Context(), row); err != nil {
		return err
	}
	h.flash(c, "Your payout settings are saved.")
	return redirect(c, "/manage/payout")
}

// openFailure names why sealed details did not open, for the log: never the
// sealed bytes, the key, or what a JSON error might quote of the plaintext.
func openFailure(err error) string {
	switch {
	case errors.Is(err, invoice.ErrNoKeys):
		return "no payout key configured"
	case errors.Is(err, vault.ErrOpen):
		return "wrong key, wrong owner or altered bytes"
	}
	return "opened but not payout details"
}
