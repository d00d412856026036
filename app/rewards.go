package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// rewardTier is a tier as the Rewards tab shows it.
type rewardTier struct {
	Name     string
	Rate     string // commission rate, "15%"
	Benefits string
	Rewards  []string // off-platform rewards, one per line
	Current  bool
	Trigger  string   // the stage at which the revenue share is earned
	Stages   []string // stage incentives: "$50.00 when a lead first reaches Qualified"
}

// showRewards is the Dashboard's Rewards tab: the partner's tier with its
// commission rate, benefits and off-platform rewards, and every tier of the
// program for comparison.
func (h *Handler) showRewards(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	partner, err := h.Store.GetPartner(ctx, queries.GetPartnerParams{OrganizationID: u.OrganizationID, ID: u.PartnerID})
	if err != nil {
		return err
	}
	tiers, err := h.Store.ListTiers(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	incentives, err := h.Store.ListStageIncentivesForOrganization(ctx, u.OrganizationID)
	if err != nil {
		return err
	}
	var all []rewardTier
	var current *rewardTier
	for _, t := range tiers {
		rt := rewardTier{Name: t.Name, Rate: money.FormatBps(int64(t.CommissionBps)), Benefits: strings.TrimSpace(t.Benefits),
			Rewards: nonEmptyLines(t.OffPlatformRewards), Current: partner.TierID != nil && *partner.TierID == t.ID,
			Trigger: statusLabel(t.TriggerStage)}
		if t.RetiredAt != nil && !rt.Current {
			continue // retired tiers are no longer offered
		}
		for _, in := range incentives {
			if in.TierID == t.ID {
				rt.Stages = append(rt.Stages, money.Format(in.AmountMinor, in.Currency)+" when a lead first reaches "+statusLabel(in.Stage))
			}
		}
		all = append(all, rt)
		if rt.Current {
			current = &all[len(all)-1]
		}
	}
	p := h.newPage(c, "Rewards")
	p.Section = "dashboard"
	p.Data = fiber.Map{"Tab": "rewards", "Current": current, "Tiers": all}
	return h.render(c, fiber.StatusOK, "pages/rewards", "", p)
}

// nonEmptyLines splits text into its trimmed, non-empty lines.
func nonEmptyLines(text string) []string {
	var out []string
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
