package app_test

// The day rows behind the Dashboard and the lead list's counts
// (lead_daily_counts, lead_daily_wins) are kept by statement triggers on
// leads. These tests change leads in every way the portal (or a person with
// psql) can and compare the rows with the same figures aggregated from
// scratch (apptest.DailyDiff holds that reference query).

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"partnerportal/app"

	"partnerportal/app/apptest"
	"partnerportal/queries"
)

// dailyFixture is an organization in New York (UTC-5/-4) with two partners.
type dailyFixture struct {
	store       *queries.Store
	org, p1, p2 int64
	exec        func(sql string, args ...any)
	check       func(when string)
}

func newDailyFixture(t *testing.T) *dailyFixture {
	t.Helper()
	ctx := context.Background()
	store := apptest.NewStore(t)
	f := &dailyFixture{store: store}
	f.exec = func(sql string, args ...any) {
		t.Helper()
		if _, err := store.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	f.check = func(when string) {
		t.Helper()
		apptest.CheckDaily(t, store, f.org, when)
	}
	if err := store.Pool.QueryRow(ctx, `INSERT INTO organizations (name, slug, time_zone, currency)
		VALUES ('Daily Corp', 'daily-corp', 'America/New_York', 'USD') RETURNING id`).Scan(&f.org); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*int64{&f.p1, &f.p2} {
		if err := store.Pool.QueryRow(ctx, `INSERT INTO partners (organization_id, name) VALUES ($1, 'P' || gen_random_uuid()) RETURNING id`,
			f.org).Scan(p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestLeadDailyFollowsEveryChange(t *testing.T) {
	ctx := context.Background()
	f := newDailyFixture(t)
	lead := func(partner int64, source, created string) int64 {
		t.Helper()
		var id int64
		if err := f.store.Pool.QueryRow(ctx, `INSERT INTO leads (organization_id, partner_id, source, company, currency, created_at)
			VALUES ($1, $2, $3, 'Acme', 'USD', $4) RETURNING id`, f.org, partner, source, created).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Inserts, one at a time: own and referred leads, on both sides of New
	// York's midnight (04:30 UTC on Mar 10 is 00:30 local, 03:30 is 23:30
	// on Mar 9).
	a := lead(f.p1, "partner", "2026-03-10T04:30:00Z")
	b := lead(f.p1, "partner", "2026-03-10T03:30:00Z")
	c := lead(f.p1, "referral", "2026-03-10T12:00:00Z")
	d := lead(f.p2, "referral_link", "2026-02-01T12:00:00Z")
	f.check("after single inserts")
	// One statement inserting many rows (as COPY or a bulk import would).
	f.exec(`INSERT INTO leads (email, organization_id, partner_id, source, status, company, currency, created_at)
		SELECT 'b' || i || '@example.test', $1, CASE WHEN i % 3 = 0 THEN $3::bigint ELSE $2::bigint END, (ARRAY['partner', 'referral', 'referral_link'])[1 + i % 3],
		       (ARRAY['in_review', 'approved', 'rejected'])[1 + i % 3], 'Bulk ' || i, 'USD',
		       timestamptz '2026-01-01 00:00Z' + i * interval '7 hours'
		FROM generate_series(1, 200) i`, f.org, f.p1, f.p2)
	f.check("after a multi-row insert")

	// Status changes.
	f.exec(`UPDATE leads SET status = 'approved' WHERE id = $1`, a)
	f.exec(`UPDATE leads SET status = 'rejected' WHERE id = $1`, b)
	f.check("after status changes")
	// Won, with revenue, in two currencies (won_at near midnight in New York).
	f.exec(`UPDATE leads SET stage = 'won', won_at = '2026-03-12T04:59:00Z', revenue_minor = 150000 WHERE id = $1`, a)
	f.exec(`UPDATE leads SET status = 'approved', stage = 'won', won_at = '2026-03-12T05:01:00Z', currency = 'EUR', revenue_minor = 99000 WHERE id = $1`, b)
	f.exec(`UPDATE leads SET status = 'approved', stage = 'won', won_at = '2026-03-12T05:01:00Z', revenue_minor = 5000 WHERE id = $1`, c)
	f.exec(`UPDATE leads SET status = 'approved', stage = 'won', won_at = '2026-02-03T12:00:00Z', revenue_minor = 7000 WHERE id = $1`, d)
	f.check("after wins")
	// A win's revenue, currency and day edited.
	f.exec(`UPDATE leads SET revenue_minor = 175000 WHERE id = $1`, a)
	f.check("after a revenue edit")
	f.exec(`UPDATE leads SET currency = 'GBP' WHERE id = $1`, b)
	f.check("after a currency edit")
	f.exec(`UPDATE leads SET won_at = won_at + interval '1 day', revenue_minor = 1 WHERE id = $1`, a)
	f.check("after moving won_at")
	// Lost: once won (won_at kept: a lost lead never counts as won), once never won.
	f.exec(`UPDATE leads SET stage = 'lost' WHERE id = $1`, b)
	f.exec(`UPDATE leads SET status = 'approved', stage = 'lost' WHERE id = (SELECT min(id) FROM leads WHERE organization_id = $1 AND status = 'in_review')`, f.org)
	f.check("after losses")
	// created_at moved across the local midnight, both ways, and by a month.
	f.exec(`UPDATE leads SET created_at = '2026-03-10T03:59:00Z' WHERE id = $1`, a)
	f.exec(`UPDATE leads SET created_at = '2026-03-10T04:01:00Z' WHERE id = $1`, b)
	f.exec(`UPDATE leads SET created_at = created_at - interval '31 days' WHERE id = $1`, c)
	f.check("after moving created_at")
	// Source (own ↔ referred) and partner changes.
	f.exec(`UPDATE leads SET source = 'referral' WHERE id = $1`, a)
	f.exec(`UPDATE leads SET source = 'partner', partner_id = $2 WHERE id = $1`, c, f.p2)
	f.check("after source and partner changes")
	// An update that touches no counted column writes no day row.
	var before int64
	if err := f.store.Pool.QueryRow(ctx, `SELECT count(*) FROM lead_daily_counts WHERE organization_id = $1`, f.org).Scan(&before); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE leads SET notes = 'hello', updated_at = updated_at + interval '1 second' WHERE organization_id = $1`, f.org)
	f.check("after a notes-only update")
	var after int64
	if err := f.store.Pool.QueryRow(ctx, `SELECT count(*) FROM lead_daily_counts WHERE organization_id = $1`, f.org).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("a notes-only update changed the number of day rows: %d → %d", before, after)
	}
	// Bulk changes: one statement over many rows, several moving to the same
	// day rows and some cancelling out.
	f.exec(`UPDATE leads SET status = CASE status WHEN 'in_review' THEN 'approved' WHEN 'approved' THEN 'rejected' ELSE 'in_review' END
		WHERE organization_id = $1`, f.org)
	f.exec(`UPDATE leads SET stage = 'won', won_at = created_at + interval '3 days', revenue_minor = 100 + id % 7,
		currency = CASE WHEN id % 2 = 0 THEN 'USD' ELSE 'EUR' END
		WHERE organization_id = $1 AND company LIKE 'Bulk %' AND id % 5 = 0`, f.org)
	f.check("after bulk updates")
	// Deletes: one lead, then many.
	f.exec(`DELETE FROM leads WHERE id = $1`, d)
	f.check("after a delete")
	f.exec(`DELETE FROM leads WHERE organization_id = $1 AND company LIKE 'Bulk %' AND id % 4 = 0`, f.org)
	f.check("after a bulk delete")
	// A rolled-back change leaves the rows as they were.
	tx, err := f.store.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE leads SET status = 'rejected' WHERE organization_id = $1`, f.org); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	f.check("after a rollback")
	// Deleting a partner takes its leads and its day rows.
	f.exec(`DELETE FROM partners WHERE id = $1`, f.p2)
	f.check("after deleting a partner")
	var orphans int64
	if err := f.store.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM lead_daily_counts WHERE partner_id = $1)
		+ (SELECT count(*) FROM lead_daily_wins WHERE partner_id = $1)`, f.p2).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d day rows of a deleted partner", orphans)
	}
	// The check is not vacuous: the reference sees a lead the rows miss.
	conn, err := f.store.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO leads (organization_id, partner_id, company, currency) VALUES ($1, $2, 'Hidden', 'USD')`, f.org, f.p1); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `RESET session_replication_role`); err != nil {
		t.Fatal(err)
	}
	if diff := apptest.DailyDiff(t, f.store, f.org); len(diff) == 0 {
		t.Error("a lead inserted with the triggers off went unnoticed by the reference comparison")
	}
	f.exec(`SELECT lead_daily_rebuild($1)`, f.org)
	f.check("after lead_daily_rebuild")
}

// lead_daily_rebuild gives the rows the triggers keep, and follows a change
// of the organization's time zone.
func TestLeadDailyRebuild(t *testing.T) {
	ctx := context.Background()
	f := newDailyFixture(t)
	f.exec(`INSERT INTO leads (email, organization_id, partner_id, source, status, stage, company, currency, revenue_minor, created_at, won_at)
		SELECT 'r' || i || '@example.test', $1, CASE WHEN i % 2 = 0 THEN $3::bigint ELSE $2::bigint END, (ARRAY['partner', 'referral', 'referral_link'])[1 + i % 3],
		       (ARRAY['in_review', 'approved', 'rejected'])[1 + i % 3],
		       CASE WHEN i % 4 = 1 THEN 'won' WHEN i % 4 = 2 THEN 'lost' ELSE 'new' END, 'Lead ' || i,
		       (ARRAY['USD', 'EUR'])[1 + i % 2], CASE WHEN i % 4 = 1 THEN i * 100 ELSE 0 END,
		       timestamptz '2025-12-30 00:00Z' + i * interval '97 minutes',
		       CASE WHEN i % 4 = 1 THEN timestamptz '2026-01-01 00:00Z' + i * interval '131 minutes' END
		FROM generate_series(1, 500) i`, f.org, f.p1, f.p2)
	f.exec(`UPDATE leads SET status = 'approved' WHERE organization_id = $1 AND id % 3 = 0`, f.org)
	f.check("kept by the triggers")
	snapshot := func() string {
		t.Helper()
		var s string
		if err := f.store.Pool.QueryRow(ctx, `SELECT
			coalesce((SELECT string_agg(concat_ws(',', partner_id, own, day, status, leads), ';' ORDER BY partner_id, own, day, status)
			          FROM lead_daily_counts WHERE organization_id = $1 AND leads <> 0), '') || '|' ||
			coalesce((SELECT string_agg(concat_ws(',', partner_id, own, day, currency, won, revenue_minor), ';' ORDER BY partner_id, own, day, currency)
			          FROM lead_daily_wins WHERE organization_id = $1 AND (won <> 0 OR revenue_minor <> 0)), '') || '|' ||
			coalesce((SELECT string_agg(concat_ws(',', partner_id, own, month, status, leads), ';' ORDER BY partner_id, own, month, status)
			          FROM lead_monthly_counts WHERE organization_id = $1 AND leads <> 0), '') || '|' ||
			coalesce((SELECT string_agg(concat_ws(',', partner_id, own, month, currency, won, revenue_minor), ';' ORDER BY partner_id, own, month, currency)
			          FROM lead_monthly_wins WHERE organization_id = $1 AND (won <> 0 OR revenue_minor <> 0)), '')`, f.org).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	kept := snapshot()
	if len(kept) < 100 {
		t.Fatalf("too few day rows to compare: %q", kept)
	}
	f.exec(`SELECT lead_daily_rebuild($1)`, f.org)
	if rebuilt := snapshot(); rebuilt != kept {
		t.Errorf("lead_daily_rebuild changed the rows:\nkept    %s\nrebuilt %s", kept, rebuilt)
	}
	// Twice is the same as once.
	f.exec(`SELECT lead_daily_rebuild($1)`, f.org)
	if again := snapshot(); again != kept {
		t.Error("a second lead_daily_rebuild changed the rows")
	}
	// A new time zone moves leads to other days: stale until rebuilt.
	f.exec(`UPDATE organizations SET time_zone = 'Asia/Tokyo' WHERE id = $1`, f.org)
	if diff := apptest.DailyDiff(t, f.store, f.org); len(diff) == 0 {
		t.Fatal("the time zone change moved no lead to another day: the test proves nothing")
	}
	f.exec(`SELECT lead_daily_rebuild($1)`, f.org)
	f.check("rebuilt after the time zone change")
	// Other organizations' rows are left alone.
	var others int64
	if err := f.store.Pool.QueryRow(ctx, `SELECT count(*) FROM lead_daily_counts WHERE organization_id <> $1`, f.org).Scan(&others); err != nil {
		t.Fatal(err)
	}
	if others == 0 {
		t.Log("no other organization has leads in the test database")
	}
}

// The Dashboard's month charts read whole months from the month rows and
// the partial first and last months from the day rows. For periods of every
// shape (inside one month, starting or ending mid-month, whole months, a
// year, lifetime) their rows equal those of the day-row queries with month
// buckets, which read every day.
func TestMonthChartRowsEqualDayRows(t *testing.T) {
	ctx := context.Background()
	f := newDailyFixture(t)
	f.exec(`INSERT INTO leads (email, organization_id, partner_id, source, status, stage, company, currency, revenue_minor, created_at, won_at)
		SELECT 'm' || i || '@example.test', $1, CASE WHEN i % 5 = 0 THEN $3::bigint ELSE $2::bigint END, (ARRAY['partner', 'referral', 'referral_link'])[1 + i % 3],
		       (ARRAY['in_review', 'approved', 'rejected'])[1 + i % 3],
		       CASE WHEN i % 4 = 1 THEN 'won' ELSE 'new' END, 'Lead ' || i,
		       (ARRAY['USD', 'EUR'])[1 + i % 2], CASE WHEN i % 4 = 1 THEN i * 100 ELSE 0 END,
		       timestamptz '2025-01-01 00:00Z' + i * interval '17 hours',
		       CASE WHEN i % 4 = 1 THEN timestamptz '2025-01-03 00:00Z' + i * interval '19 hours' END
		FROM generate_series(1, 900) i`, f.org, f.p1, f.p2)
	f.check("before the comparison")
	date := func(s string) pgtype.Date {
		tm, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return pgtype.Date{Time: tm, Valid: true}
	}
	periods := [][2]string{ // [from, to)
		{"2025-01-01", "2026-01-01"}, {"2025-01-01", "2027-01-01"}, {"1970-01-01", "2100-01-01"},
		{"2025-03-10", "2025-03-20"}, {"2025-03-01", "2025-04-01"}, {"2025-03-10", "2025-04-01"},
		{"2025-03-01", "2025-04-17"}, {"2025-02-14", "2026-02-14"}, {"2025-02-28", "2025-03-02"},
		{"2025-12-31", "2026-01-01"}, {"2025-06-30", "2025-09-01"}, {"2025-05-02", "2025-05-02"},
	}
	for i := 0; i < 40; i++ { // and pseudo-random ones, the same every run
		a := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*37)%500)
		periods = append(periods, [2]string{a.Format("2006-01-02"), a.AddDate(0, 0, 1+(i*53)%420).Format("2006-01-02")})
	}
	sorted := func(rows any) string { return fmt.Sprint(rows) }
	for _, p := range periods {
		from, to := date(p[0]), date(p[1])
		firstMonth := int32(from.Time.Year()*12 + int(from.Time.Month()))
		for _, partner := range []int64{f.p1, f.p2} {
			wantCreated, err := f.store.ChartCreatedLeadsForPartner(ctx, queries.ChartCreatedLeadsForPartnerParams{
				OrganizationID: f.org, PartnerID: partner, DayFrom: from, DayTo: to, Unit: "month", FirstBucket: from, FirstMonth: firstMonth})
			if err != nil {
				t.Fatal(err)
			}
			wantWon, err := f.store.ChartWonLeadsForPartner(ctx, queries.ChartWonLeadsForPartnerParams{
				OrganizationID: f.org, PartnerID: partner, DayFrom: from, DayTo: to, Unit: "month", FirstBucket: from, FirstMonth: firstMonth})
			if err != nil {
				t.Fatal(err)
			}
			gotCreated, gotWon, err := app.MonthChartRows(ctx, f.store.Queries, f.org, partner, from, to, firstMonth)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(wantCreated, func(a, b queries.ChartCreatedLeadsForPartnerRow) int {
				return cmp.Or(cmp.Compare(a.Bucket, b.Bucket), cmp.Compare(a.Status, b.Status))
			})
			slices.SortFunc(gotCreated, func(a, b queries.ChartCreatedLeadsForPartnerRow) int {
				return cmp.Or(cmp.Compare(a.Bucket, b.Bucket), cmp.Compare(a.Status, b.Status))
			})
			slices.SortFunc(wantWon, func(a, b queries.ChartWonLeadsForPartnerRow) int {
				return cmp.Or(cmp.Compare(a.Bucket, b.Bucket), cmp.Compare(a.Currency, b.Currency))
			})
			slices.SortFunc(gotWon, func(a, b queries.ChartWonLeadsForPartnerRow) int {
				return cmp.Or(cmp.Compare(a.Bucket, b.Bucket), cmp.Compare(a.Currency, b.Currency))
			})
			if sorted(gotCreated) != sorted(wantCreated) || sorted(gotWon) != sorted(wantWon) {
				t.Errorf("[%s, %s) partner %d:\ncreated month rows %v\n        day rows   %v\nwon     month rows %v\n        day rows   %v",
					p[0], p[1], partner, gotCreated, wantCreated, gotWon, wantWon)
			}
			if p == [2]string{"2025-01-01", "2026-01-01"} && partner == f.p1 && len(wantCreated) < 24 {
				t.Fatalf("a year holds only %d rows: the comparison proves little", len(wantCreated))
			}
		}
	}
}
