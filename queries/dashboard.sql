-- Figures for the partner's Dashboard Overview and the Leads page metrics.
-- "Your leads" are the ones the partner brought (source partner or
-- referral_link); leads the organization referred to them have their own tab.
-- Periods are [@period_from, @period_to) (lifetime passes a wide range).
-- Amounts are summed per currency: different currencies are never added.
-- The leads_partner_own_* indexes let these run as index-only scans.

-- name: ChartCreatedLeadsForPartner :many
-- Leads created per bucket (@unit = day, week or month, cut in the
-- organization's time zone @tz). Empty buckets are absent; the caller fills
-- them. The Leads figure is the sum of these rows.
SELECT date_trunc(@unit::text, created_at AT TIME ZONE @tz::text)::date AS bucket,
       count(*) AS leads
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND created_at >= @period_from AND created_at < @period_to
GROUP BY 1
ORDER BY 1;

-- name: ChartWonLeadsForPartner :many
-- Leads won per bucket (by the day they were won) and their revenue per
-- currency. Leads Won and Revenue are the sums of these rows.
SELECT date_trunc(@unit::text, won_at AT TIME ZONE @tz::text)::date AS bucket,
       currency::text AS currency,
       count(*) AS won,
       coalesce(sum(revenue_minor), 0)::bigint AS revenue_minor
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND stage = 'won' AND won_at >= @period_from::timestamptz AND won_at < @period_to::timestamptz
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: CountLeadTotalsForPartner :one
-- The Leads page metrics: leads created and leads won in a period (the page
-- passes lifetime).
SELECT (SELECT count(*) FROM leads l
        WHERE l.organization_id = @organization_id AND l.partner_id = @partner_id
          AND l.source IN ('partner', 'referral_link')
          AND l.created_at >= @period_from AND l.created_at < @period_to) AS leads,
       (SELECT count(*) FROM leads w
        WHERE w.organization_id = @organization_id AND w.partner_id = @partner_id
          AND w.source IN ('partner', 'referral_link')
          AND w.stage = 'won' AND w.won_at >= @period_from AND w.won_at < @period_to) AS won;

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
