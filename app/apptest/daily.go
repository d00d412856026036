package apptest

import (
	"context"
	"testing"

	"partnerportal/queries"
)

// dailyDiffSQL compares the day rows the triggers on leads keep
// (lead_daily_counts, lead_daily_wins, their month rows lead_monthly_counts
// and lead_monthly_wins, and the totals lead_status_totals) with the same figures aggregated from
// scratch from leads, for one organization: every row that differs, in
// either direction. Rows that fell to zero count as absent.
const dailyDiffSQL = `
WITH ref_counts AS (
    SELECT l.partner_id, l.source IN ('partner', 'referral_link') AS own,
           (l.created_at AT TIME ZONE o.time_zone)::date AS day, l.status, count(*)::bigint AS leads
    FROM leads l JOIN organizations o ON o.id = l.organization_id
    WHERE l.organization_id = $1
    GROUP BY 1, 2, 3, 4
), got_counts AS (
    SELECT partner_id, own, day, status, leads FROM lead_daily_counts WHERE organization_id = $1 AND leads <> 0
), ref_wins AS (
    SELECT l.partner_id, l.source IN ('partner', 'referral_link') AS own,
           (l.won_at AT TIME ZONE o.time_zone)::date AS day, l.currency::text AS currency,
           count(*)::bigint AS won, sum(l.revenue_minor)::bigint AS revenue_minor
    FROM leads l JOIN organizations o ON o.id = l.organization_id
    WHERE l.organization_id = $1 AND l.stage = 'won' AND l.won_at IS NOT NULL
    GROUP BY 1, 2, 3, 4
), got_wins AS (
    SELECT partner_id, own, day, currency::text AS currency, won, revenue_minor FROM lead_daily_wins
    WHERE organization_id = $1 AND (won <> 0 OR revenue_minor <> 0)
), ref_month_counts AS (
    SELECT partner_id, own, date_trunc('month', day::timestamp)::date AS month, status, sum(leads)::bigint AS leads
    FROM ref_counts GROUP BY 1, 2, 3, 4
), got_month_counts AS (
    SELECT partner_id, own, month, status, leads FROM lead_monthly_counts WHERE organization_id = $1 AND leads <> 0
), ref_month_wins AS (
    SELECT partner_id, own, date_trunc('month', day::timestamp)::date AS month, currency,
           sum(won)::bigint AS won, sum(revenue_minor)::bigint AS revenue_minor
    FROM ref_wins GROUP BY 1, 2, 3, 4
), got_month_wins AS (
    SELECT partner_id, own, month, currency::text AS currency, won, revenue_minor FROM lead_monthly_wins
    WHERE organization_id = $1 AND (won <> 0 OR revenue_minor <> 0)
), ref_totals AS (
    SELECT status, count(*)::bigint AS leads FROM leads WHERE organization_id = $1 GROUP BY 1
), got_totals AS (
    SELECT status, leads FROM lead_status_totals WHERE organization_id = $1 AND leads <> 0
)
SELECT 'counts: ' || concat_ws(' ', 'reference', r::text, 'table', g::text)
FROM ref_counts r FULL JOIN got_counts g USING (partner_id, own, day, status)
WHERE r.leads IS DISTINCT FROM g.leads
UNION ALL
SELECT 'wins: ' || concat_ws(' ', 'reference', r::text, 'table', g::text)
FROM ref_wins r FULL JOIN got_wins g USING (partner_id, own, day, currency)
WHERE (r.won, r.revenue_minor) IS DISTINCT FROM (g.won, g.revenue_minor)
UNION ALL
SELECT 'month counts: ' || concat_ws(' ', 'reference', r::text, 'table', g::text)
FROM ref_month_counts r FULL JOIN got_month_counts g USING (partner_id, own, month, status)
WHERE r.leads IS DISTINCT FROM g.leads
UNION ALL
SELECT 'month wins: ' || concat_ws(' ', 'reference', r::text, 'table', g::text)
FROM ref_month_wins r FULL JOIN got_month_wins g USING (partner_id, own, month, currency)
WHERE (r.won, r.revenue_minor) IS DISTINCT FROM (g.won, g.revenue_minor)
UNION ALL
SELECT 'totals: ' || concat_ws(' ', 'reference', r::text, 'table', g::text)
FROM ref_totals r FULL JOIN got_totals g USING (status)
WHERE r.leads IS DISTINCT FROM g.leads
LIMIT 20`

// DailyDiff lists how an organization's day rows differ from an aggregation
// of its leads from scratch (empty: they agree).
func DailyDiff(t testing.TB, store *queries.Store, orgID int64) []string {
	t.Helper()
	rows, err := store.Pool.Query(context.Background(), dailyDiffSQL, orgID)
	if err != nil {
		t.Fatalf("daily diff: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("daily diff: %v", err)
	}
	return out
}

// CheckDaily fails the test when an organization's day rows differ from its
// leads.
func CheckDaily(t testing.TB, store *queries.Store, orgID int64, when string) {
	t.Helper()
	if diff := DailyDiff(t, store, orgID); len(diff) > 0 {
		t.Errorf("%s: lead_daily_* differ from the leads:\n%v", when, diff)
	}
}
