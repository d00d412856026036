package app

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/commission"
	"partnerportal/app/money"
	"partnerportal/app/secret"
	"partnerportal/queries"
)

type adjustCommissionData struct {
	Partners []queries.ListPartnerChoicesRow
	Currency string
	Key      string // makes a form sent twice one adjustment
}

var formKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func (h *Handler) showAdjustCommission(c *fiber.Ctx) error {
	u := currentUser(c)
	p := h.newPage(c, "Add an adjustment")
	p.Section = "commissions"
	partners, err := h.Store.ListPartnerChoices(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	p.Data = adjustCommissionData{Partners: partners, Currency: u.Currency, Key: secret.New()[:24]}
	p.Form = map[string]string{"currency": u.Currency, "direction": "credit"}
	return h.render(c, fiber.StatusOK, "pages/console_commission_adjust", "", p)
}

// adjustCommission records a manual adjustment: a credit or a deduction for
// a partner, with the reason the partner will read.
func (h *Handler) adjustCommission(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	partners, err := h.Store.ListPartnerChoices(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	form := map[string]string{"partner": c.FormValue("partner"), "amount": strings.TrimSpace(c.FormValue("amount")),
		"currency": strings.ToUpper(strings.TrimSpace(c.FormValue("currency"))), "direction": c.FormValue("direction"),
		"reason": strings.TrimSpace(c.FormValue("reason"))}
	key := c.FormValue("key")
	errs := map[string]string{}
	partnerID, _ := strconv.ParseInt(form["partner"], 10, 64)
	partnerName := ""
	for _, pc := range partners {
		if pc.ID == partnerID {
			partnerName = pc.Name
		}
	}
	if partnerName == "" {
		errs["partner"] = "Choose the partner company."
	}
	if !currencyCodeRe.MatchString(form["currency"]) {
		errs["currency"] = "Enter a three-letter currency code, like USD."
	}
	amount, perr := money.Parse(form["amount"], form["currency"])
	if errs["currency"] == "" && (perr != nil || amount == 0) {
		errs["amount"] = "Enter an amount more than zero, like 250 or 1,250.00."
	}
	if form["direction"] != "credit" && form["direction"] != "deduction" {
		errs["direction"] = "Choose a credit or a deduction."
	}
	if l := len([]rune(form["reason"])); l < 3 || l > 500 {
		errs["reason"] = "Say why, in 3 to 500 characters: the partner sees it."
	}
	if !formKeyPattern.MatchString(key) {
		key = secret.New()[:24]
	}
	if len(errs) > 0 {
		p := h.newPage(c, "Add an adjustment")
		p.Section = "commissions"
		p.Errors, p.Form = errs, form
		p.Data = adjustCommissionData{Partners: partners, Currency: u.Currency, Key: key}
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/console_commission_adjust", "", p)
	}
	if form["direction"] == "deduction" {
		amount = -amount
	}
	eng := &commission.Engine{Now: h.Clock.Now}
	if _, err := eng.Adjust(ctx, h.Store.Queries, u.OrganizationID, partnerID, nil, amount, form["currency"], form["reason"],
		strconv.FormatInt(u.ID, 10)+":"+key); err != nil {
		return err
	}
	h.flash(c, "Added an adjustment of "+money.Format(amount, form["currency"])+" for "+partnerName+".")
	return redirect(c, "/console/commissions?partner="+strconv.FormatInt(partnerID, 10))
}
