package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// incentiveStages are the stages a tier can reward with a fixed amount.
var incentiveStages = []string{"qualified", "proposal", "won"}

type programTier struct {
	queries.Tier
	Rate       string            // the rate as typed: "15", "12.5"
	Incentives map[string]string // stage → amount as typed
}

type programData struct {
	Tiers    []programTier
	HoldDays int32
	Auto     bool
	Currency string
	Stages   []string
	EditID   int64 // the tier whose form came back with errors
}

// rateInput renders basis points as the percent a person types (1250 → "12.5").
func rateInput(bps int32) string {
	return strings.TrimSuffix(strings.TrimRight(money.Input(int64(bps), "USD"), "0"), ".")
}

// parseRate reads a percent with at most two decimals into basis points:
// a percent with two decimals is exactly the number of hundredths, which is
// what money.Parse reads for a two-decimal currency.
func parseRate(s string) (int32, bool) {
	v, err := money.Parse(strings.TrimSuffix(strings.TrimSpace(s), "%"), "USD")
	if err != nil || v < 0 || v > 10000 {
		return 0, false
	}
	return int32(v), true
}

func (h *Handler) loadProgram(c *fiber.Ctx) (*programData, error) {
	u := currentUser(c)
	ctx := c.Context()
	prog, err := h.Store.GetCommissionProgram(ctx, u.OrganizationID)
	if err != nil {
		return nil, err
	}
	tiers, err := h.Store.ListTiers(ctx, u.OrganizationID)
	if err != nil {
		return nil, err
	}
	ins, err := h.Store.ListStageIncentivesForOrganization(ctx, u.OrganizationID)
	if err != nil {
		return nil, err
	}
	d := &programData{HoldDays: prog.CommissionHoldDays, Auto: prog.CommissionApproval == "auto", Currency: prog.Currency, Stages: incentiveStages}
	for _, t := range tiers {
		pt := programTier{Tier: t, Rate: rateInput(t.CommissionBps), Incentives: map[string]string{}}
		for _, in := range ins {
			if in.TierID == t.ID {
				pt.Incentives[in.Stage] = money.Input(in.AmountMinor, in.Currency)
			}
		}
		d.Tiers = append(d.Tiers, pt)
	}
	return d, nil
}

func (h *Handler) showConsoleProgram(c *fiber.Ctx) error {
	d, err := h.loadProgram(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Program")
	p.Section = "program"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/console_program", "", p)
}

// saveProgramSettings stores the hold period and the approval mode.
func (h *Handler) saveProgramSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("hold_days")))
	mode := c.FormValue("approval")
	errs := map[string]string{}
	if err != nil || days < 0 || days > 365 {
		errs["hold_days"] = "Enter a number of days from 0 to 365."
	}
	if mode != "manual" && mode != "auto" {
		errs["approval"] = "Choose how commissions are approved."
	}
	if len(errs) > 0 {
		d, err := h.loadProgram(c)
		if err != nil {
			return err
		}
		p := h.newPage(c, "Program")
		p.Section = "program"
		p.Data, p.Errors = d, errs
		p.Form = map[string]string{"hold_days": c.FormValue("hold_days")}
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/console_program", "", p)
	}
	if err := h.Store.UpdateCommissionProgram(c.Context(), queries.UpdateCommissionProgramParams{
		CommissionHoldDays: int32(days), CommissionApproval: mode, OrganizationID: u.OrganizationID}); err != nil {
		return err
	}
	h.flash(c, "Saved the commission rules. They apply to commissions earned from now on.")
	return redirect(c, "/console/program")
}

// tierFieldsData feeds the tier form partial: the submitted values when
// this form came back with errors, else the tier's own (or blanks).
type tierFieldsData struct {
	Page     *Page
	ID       string
	Currency string
	Stages   []string
	values   map[string]string
	errs     map[string]string
}

// Value is a field's value.
func (t tierFieldsData) Value(name string) string { return t.values[name] }

// Err is a field's error.
func (t tierFieldsData) Err(name string) string { return t.errs[name] }

func tierFields(p *Page, t *programTier, edited bool) tierFieldsData {
	d := p.Data.(*programData)
	out := tierFieldsData{Page: p, ID: "new", Currency: d.Currency, Stages: incentiveStages}
	if edited {
		out.values, out.errs = p.Form, p.Errors
	} else if t != nil {
		out.values = map[string]string{"name": t.Name, "rate": t.Rate, "trigger_stage": t.TriggerStage, "benefits": t.Benefits,
			"rewards": t.OffPlatformRewards, "position": strconv.Itoa(int(t.Position))}
		for st, v := range t.Incentives {
			out.values["incentive_"+st] = v
		}
	} else {
		out.values = map[string]string{"trigger_stage": "won", "position": strconv.Itoa(len(d.Tiers))}
	}
	if t != nil {
		out.ID = strconv.FormatInt(t.ID, 10)
	}
	return out
}
