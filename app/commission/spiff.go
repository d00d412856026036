package commission

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// SpiffKey is the earning key of a campaign's award for a lead.
func SpiffKey(campaignID, leadID int64) string {
	return fmt.Sprintf("spiff:%d:lead:%d", campaignID, leadID)
}

// spiffs awards every active stage campaign the lead qualifies for now: its
// partner's tier is eligible, the lead has reached the campaign's stage, and
// the partner is under the campaign's cap. Once per campaign and lead.
func (b *batch) spiffs(ctx context.Context, st *leadState) error {
	lead := st.lead
	if lead.Status != "approved" || stageRank(lead.Stage) < 1 {
		return nil
	}
	var tier int64
	if lead.TierID != nil {
		tier = *lead.TierID
	}
	for _, c := range b.org.spiffs {
		if len(c.TierIds) > 0 && !slices.Contains(c.TierIds, tier) {
			continue
		}
		if stageRank(lead.Stage) < stageRank(c.Stage) {
			continue
		}
		key := SpiffKey(c.ID, lead.ID)
		if st.keys[key] {
			continue // awarded before
		}
		if c.CapPerPartner > 0 {
			n, err := b.awards(ctx, lead.PartnerID, c)
			if err != nil {
				return err
			}
			if n >= int64(c.CapPerPartner) {
				continue
			}
			b.org.awarded[[2]int64{lead.PartnerID, c.ID}]++
		}
		b.insert(st, newRow{Kind: KindSpiff, AmountMinor: c.AmountMinor, Currency: c.Currency, TierName: lead.TierName,
			Stage: c.Stage, Reason: c.Name, EarningKey: key})
	}
	return nil
}

// awards is how many awards of a capped campaign the partner has, counting
// those this batch is about to write. The batch's partners are locked first
// (awards of one partner are counted one transaction at a time).
func (b *batch) awards(ctx context.Context, partnerID int64, c queries.SpiffCampaign) (int64, error) {
	if !b.org.partnersLocked {
		if _, err := b.q.LockPartners(ctx, queries.LockPartnersParams{OrganizationID: b.org.id, Ids: b.org.partnerIDs}); err != nil {
			return 0, err
		}
		b.org.partnersLocked = true
	}
	k := [2]int64{partnerID, c.ID}
	if n, ok := b.org.awarded[k]; ok {
		return n, nil
	}
	n, err := b.q.CountSpiffAwards(ctx, queries.CountSpiffAwardsParams{OrganizationID: b.org.id, PartnerID: partnerID, CampaignID: c.ID})
	if err != nil {
		return 0, err
	}
	b.org.awarded[k] = n
	return n, nil
}

// underCap locks the partner (awards of one partner are counted one
// transaction at a time) and tells whether another award fits the cap.
func underCap(ctx context.Context, q *queries.Queries, orgID, partnerID int64, c queries.SpiffCampaign) (bool, error) {
	if _, err := q.LockPartner(ctx, queries.LockPartnerParams{OrganizationID: orgID, ID: partnerID}); err != nil {
		return false, err
	}
	n, err := q.CountSpiffAwards(ctx, queries.CountSpiffAwardsParams{OrganizationID: orgID, PartnerID: partnerID, CampaignID: c.ID})
	return n < int64(c.CapPerPartner), err
}

// ErrSpiffNotOpen is returned for an award of a campaign that is not an
// active manual campaign, or past its cap for the partner.
var ErrSpiffNotOpen = errors.New("this campaign takes no manual award for this partner now")

// AwardSpiff gives a partner a manual award of a campaign, with a note. key
// makes a form sent twice one award. It returns 0 for a repeat.
func (e *Engine) AwardSpiff(ctx context.Context, q *queries.Queries, orgID, campaignID, partnerID int64, note, key string) (int64, error) {
	c, err := q.GetSpiffCampaign(ctx, queries.GetSpiffCampaignParams{OrganizationID: orgID, ID: campaignID})
	if queries.IsNotFound(err) {
		return 0, ErrSpiffNotOpen
	}
	if err != nil {
		return 0, err
	}
	now := e.now()
	if c.Rule != "manual" || c.Status != "active" || now.Before(c.StartsAt) || !now.Before(c.EndsAt) {
		return 0, ErrSpiffNotOpen
	}
	if c.CapPerPartner > 0 {
		ok, err := underCap(ctx, q, orgID, partnerID, c)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, ErrSpiffNotOpen
		}
	}
	prog, err := q.GetCommissionProgram(ctx, orgID)
	if err != nil {
		return 0, err
	}
	reason := c.Name
	if note != "" {
		reason += ": " + note
	}
	id, err := q.InsertCommission(ctx, queries.InsertCommissionParams{
		OrganizationID: orgID, PartnerID: partnerID, Kind: KindSpiff, AmountMinor: c.AmountMinor, Currency: c.Currency,
		Reason: reason, EarningKey: fmt.Sprintf("spiff:%d:manual:%s", c.ID, key), EarnedAt: now,
		ApprovableAt: now.AddDate(0, 0, int(prog.CommissionHoldDays))})
	if queries.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	body := fmt.Sprintf("You received a SPIFF award: %s (%s).", reason, formatAmount(c.AmountMinor, c.Currency))
	if _, err := q.NotifyPartnerAdmins(ctx, queries.NotifyPartnerAdminsParams{Body: body, Link: "/payments/spiffs",
		OrganizationID: orgID, PartnerID: partnerID}); err != nil {
		return 0, err
	}
	return id, nil
}

func formatAmount(minor int64, currency string) string { return money.Format(minor, currency) }
