-- Figures for the partner's Dashboard Overview and the Leads page metrics.
-- "Your leads" are the ones the partner brought (source partner or
-- referral_link); leads the organization referred to them have their own tab.
-- Periods are [@period_from, @period_to) (lifetime passes a wide range).
-- Amounts are summed per currency: different currencies are never added.
-- Lead figures come from the day rows the triggers on leads keep
-- (lead_daily_counts, lead_daily_wins in schema.sql): a few hundred rows per
-- partner and year instead of one index entry per lead.

-- name: ChartCreatedLeadsForPartner :many
-- Leads created per bucket and status, from the day rows (lead_daily_counts,
-- kept by triggers): buckets are days, weeks (from Monday) or months
-- (@unit) of the organization's time zone, numbered from 1 for the one that
-- starts on @first_bucket (the caller's first bucket; @first_month is its
-- year * 12 + month). Computed, not looked
-- up: the lifetime chart used to send its 683 monthly bounds as a date array
-- to both chart queries, and encoding them was 7 % of the web process's CPU
-- on /dashboard (docs/BENCHMARKS.md, issue 10). The
-- period is the days [@day_from, @day_to). Empty buckets are absent. The
-- Leads figure is the sum of these rows, and so are the lead list's status
-- counts for the period when nothing is searched.
SELECT CASE @unit::text
         WHEN 'month' THEN (extract(year FROM day)::integer * 12 + extract(month FROM day)::integer)
                           - sqlc.arg(first_month)::integer + 1
         WHEN 'week' THEN (day - sqlc.arg(first_bucket)::date) / 7 + 1
         ELSE day - sqlc.arg(first_bucket)::date + 1
       END::integer AS bucket,
       status,
       sum(leads)::bigint AS leads
FROM lead_daily_counts
WHERE organization_id = @organization_id AND partner_id = @partner_id AND own
  AND day >= @day_from::date AND day < @day_to::date
GROUP BY 1, 2
HAVING sum(leads) <> 0;

-- name: ChartWonLeadsForPartner :many
-- Leads won per bucket (by the day they were won) and their revenue per
-- currency, from lead_daily_wins. Leads Won and Revenue are the sums of
-- these rows.
SELECT CASE @unit::text
         WHEN 'month' THEN (extract(year FROM day)::integer * 12 + extract(month FROM day)::integer)
                           - sqlc.arg(first_month)::integer + 1
         WHEN 'week' THEN (day - sqlc.arg(first_bucket)::date) / 7 + 1
         ELSE day - sqlc.arg(first_bucket)::date + 1
       END::integer AS bucket,
       currency::text AS currency,
       sum(won)::bigint AS won,
       sum(revenue_minor)::bigint AS revenue_minor
FROM lead_daily_wins
WHERE organization_id = @organization_id AND partner_id = @partner_id AND own
  AND day >= @day_from::date AND day < @day_to::date
GROUP BY 1, 2
HAVING sum(won) <> 0 OR sum(revenue_minor) <> 0;

