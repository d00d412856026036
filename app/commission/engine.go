// Package commission is the commission engine: from an earning event (a lead
// won, a stage reached, revenue or refunds changed, a lead lost or reopened)
// it works out what the partner is owed for the lead and writes the
// difference as commission rows. The web tier (approval, void, manual
// adjustments) and the worker both call it inside their own transaction.
//
// The engine is a reconciliation, not a ledger of deltas: it reads the lead
// as it stands, computes the revenue basis and the amount owed (one rounding,
// money.ApplyBps over the whole basis), and compares with the rows already
// written. So a replayed or duplicated event finds nothing left to do, and
// the rows of a lead always sum to basis × rate. The lead row is locked
// while this happens, so two workers on one lead are served in turn, and
// every row carries a unique earning key as the last line of defence.
package commission

import (
	"context"
	"fmt"
	"partnerportal/app/clock"
	"strings"
	"time"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// Kinds of commission rows.
const (
	KindRevenueShare     = "revenue_share"
	KindStageIncentive   = "stage_incentive"
	KindSpiff            = "spiff"
	KindTrainingBonus    = "training_bonus"
	KindAchievementBonus = "achievement_bonus"
	KindAdjustment       = "adjustment"
)

// Kinds lists every kind in display order.
var Kinds = []string{KindRevenueShare, KindStageIncentive, KindSpiff, KindTrainingBonus, KindAchievementBonus, KindAdjustment}

// Statuses in their order of life.
var Statuses = []string{"pending", "approved", "paid", "void"}

// Engine computes and records commissions. Now is its clock (tests set it).
type Engine struct {
	Now   func() time.Time
	Quiet bool // write no notifications (the demo seed)
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return clock.Real{}.Now()
}

// Event is one earning event, decoded from an outbox row.
type Event struct {
	OutboxID       int64 // names the corrections it causes (earning key)
	Kind           string
	OrganizationID int64
	LeadID         int64
	Reason         string // why the lead changed ("revenue edited", "refund")
	// The partner's tier as it stood when the lead was won (lead_won events).
	HasRate  bool
	RateBps  int32
	TierName string
}

// Created describes a row the engine wrote, for notifications and logs.
type Created struct {
	ID          int64
	PartnerID   int64
	LeadID      int64
	Company     string // the lead's
	Kind        string
	AmountMinor int64
	Currency    string
}

// Result is what one event changed.
type Result struct {
	Created       []Created
	Recalculated  int
	Voided        int
	Notifications []int64 // in-app notifications written; their emails go out after commit
}

// stageRank orders the pipeline; lost is outside it.
func stageRank(s string) int {
	switch s {
	case "new":
		return 0
	case "qualified":
		return 1
	case "proposal":
		return 2
	case "won":
		return 3
	}
	return -1
}

// RevenueKey is the earning key of a lead's revenue commission; its
// corrections extend it with the event that caused them.
func RevenueKey(leadID int64) string { return fmt.Sprintf("lead:%d:revenue", leadID) }

// StageKey is the earning key of a lead's incentive for reaching a stage.
func StageKey(leadID int64, stage string) string {
	return fmt.Sprintf("lead:%d:stage:%s", leadID, stage)
}

// Process reconciles the lead an event names. Call it in a transaction.
// It is ProcessBatch with a batch of one.
func (e *Engine) Process(ctx context.Context, q *queries.Queries, ev Event) (Result, error) {
	return e.ProcessBatch(ctx, q, []Event{ev})
}

// targetBasis is the revenue the partner's share is owed on now: nothing
// before the trigger stage or once lost; the deal value between the trigger
// stage and the win; the revenue less refunds once won (never below zero).
func targetBasis(lead queries.LockLeadForCommissionRow, trigger string) int64 {
	if lead.Status != "approved" || lead.Stage == "lost" || stageRank(lead.Stage) < stageRank(trigger) {
		return 0
	}
	if lead.Stage == "won" {
		return max(0, lead.RevenueMinor-lead.RefundedMinor)
	}
	return lead.DealValueMinor
}

func (b *batch) revenue(ctx context.Context, ev Event, st *leadState) error {
	q, lead, rows, now := b.q, st.lead, st.rows, b.now
	key := RevenueKey(lead.ID)
	var base *queries.Commission
	var basis, amount int64
	allPending := true
	for i := range rows {
		r := &rows[i]
		if r.EarningKey != key && !strings.HasPrefix(r.EarningKey, key+":") {
			continue
		}
		if r.EarningKey == key {
			base = r
		}
		if r.Status == "void" {
			continue
		}
		basis += r.BasisMinor
		amount += r.AmountMinor
		if r.Status != "pending" {
			allPending = false
		}
	}
	trigger, rate, tierName := lead.TriggerStage, lead.TierBps, lead.TierName
	if ev.HasRate {
		rate, tierName = ev.RateBps, ev.TierName
	}
	if base != nil { // the rate and trigger as they stood when first earned
		rate, tierName, trigger = base.RateBps, base.TierName, base.Stage
	}
	if base == nil && lead.TierID == nil && !ev.HasRate {
		return nil // no tier, no revenue share
	}
	target := targetBasis(lead, trigger)
	owed := money.ApplyBps(target, int64(rate))
	if target == basis && owed == amount {
		return nil
	}
	if base == nil {
		if target == 0 || owed == 0 {
			return nil
		}
		b.insert(st, newRow{Kind: KindRevenueShare, AmountMinor: owed, Currency: lead.Currency, BasisMinor: target,
			RateBps: rate, TierName: tierName, Stage: trigger, EarningKey: key})
		return nil
	}
	why := changeReason(ev, lead, basis, target)
	if allPending && base.Status == "pending" {
		// Nothing approved yet: recalculate the pending row in place.
		newBasis, newAmount := base.BasisMinor+target-basis, base.AmountMinor+owed-amount
		if newBasis == 0 && newAmount == 0 {
			if _, err := q.VoidPendingCommission(ctx, queries.VoidPendingCommissionParams{Reason: why, Now: now,
				OrganizationID: lead.OrganizationID, PartnerID: lead.PartnerID, ID: base.ID}); err != nil {
				return err
			}
			b.res.Voided++
			return nil
		}
		if _, err := q.RecalculatePendingCommission(ctx, queries.RecalculatePendingCommissionParams{
			AmountMinor: newAmount, BasisMinor: newBasis, Reason: why, Now: now,
			OrganizationID: lead.OrganizationID, PartnerID: lead.PartnerID, ID: base.ID}); err != nil {
			return err
		}
		b.res.Recalculated++
		return nil
	}
	// Approved or paid money stays as it is: the difference is a new row
	// (a clawback when negative).
	adjKey := fmt.Sprintf("%s:outbox:%d", key, ev.OutboxID)
	if ev.OutboxID == 0 {
		adjKey = fmt.Sprintf("%s:at:%d", key, now.UnixNano())
	}
	b.insert(st, newRow{Kind: KindAdjustment, AmountMinor: owed - amount, Currency: lead.Currency, BasisMinor: target - basis,
		RateBps: rate, TierName: tierName, Stage: trigger, Reason: why, EarningKey: adjKey, AdjustsID: base.ID})
	return nil
}

// changeReason says in the partner's words why a lead's commission changed.
func changeReason(ev Event, lead queries.LockLeadForCommissionRow, from, to int64) string {
	var cause string
	switch {
	case lead.Stage == "lost":
		cause = "Lead marked Lost"
	case lead.Stage != "won" && stageRank(lead.Stage) >= 0 && to == 0:
		cause = "Lead reopened"
	case ev.Reason != "":
		cause = ev.Reason
	default:
		cause = "Lead changed"
	}
	return fmt.Sprintf("%s: basis %s → %s", cause, money.Format(from, lead.Currency), money.Format(to, lead.Currency))
}

// stages awards the tier's incentive for every stage the lead has reached,
// once per lead and stage.
func (b *batch) stages(st *leadState) {
	lead := st.lead
	if lead.TierID == nil || lead.Status != "approved" || stageRank(lead.Stage) < 1 {
		return
	}
	for _, in := range b.org.incentives[*lead.TierID] {
		if stageRank(in.Stage) > stageRank(lead.Stage) {
			continue
		}
		b.insert(st, newRow{Kind: KindStageIncentive, AmountMinor: in.AmountMinor, Currency: in.Currency,
			TierName: lead.TierName, Stage: in.Stage, EarningKey: StageKey(lead.ID, in.Stage)})
	}
}

// KindLabel names a kind for people.
func KindLabel(kind string) string {
	switch kind {
	case KindRevenueShare:
		return "Revenue share"
	case KindStageIncentive:
		return "Stage incentive"
	case KindSpiff:
		return "SPIFF"
	case KindTrainingBonus:
		return "Training bonus"
	case KindAchievementBonus:
		return "Achievement bonus"
	case KindAdjustment:
		return "Adjustment"
	}
	return kind
}
