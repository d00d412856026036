package commission

import (
	"context"
	"errors"
	"fmt"
	"time"

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
func (e *Engine) spiffs(ctx context.Context, q *queries.Queries, lead queries.LockLeadForCommissionRow, now, hold time.Time, res *Result) error {
	if lead.Status != "approved" || stageRank(lead.Stage) < 1 {
		return nil
	}
	var tier int64
	if lead.TierID != nil {
		tier = *lead.TierID
	}
	campaigns, err := q.ListActiveStageSpiffs(ctx, queries.ListActiveStageSpiffsParams{OrganizationID: lead.OrganizationID, At: now, TierID: tier})
	if err != nil {
		return err
	}
	for _, c := range campaigns {
		if stageRank(lead.Stage) < stageRank(c.Stage) {
			continue
		}
		if c.CapPerPartner > 0 {
			ok, err := underCap(ctx, q, lead.OrganizationID, lead.PartnerID, c)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		id, err := q.InsertCommission(ctx, queries.InsertCommissionParams{
			OrganizationID: lead.OrganizationID, PartnerID: lead.PartnerID, LeadID: &lead.ID, Kind: KindSpiff,
			AmountMinor: c.AmountMinor, Currency: c.Currency, TierName: lead.TierName, Stage: c.Stage, Reason: c.Name,
			EarningKey: SpiffKey(c.ID, lead.ID), EarnedAt: now, ApprovableAt: hold})
		if queries.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		res.Created = append(res.Created, Created{ID: id, PartnerID: lead.PartnerID, Kind: KindSpiff, AmountMinor: c.AmountMinor, Currency: c.Currency})
	}
	return nil
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
