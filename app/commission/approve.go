package commission

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// Approve approves the pending commissions among ids whose hold has ended
// (the others are left alone) and tells each partner's admins. by is the
// staff user, nil for automatic approval. It returns the approved rows and
// the notifications to email after commit.
func (e *Engine) Approve(ctx context.Context, q *queries.Queries, orgID int64, ids []int64, by *int64) ([]queries.ApproveCommissionsRow, []int64, error) {
	rows, err := q.ApproveCommissions(ctx, queries.ApproveCommissionsParams{Now: e.now(), ApprovedBy: by, OrganizationID: orgID, Ids: ids})
	if err != nil || len(rows) == 0 {
		return rows, nil, err
	}
	// One notification per partner, naming the sums per currency.
	type sums struct {
		n   int
		per map[string]int64
	}
	byPartner := map[int64]*sums{}
	var order []int64
	for _, r := range rows {
		s := byPartner[r.PartnerID]
		if s == nil {
			s = &sums{per: map[string]int64{}}
			byPartner[r.PartnerID] = s
			order = append(order, r.PartnerID)
		}
		s.n++
		s.per[r.Currency] += r.AmountMinor
	}
	var notes []int64
	for _, pid := range order {
		s := byPartner[pid]
		var amounts []string
		for cur, v := range s.per {
			amounts = append(amounts, money.Format(v, cur))
		}
		noun := "commission was"
		if s.n > 1 {
			noun = strconv.Itoa(s.n) + " commissions were"
		}
		sort.Strings(amounts)
		body := fmt.Sprintf("Your %s approved: %s.", noun, strings.Join(amounts, ", "))
		ids, err := q.NotifyPartnerAdmins(ctx, queries.NotifyPartnerAdminsParams{Body: body, Link: "/payments?status=approved",
			OrganizationID: orgID, PartnerID: pid})
		if err != nil {
			return nil, nil, err
		}
		notes = append(notes, ids...)
	}
	return rows, notes, nil
}

// ErrNotVoidable is returned for a paid or already void commission.
var ErrNotVoidable = errors.New("only a pending or approved commission can be voided")

// Void voids a pending or approved commission with a reason.
func (e *Engine) Void(ctx context.Context, q *queries.Queries, orgID, id int64, reason string) error {
	_, err := q.VoidCommission(ctx, queries.VoidCommissionParams{Reason: reason, Now: e.now(), OrganizationID: orgID, ID: id})
	if queries.IsNotFound(err) {
		return ErrNotVoidable
	}
	return err
}

// Adjust records a manual adjustment (positive or negative) for a partner,
// held like any other commission. key makes a resubmitted form harmless.
func (e *Engine) Adjust(ctx context.Context, q *queries.Queries, orgID, partnerID int64, leadID *int64, amount int64, currency, reason, key string) (int64, error) {
	prog, err := q.GetCommissionProgram(ctx, orgID)
	if err != nil {
		return 0, err
	}
	now := e.now()
	id, err := q.InsertCommission(ctx, queries.InsertCommissionParams{
		OrganizationID: orgID, PartnerID: partnerID, LeadID: leadID, Kind: KindAdjustment, AmountMinor: amount,
		Currency: currency, Reason: reason, EarningKey: "manual:" + key, EarnedAt: now,
		ApprovableAt: now.AddDate(0, 0, int(prog.CommissionHoldDays))})
	if queries.IsNotFound(err) {
		return 0, nil // the same form sent twice
	}
	return id, err
}

// AutoApprove approves, in organizations that approve automatically, the
// pending commissions whose hold has ended (at most max per call).
func (e *Engine) AutoApprove(ctx context.Context, store *queries.Store, max int32) (approved int, notes []int64, err error) {
	due, err := store.ListAutoApprovable(ctx, queries.ListAutoApprovableParams{Now: e.now(), MaxRows: max})
	if err != nil {
		return 0, nil, err
	}
	perOrg := map[int64][]int64{}
	for _, d := range due {
		perOrg[d.OrganizationID] = append(perOrg[d.OrganizationID], d.ID)
	}
	for org, ids := range perOrg {
		err := store.Tx(ctx, func(q *queries.Queries) error {
			rows, n, err := e.Approve(ctx, q, org, ids, nil)
			approved += len(rows)
			notes = append(notes, n...)
			return err
		})
		if err != nil {
			return approved, notes, err
		}
	}
	return approved, notes, nil
}
