package seed

import (
	"context"
	"time"

	"partnerportal/app/commission"
	"partnerportal/queries"
)

// seedCommissions gives the organization's won leads their commissions, as
// the engine would have written them on the day each lead was won, then
// ages them: approved once the hold ended, paid when won more than 75 days
// ago. Leads that already have commissions are left alone, so running the
// seed again changes nothing.
func seedCommissions(ctx context.Context, q *queries.Queries, orgID int64, now time.Time) error {
	leads, err := q.ListWonLeadsWithoutCommissions(ctx, orgID)
	if err != nil {
		return err
	}
	for _, l := range leads {
		won := *l.WonAt
		eng := &commission.Engine{Now: func() time.Time { return won }, Quiet: true}
		res, err := eng.Process(ctx, q, commission.Event{Kind: "lead_won", OrganizationID: orgID, LeadID: l.ID, Reason: "Lead won"})
		if err != nil {
			return err
		}
		age := now.Sub(won)
		for _, c := range res.Created {
			var paid *time.Time
			switch {
			case age > 75*24*time.Hour:
				p := won.Add(45 * 24 * time.Hour)
				paid = &p
			case age <= 30*24*time.Hour:
				continue // still in its hold: pending
			}
			if err := q.SeedCommissionState(ctx, queries.SeedCommissionStateParams{PaidAt: paid, OrganizationID: orgID, ID: c.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}
