-- Figures for the partner's Dashboard Overview and the Leads page metrics.
-- "Your leads" are the ones the partner brought (source partner or
-- referral_link); leads the organization referred to them have their own tab.
-- Periods are [@period_from, @period_to) (lifetime passes a wide range).
-- Amounts are summed per currency: different currencies are never added.
-- The leads_partner_own_* indexes let these run as index-only scans.

-- name: ChartCreatedLeadsForPartner :many
-- Leads created per bucket and status. @bounds are the instants the buckets
-- (days, weeks or months of the organization's time zone) start at, computed
-- by the caller; width_bucket returns the 1-based number of the bucket a
-- lead falls in (a binary search per row, about four times cheaper than
-- converting every timestamp with AT TIME ZONE and date_trunc). Empty
-- buckets are absent. The Leads figure is the sum of these rows, and so are
-- the lead list's status counts for the period when nothing is searched.
SELECT width_bucket(created_at, @bounds::timestamptz[])::integer AS bucket,
       status,
       count(*) AS leads
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND created_at >= @period_from AND created_at < @period_to
GROUP BY 1, 2;

-- name: ChartWonLeadsForPartner :many
-- Leads won per bucket (by the instant they were won) and their revenue per
-- currency. Leads Won and Revenue are the sums of these rows.
SELECT width_bucket(won_at, @bounds::timestamptz[])::integer AS bucket,
       currency::text AS currency,
       count(*) AS won,
       coalesce(sum(revenue_minor), 0)::bigint AS revenue_minor
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND stage = 'won' AND won_at >= @period_from::timestamptz AND won_at < @period_to::timestamptz
GROUP BY 1, 2;

-- name: CountWonLeadsForPartner :one
-- Leads won in a period (the Leads page passes lifetime; its Leads figure is
-- the lead list's own count).
SELECT count(*) AS won
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND stage = 'won' AND won_at >= @period_from::timestamptz AND won_at < @period_to::timestamptz;

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