-- name: ChartCreatedLeadsByMonthForPartner :many
-- ChartCreatedLeadsForPartner for month buckets, read from the month rows
-- (lead_monthly_counts) for the whole months [@month_from, @month_to) and
-- from the day rows only for the period's partial first month
-- [@day_from, @head_to) and last month [@tail_from, @day_to) (the caller
-- computes the four bounds: app/chart.go monthRanges). A year is about 50
-- rows instead of 1,100.
SELECT bucket::integer AS bucket, status, sum(leads)::bigint AS leads
FROM (
    SELECT (extract(year FROM month)::integer * 12 + extract(month FROM month)::integer)
           - sqlc.arg(first_month)::integer + 1 AS bucket, status, leads
    FROM lead_monthly_counts
    WHERE organization_id = sqlc.arg(organization_id)::bigint AND partner_id = sqlc.arg(partner_id)::bigint AND own
      AND month >= @month_from::date AND month < @month_to::date
    UNION ALL
    SELECT (extract(year FROM day)::integer * 12 + extract(month FROM day)::integer)
           - sqlc.arg(first_month)::integer + 1, status, leads
    FROM lead_daily_counts
    WHERE organization_id = sqlc.arg(organization_id)::bigint AND partner_id = sqlc.arg(partner_id)::bigint AND own
      AND day >= @day_from::date AND day < @head_to::date
    UNION ALL
    SELECT (extract(year FROM day)::integer * 12 + extract(month FROM day)::integer)
           - sqlc.arg(first_month)::integer + 1, status, leads
    FROM lead_daily_counts
    WHERE organization_id = sqlc.arg(organization_id)::bigint AND partner_id = sqlc.arg(partner_id)::bigint AND own
      AND day >= @tail_from::date AND day < @day_to::date
) r
GROUP BY 1, 2
HAVING sum(leads) <> 0;

-- name: ChartWonLeadsByMonthForPartner :many
-- ChartWonLeadsForPartner for month buckets, from lead_monthly_wins and the
-- partial months' day rows, as above.
SELECT bucket::integer AS bucket, currency::text AS currency, sum(won)::bigint AS won, sum(revenue_minor)::bigint AS revenue_minor
FROM (
    SELECT (extract(year FROM month)::integer * 12 + extract(month FROM month)::integer)
           - sqlc.arg(first_month)::integer + 1 AS bucket, currency, won, revenue_minor
    FROM lead_monthly_wins
    WHERE organization_id = sqlc.arg(organization_id)::bigint AND partner_id = sqlc.arg(partner_id)::bigint AND own
      AND month >= @month_from::date AND month < @month_to::date
    UNION ALL
    SELECT (extract(year FROM day)::integer * 12 + extract(month FROM day)::integer)
           - sqlc.arg(first_month)::integer + 1, currency, won, revenue_minor
    FROM lead_daily_wins
    WHERE organization_id = sqlc.arg(organization_id)::bigint AND partner_id = sqlc.arg(partner_id)::bigint AND own
      AND day >= @day_from::date AND day < @head_to::date
    UNION ALL
    SELECT (extract(year FROM day)::integer * 12 + extract(month FROM day)::integer)
           - sqlc.arg(first_month)::integer + 1, currency, won, revenue_minor
    FROM lead_daily_wins
    WHERE organization_id = sqlc.arg(organization_id)::bigint AND partner_id = sqlc.arg(partner_id)::bigint AND own
      AND day >= @tail_from::date AND day < @day_to::date
) r
GROUP BY 1, 2
HAVING sum(won) <> 0 OR sum(revenue_minor) <> 0;

-- name: CountWonLeadsForPartner :one
-- Leads won in the days [@day_from, @day_to) (the Leads page passes
-- lifetime; its Leads figure is the lead list's own count).
SELECT coalesce(sum(won), 0)::bigint AS won
FROM lead_daily_wins
WHERE organization_id = @organization_id AND partner_id = @partner_id AND own
  AND day >= @day_from::date AND day < @day_to::date;

-- name: SumCommissionsForPartner :many
-- Commissions per currency: pending (pending or approved, created in the
-- period) and paid (paid in the period). Void ones count nowhere.
SELECT currency::text AS currency,
       coalesce(sum(amount_minor) FILTER (WHERE status IN ('pending', 'approved')
                                            AND created_at >= @period_from AND created_at < @period_to), 0)::bigint AS pending_minor,
       coalesce(sum(amount_minor) FILTER (WHERE status = 'paid'
                                            AND coalesce(paid_at, created_at) >= @period_from
                                            AND coalesce(paid_at, created_at) < @period_to), 0)::bigint AS paid_minor
FROM commissions
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND status IN ('pending', 'approved', 'paid')
GROUP BY currency
ORDER BY currency;
