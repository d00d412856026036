package commission_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/app/commission"
	"partnerportal/queries"
)

// fixture is the demo data's Acme Cloud with Northwind (Premium, 15%) and a
// clock the test moves.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	store   *queries.Store
	org     int64
	partner int64
	tier    int64
	clock   time.Time
	eng     *commission.Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), store: apptest.NewStore(t),
		clock: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	f.eng = &commission.Engine{Now: func() time.Time { return f.clock }}
	f.scan("SELECT o.id, p.id, p.tier_id FROM organizations o JOIN partners p ON p.organization_id = o.id WHERE o.slug = 'acme' AND p.name = 'Northwind Agency'",
		&f.org, &f.partner, &f.tier)
	return f
}

func (f *fixture) scan(sql string, dest ...any) {
	f.t.Helper()
	if err := f.store.Pool.QueryRow(f.ctx, sql).Scan(dest...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.store.Pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) int(sql string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.store.Pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// lead creates an approved lead of Northwind in a stage and currency.
func (f *fixture) lead(company, stage, currency string) int64 {
	return f.int(`INSERT INTO leads (organization_id, partner_id, company, status, stage, currency, deal_value_minor)
		VALUES ($1, $2, $3, 'approved', $4, $5, 1000000) RETURNING id`, f.org, f.partner, company, stage, currency)
}

// win marks the lead won the way the review queue does and returns its event.
func (f *fixture) win(lead, revenue int64) commission.Event {
	f.t.Helper()
	var outboxID int64
	err := f.store.Tx(f.ctx, func(q *queries.Queries) error {
		if _, err := q.MarkLeadWon(f.ctx, queries.MarkLeadWonParams{Now: f.clock, OrganizationID: f.org, ID: lead, RevenueMinor: revenue}); err != nil {
			return err
		}
		var err error
		outboxID, err = q.CreateLeadWonEvent(f.ctx, queries.CreateLeadWonEventParams{OrganizationID: f.org, LeadID: lead})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.event(outboxID)
}

// change applies an SQL change to a lead and writes its lead_changed event.
func (f *fixture) change(lead int64, reason, sql string, args ...any) commission.Event {
	f.t.Helper()
	f.exec(sql, args...)
	id, err := f.store.CreateLeadChangedEvent(f.ctx, queries.CreateLeadChangedEventParams{Reason: reason, OrganizationID: f.org, LeadID: lead})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.event(id)
}

func (f *fixture) event(outboxID int64) commission.Event {
	f.t.Helper()
	row, err := f.store.GetOutboxEvent(f.ctx, outboxID)
	if err != nil {
		f.t.Fatal(err)
	}
	ev, err := commission.EventFromOutbox(row.ID, row.OrganizationID, row.Kind, row.Payload)
	if err != nil {
		f.t.Fatal(err)
	}
	return ev
}

func (f *fixture) process(ev commission.Event) commission.Result {
	f.t.Helper()
	var res commission.Result
	err := f.store.Tx(f.ctx, func(q *queries.Queries) (err error) {
		res, err = f.eng.Process(f.ctx, q, ev)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) rows(lead int64) []queries.Commission {
	f.t.Helper()
	rows, err := f.store.ListLeadCommissions(f.ctx, queries.ListLeadCommissionsParams{OrganizationID: f.org, PartnerID: f.partner, LeadID: &lead})
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

// owed is the sum of a lead's rows that are not void.
func (f *fixture) owed(lead int64) int64 {
	return f.int("SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE lead_id = $1 AND status <> 'void'", lead)
}

func (f *fixture) approveAll(lead int64) int {
	f.t.Helper()
	var ids []int64
	for _, r := range f.rows(lead) {
		ids = append(ids, r.ID)
	}
	var n int
	err := f.store.Tx(f.ctx, func(q *queries.Queries) error {
		rows, _, err := f.eng.Approve(f.ctx, q, f.org, ids, nil)
		n = len(rows)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestWonLeadEarnsRevenueShareOnce(t *testing.T) {
	f := newFixture(t)
	lead := f.lead("Contoso", "proposal", "USD")
	admins := f.int("SELECT count(*) FROM users WHERE partner_id = $1 AND role = 'partner_admin'", f.partner)
	notesBefore := f.int("SELECT count(*) FROM notifications")
	ev := f.win(lead, 1_800_000)
	res := f.process(ev)
	if len(res.Created) != 1 || int64(len(res.Notifications)) != admins {
		t.Fatalf("created %d rows, %d notifications; want 1 and %d", len(res.Created), len(res.Notifications), admins)
	}
	rows := f.rows(lead)
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	if r.Kind != "revenue_share" || r.AmountMinor != 270_000 || r.BasisMinor != 1_800_000 || r.RateBps != 1500 ||
		r.TierName != "Premium" || r.Status != "pending" || r.Currency != "USD" {
		t.Errorf("row = %+v", r)
	}
	if want := f.clock.AddDate(0, 0, 30); !r.ApprovableAt.Equal(want) {
		t.Errorf("approvable at %v, want %v (30 days' hold)", r.ApprovableAt, want)
	}
	// The same event again, and a later unrelated one: nothing more.
	if res := f.process(ev); len(res.Created) != 0 || res.Recalculated != 0 {
		t.Errorf("replay changed something: %+v", res)
	}
	if n := f.int("SELECT count(*) FROM notifications") - notesBefore; n != admins {
		t.Errorf("%d notifications, want %d", n, admins)
	}
}

func TestApproveRespectsHold(t *testing.T) {
	f := newFixture(t)
	lead := f.lead("Hold Co", "proposal", "USD")
	f.process(f.win(lead, 100_000))
	f.clock = f.clock.AddDate(0, 0, 29)
	if n := f.approveAll(lead); n != 0 {
		t.Fatalf("approved %d inside the hold", n)
	}
	f.clock = f.clock.AddDate(0, 0, 1)
	if n := f.approveAll(lead); n != 1 {
		t.Fatalf("approved %d after the hold, want 1", n)
	}
	if n := f.approveAll(lead); n != 0 {
		t.Fatalf("approved %d twice", n)
	}
}

func TestRateChangeBetweenEarnAndPay(t *testing.T) {
	f := newFixture(t)
	lead := f.lead("Rate Co", "proposal", "USD")
	f.process(f.win(lead, 1_800_000))
	// The tier's rate goes up and the partner moves tier: neither touches
	// what was earned, nor the correction of it.
	f.exec("UPDATE tiers SET commission_bps = 2000 WHERE id = $1", f.tier)
	f.clock = f.clock.AddDate(0, 0, 31)
	f.approveAll(lead)
	f.exec("UPDATE commissions SET status = 'paid', paid_at = $2 WHERE lead_id = $1", lead, f.clock)
	ev := f.change(lead, "Revenue corrected", "UPDATE leads SET revenue_minor = 2000000 WHERE id = $1", lead)
	f.process(ev)
	rows := f.rows(lead)
	if len(rows) != 2 {
		t.Fatalf("%d rows, want the paid one and an adjustment", len(rows))
	}
	if rows[0].AmountMinor != 270_000 || rows[0].Status != "paid" {
		t.Errorf("paid row rewritten: %+v", rows[0])
	}
	adj := rows[1]
	if adj.Kind != "adjustment" || adj.AmountMinor != 30_000 || adj.BasisMinor != 200_000 || adj.RateBps != 1500 ||
		adj.AdjustsID == nil || *adj.AdjustsID != rows[0].ID || adj.Status != "pending" || adj.Reason == "" {
		t.Errorf("adjustment = %+v", adj)
	}
	// A new lead after the change earns the new rate.
	lead2 := f.lead("Rate Co 2", "proposal", "USD")
	f.process(f.win(lead2, 1_000_000))
	if got := f.rows(lead2)[0]; got.RateBps != 2000 || got.AmountMinor != 200_000 {
		t.Errorf("later lead: %+v", got)
	}
}

func TestRevenueEditedPendingRecalculatedApprovedAdjusted(t *testing.T) {
	f := newFixture(t)
	lead := f.lead("Edit Co", "proposal", "USD")
	f.process(f.win(lead, 1_800_000))
	// Pending: the row itself is recalculated.
	f.process(f.change(lead, "Revenue corrected", "UPDATE leads SET revenue_minor = 1200000 WHERE id = $1", lead))
	rows := f.rows(lead)
	if len(rows) != 1 || rows[0].AmountMinor != 180_000 || rows[0].BasisMinor != 1_200_000 || rows[0].Status != "pending" {
		t.Fatalf("after a pending edit: %+v", rows)
	}
	// Approved: a new row for the difference.
	f.clock = f.clock.AddDate(0, 0, 30)
	f.approveAll(lead)
	ev := f.change(lead, "Revenue corrected", "UPDATE leads SET revenue_minor = 1000000 WHERE id = $1", lead)
	f.process(ev)
	f.process(ev) // replay
	rows = f.rows(lead)
	if len(rows) != 2 || rows[0].AmountMinor != 180_000 || rows[0].Status != "approved" || rows[1].AmountMinor != -30_000 {
		t.Fatalf("after an approved edit: %+v", rows)
	}
	if f.owed(lead) != 150_000 {
		t.Errorf("owed %d, want 150000", f.owed(lead))
	}
}

func TestLostAfterWon(t *testing.T) {
	f := newFixture(t)
	// Pending: voided with the reason.
	lead := f.lead("Lost Pending", "proposal", "USD")
	f.process(f.win(lead, 500_000))
	f.process(f.change(lead, "Lead lost", "UPDATE leads SET stage = 'lost' WHERE id = $1", lead))
	rows := f.rows(lead)
	if len(rows) != 1 || rows[0].Status != "void" || rows[0].Reason == "" {
		t.Fatalf("pending lost: %+v", rows)
	}
	// Approved: a clawback row; reopened and won again: back to what is owed.
	lead = f.lead("Lost Approved", "proposal", "USD")
	f.process(f.win(lead, 500_000))
	f.clock = f.clock.AddDate(0, 0, 31)
	f.approveAll(lead)
	f.process(f.change(lead, "Lead lost", "UPDATE leads SET stage = 'lost' WHERE id = $1", lead))
	rows = f.rows(lead)
	if len(rows) != 2 || rows[1].Kind != "adjustment" || rows[1].AmountMinor != -75_000 || f.owed(lead) != 0 {
		t.Fatalf("approved lost: %+v", rows)
	}
	f.process(f.change(lead, "Lead won again", "UPDATE leads SET stage = 'won' WHERE id = $1", lead))
	if f.owed(lead) != 75_000 || len(f.rows(lead)) != 3 {
		t.Errorf("won again: owed %d, rows %+v", f.owed(lead), f.rows(lead))
	}
}

func TestRefundLargerThanPaid(t *testing.T) {
	f := newFixture(t)
	lead := f.lead("Refund Co", "proposal", "USD")
	f.process(f.win(lead, 1_000_000))
	f.clock = f.clock.AddDate(0, 0, 31)
	f.approveAll(lead)
	f.exec("UPDATE commissions SET status = 'paid', paid_at = $2 WHERE lead_id = $1", lead, f.clock)
	f.process(f.change(lead, "Refund of $4,000.00", "UPDATE leads SET refunded_minor = 400000 WHERE id = $1", lead))
	if f.owed(lead) != 90_000 {
		t.Fatalf("after a partial refund owed %d, want 90000", f.owed(lead))
	}
	// More refunded than the revenue: the clawback stops at what was earned.
	f.process(f.change(lead, "Refund of $20,000.00", "UPDATE leads SET refunded_minor = 2400000 WHERE id = $1", lead))
	if f.owed(lead) != 0 {
		t.Fatalf("owed %d after refunding everything, want 0", f.owed(lead))
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE lead_id = $1 AND amount_minor < 0", lead); n != 2 {
		t.Errorf("%d clawback rows, want 2", n)
	}
}

func TestMultiCurrency(t *testing.T) {
	f := newFixture(t)
	eur := f.lead("Euro GmbH", "proposal", "EUR")
	jpy := f.lead("Yen KK", "proposal", "JPY")
	f.process(f.win(eur, 1_234_567)) // 12,345.67 € × 15% = 1,851.85 €
	f.process(f.win(jpy, 12_345))    // ¥12,345 × 15% = ¥1,851.75 → ¥1,852
	if r := f.rows(eur)[0]; r.Currency != "EUR" || r.AmountMinor != 185_185 {
		t.Errorf("EUR row %+v", r)
	}
	if r := f.rows(jpy)[0]; r.Currency != "JPY" || r.AmountMinor != 1_852 {
		t.Errorf("JPY row %+v", r)
	}
	sums, err := f.store.SumCommissionsByStatus(f.ctx, queries.SumCommissionsByStatusParams{OrganizationID: f.org, PartnerID: f.partner})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, s := range sums {
		got[s.Currency+"/"+s.Status] += s.AmountMinor
	}
	if got["EUR/pending"] != 185_185 || got["JPY/pending"] != 1_852 {
		t.Errorf("sums %v", got)
	}
}

func TestStageIncentivesOncePerStage(t *testing.T) {
	f := newFixture(t)
	f.exec("INSERT INTO tier_stage_incentives VALUES ($1, $2, 'qualified', 5000, 'USD'), ($1, $2, 'proposal', 15000, 'USD')", f.org, f.tier)
	lead := f.lead("Stage Co", "qualified", "USD")
	f.process(f.change(lead, "Stage Qualified", "SELECT $1::bigint", lead))
	ev := f.change(lead, "Stage Proposal", "UPDATE leads SET stage = 'proposal' WHERE id = $1", lead)
	f.process(ev)
	f.process(ev)
	f.process(f.change(lead, "Stage Qualified", "UPDATE leads SET stage = 'qualified' WHERE id = $1", lead))
	if n := f.int("SELECT count(*) FROM commissions WHERE lead_id = $1 AND kind = 'stage_incentive'", lead); n != 2 {
		t.Errorf("%d stage incentives, want 2", n)
	}
	if f.owed(lead) != 20_000 {
		t.Errorf("owed %d", f.owed(lead))
	}
}

func TestTwoWorkersOneEvent(t *testing.T) {
	f := newFixture(t)
	lead := f.lead("Race Co", "proposal", "USD")
	ev := f.win(lead, 1_800_000)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			errs <- f.store.Tx(f.ctx, func(q *queries.Queries) error {
				_, err := f.eng.Process(f.ctx, q, ev)
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(f.rows(lead)); n != 1 {
		t.Errorf("%d rows from 8 concurrent runs, want 1", n)
	}
}

func TestManualAdjustmentAndVoid(t *testing.T) {
	f := newFixture(t)
	var id int64
	err := f.store.Tx(f.ctx, func(q *queries.Queries) (err error) {
		id, err = f.eng.Adjust(f.ctx, q, f.org, f.partner, nil, -12_345, "USD", "Duplicate payment in March", "form-1")
		return err
	})
	if err != nil || id == 0 {
		t.Fatalf("adjust: %d %v", id, err)
	}
	_ = f.store.Tx(f.ctx, func(q *queries.Queries) error {
		again, err := f.eng.Adjust(f.ctx, q, f.org, f.partner, nil, -12_345, "USD", "Duplicate payment in March", "form-1")
		if err != nil || again != 0 {
			t.Errorf("the same form twice: %d %v", again, err)
		}
		return nil
	})
	if err := f.eng.Void(f.ctx, f.store.Queries, f.org, id, "Entered by mistake"); err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Void(f.ctx, f.store.Queries, f.org, id, "Again"); err != commission.ErrNotVoidable {
		t.Errorf("second void: %v", err)
	}
	// Another organization cannot void it.
	var other int64
	f.scan("SELECT id FROM organizations WHERE slug <> 'acme' LIMIT 1", &other)
	if err := f.eng.Void(f.ctx, f.store.Queries, other, id, "x"); err != commission.ErrNotVoidable {
		t.Errorf("void from another organization: %v", err)
	}
}

func TestSpiffCampaigns(t *testing.T) {
	f := newFixture(t)
	var won, manual, otherTier int64
	f.scan(`INSERT INTO spiff_campaigns (organization_id, name, amount_minor, currency, starts_at, ends_at, rule, stage, cap_per_partner, status)
		VALUES (`+fmt.Sprint(f.org)+`, 'Q1 push', 25000, 'USD', '2026-01-01', '2026-04-01', 'stage', 'won', 2, 'active') RETURNING id`, &won)
	f.scan(`INSERT INTO spiff_campaigns (organization_id, name, amount_minor, currency, starts_at, ends_at, rule, status)
		VALUES (`+fmt.Sprint(f.org)+`, 'Case study', 10000, 'USD', '2026-01-01', '2026-04-01', 'manual', 'active') RETURNING id`, &manual)
	f.scan(`INSERT INTO spiff_campaigns (organization_id, name, amount_minor, currency, starts_at, ends_at, tier_ids, rule, status)
		VALUES (`+fmt.Sprint(f.org)+`, 'Not for Premium', 99900, 'USD', '2026-01-01', '2026-04-01', '{999999}', 'stage', 'active') RETURNING id`, &otherTier)
	for i := range 3 {
		lead := f.lead(fmt.Sprintf("Spiff %d", i), "proposal", "USD")
		ev := f.win(lead, 100_000)
		f.process(ev)
		f.process(ev)
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'spiff' AND partner_id = $1", f.partner); n != 2 {
		t.Errorf("%d SPIFF awards for 3 won leads under a cap of 2", n)
	}
	// Outside the window: nothing.
	f.clock = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	f.exec("UPDATE spiff_campaigns SET cap_per_partner = 0 WHERE id = $1", won)
	lead := f.lead("Late", "proposal", "USD")
	f.process(f.win(lead, 100_000))
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'spiff' AND lead_id = $1", lead); n != 0 {
		t.Errorf("award after the campaign ended")
	}
	f.clock = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	award := func(key string) (int64, error) {
		var id int64
		err := f.store.Tx(f.ctx, func(q *queries.Queries) (err error) {
			id, err = f.eng.AwardSpiff(f.ctx, q, f.org, manual, f.partner, "Great case study", key)
			return err
		})
		return id, err
	}
	if id, err := award("k1"); err != nil || id == 0 {
		t.Fatalf("manual award: %d %v", id, err)
	}
	if id, err := award("k1"); err != nil || id != 0 {
		t.Errorf("the same award twice: %d %v", id, err)
	}
	var err error
	err = f.store.Tx(f.ctx, func(q *queries.Queries) error {
		_, err := f.eng.AwardSpiff(f.ctx, q, f.org, won, f.partner, "", "k2")
		return err
	})
	if err != commission.ErrSpiffNotOpen {
		t.Errorf("manual award of a stage campaign: %v", err)
	}
}

// batchScenario writes, on a fresh fixture, leads and their outbox events
// of several kinds (won, revenue edited, lost, a stage reached, another
// partner, another organization, a capped SPIFF and stage incentives) and
// returns the events, unprocessed, in outbox order.
func batchScenario(f *fixture) []commission.Event {
	f.exec("INSERT INTO tier_stage_incentives VALUES ($1, $2, 'qualified', 5000, 'USD'), ($1, $2, 'proposal', 15000, 'USD')", f.org, f.tier)
	f.exec(`INSERT INTO spiff_campaigns (organization_id, name, amount_minor, currency, starts_at, ends_at, rule, stage, cap_per_partner, status)
		VALUES ($1, 'Q1 push', 25000, 'USD', '2026-01-01', '2026-04-01', 'stage', 'won', 2, 'active')`, f.org)
	var events []commission.Event
	var leads []int64
	for i := range 4 {
		l := f.lead(fmt.Sprintf("Batch %d", i), "proposal", "USD")
		leads = append(leads, l)
		events = append(events, f.win(l, int64(1_000_000+i*1_234)))
	}
	events = append(events, f.change(leads[0], "Revenue edited", "UPDATE leads SET revenue_minor = 2000001 WHERE id = $1", leads[0]))
	events = append(events, f.change(leads[1], "Lead lost", "UPDATE leads SET stage = 'lost' WHERE id = $1", leads[1]))
	q := f.lead("Batch qualified", "qualified", "EUR")
	events = append(events, f.change(q, "Stage Qualified", "SELECT $1::bigint", q))
	events = append(events, f.change(leads[3], "Refund", "UPDATE leads SET refunded_minor = 5000 WHERE id = $1", leads[3]))
	// Another partner of the organization, and a partner of another organization.
	var otherPartner, otherOrg, otherOrgPartner int64
	f.scan("SELECT id FROM partners WHERE organization_id = "+fmt.Sprint(f.org)+" AND id <> "+fmt.Sprint(f.partner)+" AND tier_id IS NOT NULL ORDER BY id LIMIT 1", &otherPartner)
	f.scan("SELECT p.organization_id, p.id FROM partners p JOIN organizations o ON o.id = p.organization_id WHERE o.slug <> 'acme' AND p.tier_id IS NOT NULL ORDER BY p.id LIMIT 1", &otherOrg, &otherOrgPartner)
	for _, who := range [][2]int64{{f.org, otherPartner}, {otherOrg, otherOrgPartner}} {
		l := f.int(`INSERT INTO leads (organization_id, partner_id, company, status, stage, currency) VALUES ($1, $2, 'Batch other', 'approved', 'proposal', 'USD') RETURNING id`, who[0], who[1])
		var id int64
		err := f.store.Tx(f.ctx, func(qq *queries.Queries) error {
			if _, err := qq.MarkLeadWon(f.ctx, queries.MarkLeadWonParams{Now: f.clock, OrganizationID: who[0], ID: l, RevenueMinor: 333_333}); err != nil {
				return err
			}
			var err error
			id, err = qq.CreateLeadWonEvent(f.ctx, queries.CreateLeadWonEventParams{OrganizationID: who[0], LeadID: l})
			return err
		})
		if err != nil {
			f.t.Fatal(err)
		}
		events = append(events, f.event(id))
	}
	return events
}

// commissionDump is every commission row as text, without ids and times.
func (f *fixture) commissionDump() []string {
	f.t.Helper()
	rows, err := f.store.Pool.Query(f.ctx, `SELECT format('%s %s %s %s %s %s %s %s %s %s %s', organization_id, partner_id, lead_id, kind,
		amount_minor, currency, basis_minor, rate_bps, tier_name, status, earning_key) FROM commissions ORDER BY organization_id, earning_key`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestBatchEqualsOneByOne: the events of batchScenario processed one by one
// (one transaction each) and as one batch (one transaction) write the same
// rows; the batch again, and each event again, write nothing more.
func TestBatchEqualsOneByOne(t *testing.T) {
	one := newFixture(t)
	for _, ev := range batchScenario(one) {
		one.process(ev)
	}
	want := one.commissionDump()

	f := newFixture(t)
	events := batchScenario(f)
	batch := func() commission.Result {
		var res commission.Result
		if err := f.store.Tx(f.ctx, func(q *queries.Queries) (err error) {
			res, err = f.eng.ProcessBatch(f.ctx, q, events)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := batch()
	got := f.commissionDump()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("batch wrote\n%v\none by one wrote\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := f.int("SELECT count(*) FROM commissions c JOIN leads l ON l.id = c.lead_id WHERE l.company LIKE 'Batch%'"); len(res.Created) == 0 || int64(len(res.Created)) != n {
		t.Errorf("created %d, rows %d", len(res.Created), n)
	}
	// One notification per partner admin and partner for the whole batch.
	if n := f.int("SELECT count(DISTINCT user_id) - count(*) FROM notifications WHERE link = '/payments'"); n != 0 {
		t.Errorf("%d more notifications than admins notified", -n)
	}
	if n := f.int("SELECT count(*) FROM notifications WHERE link = '/payments' AND body LIKE 'New commissions for 4 of your leads: Batch%'"); n == 0 {
		t.Error("no digest notification for Northwind's leads")
	}
	if again := batch(); len(again.Created)+again.Recalculated+again.Voided != 0 {
		t.Errorf("the batch replayed changed %+v", again)
	}
	for _, ev := range events {
		if r := f.process(ev); len(r.Created)+r.Recalculated+r.Voided != 0 {
			t.Errorf("event %d replayed alone changed %+v", ev.OutboxID, r)
		}
	}
	if fmt.Sprint(f.commissionDump()) != fmt.Sprint(want) {
		t.Error("replays changed the rows")
	}
}

// TestTwoBatchesSharingLeads: batches of different shapes over the same
// events, run at once, write each commission once and do not deadlock.
func TestTwoBatchesSharingLeads(t *testing.T) {
	f := newFixture(t)
	var events []commission.Event
	for i := range 60 {
		l := f.lead(fmt.Sprintf("Shared %d", i), "proposal", "USD")
		events = append(events, f.win(l, 1_800_000))
	}
	rev := slices.Clone(events)
	slices.Reverse(rev)
	shapes := [][]commission.Event{events, rev, events[:30], events[20:], events[10:50]}
	var wg sync.WaitGroup
	for _, batch := range shapes {
		wg.Go(func() {
			if err := f.store.Tx(f.ctx, func(q *queries.Queries) error {
				_, err := f.eng.ProcessBatch(f.ctx, q, batch)
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.int("SELECT count(*) FROM commissions WHERE lead_id IN (SELECT id FROM leads WHERE company LIKE 'Shared %')"); n != 60 {
		t.Errorf("%d commissions for 60 leads", n)
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE amount_minor <> 270000 AND lead_id IN (SELECT id FROM leads WHERE company LIKE 'Shared %')"); n != 0 {
		t.Errorf("%d wrong amounts", n)
	}
}

// TestTotalsAndCompanyFollowTheRows: after inserts in a batch, a
// recalculation, approvals, a void, a manual adjustment and a renamed lead,
// commission_totals equals the rows' sums per partner, currency and status,
// and every row of a lead carries the lead's company (both kept by
// triggers, schema.sql).
func TestTotalsAndCompanyFollowTheRows(t *testing.T) {
	f := newFixture(t)
	events := batchScenario(f)
	if err := f.store.Tx(f.ctx, func(q *queries.Queries) error {
		_, err := f.eng.ProcessBatch(f.ctx, q, events)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	lead := events[0].LeadID
	f.clock = f.clock.AddDate(0, 2, 0)
	if n := f.approveAll(lead); n == 0 {
		t.Fatal("nothing approved")
	}
	f.process(f.change(lead, "Revenue edited", "UPDATE leads SET revenue_minor = 10 WHERE id = $1", lead))
	var adj int64
	if err := f.store.Tx(f.ctx, func(q *queries.Queries) (err error) {
		adj, err = f.eng.Adjust(f.ctx, q, f.org, f.partner, &lead, 777, "USD", "Goodwill", "form-t")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Void(f.ctx, f.store.Queries, f.org, adj, "Entered by mistake"); err != nil {
		t.Fatal(err)
	}
	f.exec("UPDATE leads SET company = 'Renamed Logistics' WHERE id = $1", lead)
	if n := f.int(`SELECT count(*) FROM (
		SELECT organization_id, partner_id, currency, status, sum(amount_minor), count(*) FROM commissions GROUP BY 1, 2, 3, 4
		EXCEPT SELECT organization_id, partner_id, currency, status, amount_minor, n FROM commission_totals WHERE n <> 0
		UNION ALL
		(SELECT organization_id, partner_id, currency, status, amount_minor, n FROM commission_totals WHERE n <> 0
		 EXCEPT SELECT organization_id, partner_id, currency, status, sum(amount_minor), count(*) FROM commissions GROUP BY 1, 2, 3, 4)) d`); n != 0 {
		t.Errorf("%d (partner, currency, status) totals differ from the rows", n)
	}
	if n := f.int("SELECT count(*) FROM commission_totals WHERE n = 0 AND amount_minor <> 0"); n != 0 {
		t.Errorf("%d empty totals with an amount", n)
	}
	if n := f.int(`SELECT count(*) FROM commissions c JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
		WHERE c.lead_company <> l.company`); n != 0 {
		t.Errorf("%d rows with another company than their lead's", n)
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE lead_id = $1 AND lead_company = 'Renamed Logistics'", lead); n < 3 {
		t.Errorf("%d rows of the renamed lead carry its new name", n)
	}
}
