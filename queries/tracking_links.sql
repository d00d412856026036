-- name: CreateTrackingLink :one
-- A code already taken inserts nothing and returns no row (the caller picks
-- another code; inside a transaction this does not abort it).
INSERT INTO tracking_links (organization_id, partner_id, code, name, kind, destination,
                            utm_source, utm_medium, utm_campaign, is_default, active, created_at, updated_at)
VALUES (@organization_id, @partner_id, @code, @name, @kind, @destination,
        @utm_source, @utm_medium, @utm_campaign, @is_default, @active, @now::timestamptz, @now::timestamptz)
ON CONFLICT (code) DO NOTHING
RETURNING id;

-- name: ListTrackingLinksForPartner :many
SELECT * FROM tracking_links
WHERE organization_id = $1 AND partner_id = $2
ORDER BY is_default DESC, created_at, id;

-- name: GetTrackingLinkForPartner :one
SELECT * FROM tracking_links
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id;

-- name: UpdateTrackingLink :one
-- Returns the code, so the caller can drop it from every link cache.
UPDATE tracking_links
SET name = @name, destination = @destination, utm_source = @utm_source, utm_medium = @utm_medium,
    utm_campaign = @utm_campaign, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id
RETURNING code;

-- name: SetTrackingLinkActive :one
-- Links are never deleted: a link that should stop working is deactivated.
UPDATE tracking_links SET active = @active, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id
RETURNING code;

-- name: ListTrackingLinkFigures :many
-- The figures of a partner's links in [@period_from, @period_to), for every
-- link in one query (or only @link_id when it is not 0). Click days are
-- calendar days in the organization's time zone @tz (as the rollup cuts them).
-- Two kinds of rows, grouped by link: currency '' carries clicks, unique
-- visitors (counted once per day) and leads created; one row per currency
-- carries the revenue of the link's leads won in the period and the
-- commissions (not void) of those leads. Currencies are never added together.
WITH traffic AS (
    SELECT s.link_id, sum(s.clicks)::bigint AS clicks, sum(s.unique_visitors)::bigint AS unique_visitors
    FROM link_daily_stats s
    WHERE s.organization_id = @organization_id AND s.partner_id = @partner_id
      AND (@link_id::bigint = 0 OR s.link_id = @link_id::bigint)
      AND s.day >= timezone(@tz::text, @period_from::timestamptz)::date
      AND s.day < timezone(@tz::text, @period_to::timestamptz)::date
    GROUP BY s.link_id
), created AS (
    SELECT l.tracking_link_id AS link_id, count(*)::bigint AS leads
    FROM leads l
    WHERE l.organization_id = @organization_id AND l.partner_id = @partner_id
      AND l.tracking_link_id IS NOT NULL AND (@link_id::bigint = 0 OR l.tracking_link_id = @link_id::bigint)
      AND l.created_at >= @period_from::timestamptz AND l.created_at < @period_to::timestamptz
    GROUP BY l.tracking_link_id
), won AS (
    SELECT l.id, l.tracking_link_id AS link_id, l.currency, l.revenue_minor
    FROM leads l
    WHERE l.organization_id = @organization_id AND l.partner_id = @partner_id
      AND l.tracking_link_id IS NOT NULL AND (@link_id::bigint = 0 OR l.tracking_link_id = @link_id::bigint)
      AND l.stage = 'won' AND l.won_at >= @period_from::timestamptz AND l.won_at < @period_to::timestamptz
), money AS (
    SELECT w.link_id, w.currency::text AS currency, w.revenue_minor, 0::bigint AS commission_minor
    FROM won w
    UNION ALL
    SELECT w.link_id, c.currency::text, 0::bigint, c.amount_minor
    FROM commissions c
    JOIN won w ON w.id = c.lead_id
    WHERE c.organization_id = @organization_id AND c.partner_id = @partner_id AND c.status <> 'void'
)
SELECT coalesce(t.link_id, cr.link_id)::bigint AS link_id, ''::text AS currency,
       coalesce(t.clicks, 0)::bigint AS clicks, coalesce(t.unique_visitors, 0)::bigint AS unique_visitors,
       coalesce(cr.leads, 0)::bigint AS leads, 0::bigint AS revenue_minor, 0::bigint AS commission_minor
FROM traffic t
FULL JOIN created cr ON cr.link_id = t.link_id
UNION ALL
SELECT m.link_id, m.currency, 0::bigint, 0::bigint, 0::bigint,
       sum(m.revenue_minor)::bigint, sum(m.commission_minor)::bigint
FROM money m
GROUP BY m.link_id, m.currency
ORDER BY 1, 2;

-- name: ListTrackingLinkDailyStats :many
-- One link's clicks per day in [@period_from, @period_to) (days in the
-- organization's time zone @tz), for its chart; days without clicks are
-- absent. Each day comes back as midnight UTC of that calendar date.
SELECT (s.day::timestamp AT TIME ZONE 'UTC')::timestamptz AS day, s.clicks, s.unique_visitors
FROM link_daily_stats s
WHERE s.organization_id = @organization_id AND s.partner_id = @partner_id AND s.link_id = @link_id
  AND s.day >= timezone(@tz::text, @period_from::timestamptz)::date
  AND s.day < timezone(@tz::text, @period_to::timestamptz)::date
ORDER BY s.day;
