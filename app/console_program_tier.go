package app

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// tierForm is a tier as submitted.
type tierForm struct {
	Name, Benefits, Rewards, Trigger string
	Bps, Position                    int32
	Incentives                       map[string]int64 // stage → amount (0 = none)
}

func readTierForm(c *fiber.Ctx, currency string) (tierForm, map[string]string, map[string]string) {
	form := map[string]string{"name": strings.TrimSpace(c.FormValue("name")), "rate": strings.TrimSpace(c.FormValue("rate")),
		"trigger_stage": c.FormValue("trigger_stage"), "benefits": strings.TrimSpace(c.FormValue("benefits")),
		"rewards": strings.TrimSpace(c.FormValue("rewards")), "position": strings.TrimSpace(c.FormValue("position"))}
	errs := map[string]string{}
	f := tierForm{Name: form["name"], Benefits: form["benefits"], Rewards: form["rewards"], Trigger: form["trigger_stage"],
		Incentives: map[string]int64{}}
	if l := len([]rune(f.Name)); l < 1 || l > 100 {
		errs["name"] = "Give the tier a name of up to 100 characters."
	}
	bps, ok := parseRate(form["rate"])
	if !ok {
		errs["rate"] = "Enter a rate from 0 to 100 percent, with at most two decimals, like 15 or 12.5."
	}
	f.Bps = bps
	if !slices.Contains(incentiveStages, f.Trigger) {
		errs["trigger_stage"] = "Choose the stage at which the revenue share is earned."
	}
	if len(f.Benefits) > 2000 || len(f.Rewards) > 2000 {
		errs["benefits"] = "Benefits and rewards are limited to 2,000 characters each."
	}
	if form["position"] != "" {
		pos, err := strconv.Atoi(form["position"])
		if err != nil || pos < 0 || pos > 1000 {
			errs["position"] = "Enter an order number from 0 to 1000."
		}
		f.Position = int32(pos)
	}
	for _, st := range incentiveStages {
		raw := strings.TrimSpace(c.FormValue("incentive_" + st))
		form["incentive_"+st] = raw
		if raw == "" {
			continue
		}
		v, err := money.Parse(raw, currency)
		if err != nil {
			errs["incentive_"+st] = "Enter an amount like 50 or 150.00, or leave it empty for none."
			continue
		}
		f.Incentives[st] = v
	}
	return f, form, errs
}

func (h *Handler) saveTierIncentives(c *fiber.Ctx, q *queries.Queries, orgID, tierID int64, f tierForm, currency string) error {
	for _, st := range incentiveStages {
		var err error
		if v := f.Incentives[st]; v > 0 {
			err = q.SetStageIncentive(c.Context(), queries.SetStageIncentiveParams{OrganizationID: orgID, TierID: tierID, Stage: st, AmountMinor: v, Currency: currency})
		} else {
			err = q.DeleteStageIncentive(c.Context(), queries.DeleteStageIncentiveParams{OrganizationID: orgID, TierID: tierID, Stage: st})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) tierFormError(c *fiber.Ctx, editID int64, form, errs map[string]string) error {
	d, err := h.loadProgram(c)
	if err != nil {
		return err
	}
	d.EditID = editID
	p := h.newPage(c, "Program")
	p.Section = "program"
	p.Data, p.Errors, p.Form = d, errs, form
	return h.render(c, fiber.StatusUnprocessableEntity, "pages/console_program", "", p)
}

// createTier adds a tier with its stage incentives.
func (h *Handler) createTier(c *fiber.Ctx) error {
	u := currentUser(c)
	f, form, errs := readTierForm(c, u.Currency)
	if len(errs) > 0 {
		return h.tierFormError(c, 0, form, errs)
	}
	err := h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		t, err := q.CreateTier(c.Context(), queries.CreateTierParams{OrganizationID: u.OrganizationID, Name: f.Name,
			CommissionBps: f.Bps, Benefits: f.Benefits, OffPlatformRewards: f.Rewards, Position: f.Position, TriggerStage: f.Trigger})
		if err != nil {
			return err
		}
		return h.saveTierIncentives(c, q, u.OrganizationID, t.ID, f, u.Currency)
	})
	if queries.IsDuplicate(err) {
		return h.tierFormError(c, 0, form, map[string]string{"name": "There is already a tier with this name."})
	}
	if err != nil {
		return err
	}
	h.flash(c, "Added the tier "+f.Name+".")
	return redirect(c, "/console/program")
}

// updateTier saves a tier; commissions already earned keep their rate.
func (h *Handler) updateTier(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	f, form, errs := readTierForm(c, u.Currency)
	if len(errs) > 0 {
		return h.tierFormError(c, id, form, errs)
	}
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if _, err := q.UpdateTier(c.Context(), queries.UpdateTierParams{OrganizationID: u.OrganizationID, ID: id, Name: f.Name,
			CommissionBps: f.Bps, Benefits: f.Benefits, OffPlatformRewards: f.Rewards, Position: f.Position, TriggerStage: f.Trigger}); err != nil {
			return err
		}
		return h.saveTierIncentives(c, q, u.OrganizationID, id, f, u.Currency)
	})
	if queries.IsNotFound(err) {
		return fiber.ErrNotFound
	}
	if queries.IsDuplicate(err) {
		return h.tierFormError(c, id, form, map[string]string{"name": "There is already a tier with this name."})
	}
	if err != nil {
		return err
	}
	h.flash(c, "Saved the tier "+f.Name+". Commissions already earned keep the rate they were earned at.")
	return redirect(c, "/console/program")
}

// retireTier retires (or restores) a tier: a retired tier takes no new
// partners; partners in it keep it.
func (h *Handler) retireTier(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	retire := c.FormValue("retire") == "true"
	if _, err := h.Store.SetTierRetired(c.Context(), queries.SetTierRetiredParams{Retired: retire, Now: h.Clock.Now(), OrganizationID: u.OrganizationID, ID: id}); queries.IsNotFound(err) {
		return fiber.ErrNotFound
	} else if err != nil {
		return err
	}
	if retire {
		h.flash(c, "Retired the tier. Partners already in it keep it; it is no longer offered.")
	} else {
		h.flash(c, "Restored the tier.")
	}
	return redirect(c, "/console/program")
}
