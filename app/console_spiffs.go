package app

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/commission"
	"partnerportal/app/money"
	"partnerportal/app/secret"
	"partnerportal/queries"
)

type spiffRow struct {
	queries.SpiffCampaign
	Amount string
	Tiers  string
}

type consoleSpiffsData struct {
	Campaigns []spiffRow
	Tiers     []queries.Tier
	Partners  []queries.ListPartnerChoicesRow
	Currency  string
	Key       string
}

func (h *Handler) loadConsoleSpiffs(c *fiber.Ctx) (*consoleSpiffsData, error) {
	u := currentUser(c)
	ctx := c.Context()
	list, err := h.Store.ListSpiffCampaigns(ctx, u.OrganizationID)
	if err != nil {
		return nil, err
	}
	d := &consoleSpiffsData{Currency: u.Currency, Key: secret.New()[:24]}
	if d.Tiers, err = h.Store.ListTiers(ctx, u.OrganizationID); err != nil {
		return nil, err
	}
	if d.Partners, err = h.Store.ListPartnerChoices(ctx, u.OrganizationID); err != nil {
		return nil, err
	}
	for _, s := range list {
		r := spiffRow{SpiffCampaign: s, Amount: money.Format(s.AmountMinor, s.Currency), Tiers: "All tiers"}
		var names []string
		for _, t := range d.Tiers {
			if slices.Contains(s.TierIds, t.ID) {
				names = append(names, t.Name)
			}
		}
		if len(names) > 0 {
			r.Tiers = strings.Join(names, ", ")
		}
		d.Campaigns = append(d.Campaigns, r)
	}
	return d, nil
}

func (h *Handler) showConsoleSpiffs(c *fiber.Ctx) error {
	d, err := h.loadConsoleSpiffs(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "SPIFFs")
	p.Section = "program"
	p.Data = d
	p.Form = map[string]string{"currency": d.Currency, "rule": "stage", "stage": "won"}
	return h.render(c, fiber.StatusOK, "pages/console_spiffs", "", p)
}

// createSpiff creates a campaign (draft or active at once).
func (h *Handler) createSpiff(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	form := map[string]string{}
	for _, k := range []string{"name", "description", "amount", "currency", "starts", "ends", "rule", "stage", "cap", "status"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	form["currency"] = strings.ToUpper(form["currency"])
	errs := map[string]string{}
	if l := len([]rune(form["name"])); l < 1 || l > 200 {
		errs["name"] = "Give the campaign a name of up to 200 characters."
	}
	if len(form["description"]) > 2000 {
		errs["description"] = "At most 2,000 characters."
	}
	if !currencyCodeRe.MatchString(form["currency"]) {
		errs["currency"] = "Enter a three-letter currency code, like USD."
	}
	amount, err := money.Parse(form["amount"], form["currency"])
	if errs["currency"] == "" && (err != nil || amount <= 0) {
		errs["amount"] = "Enter the award per lead or partner, more than zero."
	}
	loc := inZone(h.Clock.Now(), u.OrganizationTZ).Location()
	starts, err1 := time.ParseInLocation(dateLayout, form["starts"], loc)
	ends, err2 := time.ParseInLocation(dateLayout, form["ends"], loc)
	if err1 != nil {
		errs["starts"] = "Enter the first day."
	}
	if err2 != nil || (err1 == nil && !ends.After(starts) && !ends.Equal(starts)) {
		errs["ends"] = "Enter the last day, on or after the first."
	}
	ends = ends.AddDate(0, 0, 1) // the last day is included
	if form["rule"] != "stage" && form["rule"] != "manual" {
		errs["rule"] = "Choose how the award is earned."
	}
	if !slices.Contains(incentiveStages, form["stage"]) {
		form["stage"] = "won"
	}
	cap := 0
	if form["cap"] != "" {
		n, err := strconv.Atoi(form["cap"])
		if err != nil || n < 0 || n > 100000 {
			errs["cap"] = "Enter a whole number, or leave it empty for no cap."
		}
		cap = n
	}
	if form["status"] != "active" {
		form["status"] = "draft"
	}
	var tierIDs []int64
	for _, raw := range c.Request().PostArgs().PeekMulti("tier") {
		if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			tierIDs = append(tierIDs, id)
		}
	}
	tiers, err := h.Store.ListTiers(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	for _, id := range tierIDs {
		if !slices.ContainsFunc(tiers, func(t queries.Tier) bool { return t.ID == id }) {
			errs["tier"] = "Choose tiers from the list."
		}
	}
	if len(errs) > 0 {
		d, err := h.loadConsoleSpiffs(c)
		if err != nil {
			return err
		}
		p := h.newPage(c, "SPIFFs")
		p.Section = "program"
		p.Data, p.Errors, p.Form = d, errs, form
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/console_spiffs", "", p)
	}
	if tierIDs == nil {
		tierIDs = []int64{}
	}
	if _, err := h.Store.CreateSpiffCampaign(ctx, queries.CreateSpiffCampaignParams{OrganizationID: u.OrganizationID,
		Name: form["name"], Description: form["description"], AmountMinor: amount, Currency: form["currency"],
		StartsAt: starts, EndsAt: ends, TierIds: tierIDs, Rule: form["rule"], Stage: form["stage"],
		CapPerPartner: int32(cap), Status: form["status"]}); err != nil {
		return err
	}
	h.flash(c, "Created the SPIFF "+form["name"]+".")
	return redirect(c, "/console/spiffs")
}

// setSpiffStatus activates or ends a campaign.
func (h *Handler) setSpiffStatus(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	status := c.FormValue("status")
	if status != "active" && status != "ended" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose active or ended.")
	}
	if _, err := h.Store.SetSpiffCampaignStatus(c.Context(), queries.SetSpiffCampaignStatusParams{Status: status, OrganizationID: u.OrganizationID, ID: id}); queries.IsNotFound(err) {
		return fiber.ErrNotFound
	} else if err != nil {
		return err
	}
	h.flash(c, "The SPIFF is now "+status+".")
	return redirect(c, "/console/spiffs")
}

// awardSpiff gives a partner a manual award of a campaign.
func (h *Handler) awardSpiff(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	partner, _ := strconv.ParseInt(c.FormValue("partner"), 10, 64)
	note := strings.TrimSpace(c.FormValue("note"))
	if len([]rune(note)) > 300 {
		note = string([]rune(note)[:300])
	}
	key := c.FormValue("key")
	if !formKeyPattern.MatchString(key) {
		key = secret.New()[:24]
	}
	eng := &commission.Engine{Now: h.Clock.Now}
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		_, err := eng.AwardSpiff(c.Context(), q, u.OrganizationID, id, partner, note, strconv.FormatInt(u.ID, 10)+":"+key)
		return err
	})
	switch {
	case errors.Is(err, commission.ErrSpiffNotOpen), queries.IsNotFound(err), errors.Is(queries.Classify(err), queries.ErrReference):
		h.flash(c, "No award: the campaign is not an active manual campaign, the partner is past its cap, or no partner was chosen.")
	case err != nil:
		return err
	default:
		h.flash(c, "Awarded the SPIFF.")
	}
	return redirect(c, "/console/spiffs")
}
