-- name: GetTrackingLinkByCode :one
-- The redirect knows only the code: codes are unique installation-wide. The
-- result is cached in each web process; this runs once per code per process.
SELECT l.id, l.organization_id, l.partner_id, l.code, l.destination, l.active,
       l.utm_source, l.utm_medium, l.utm_campaign
FROM tracking_links l
WHERE l.code = $1;

-- name: InsertClicks :many
-- Moves a batch of clicks from the Redis stream into PostgreSQL and adds
-- exactly the rows that were new to the daily aggregates. Re-running a batch
-- inserts nothing and adds nothing: the rollup is idempotent. A day's unique
-- visitors grow by the batch's visitors that no earlier click of the link
-- and day has: every part of one statement reads the same snapshot, so the
-- NOT EXISTS sees the clicks from before this batch (batches run one at a
-- time: LockClickRollup). The cost depends on the batch, not on how many
-- clicks the day already holds.
WITH batch AS (
    -- Set-returning functions in one SELECT list run in lockstep (zip).
    SELECT unnest(@click_ids::text[]) AS click_id, unnest(@link_ids::bigint[]) AS link_id,
           unnest(@visitor_ids::text[]) AS visitor_id, unnest(@clicked_ats::timestamptz[]) AS clicked_at
), ins AS (
    INSERT INTO clicks (click_id, organization_id, partner_id, link_id, visitor_id, clicked_at, day)
    SELECT b.click_id, l.organization_id, l.partner_id, l.id, b.visitor_id, b.clicked_at,
           (b.clicked_at AT TIME ZONE o.time_zone)::date
    FROM batch b
    JOIN tracking_links l ON l.id = b.link_id
    JOIN organizations o ON o.id = l.organization_id
    ON CONFLICT (click_id) DO NOTHING
    RETURNING organization_id, partner_id, link_id, day, visitor_id
), fresh AS (
    SELECT i.organization_id, i.partner_id, i.link_id, i.day, i.visitor_id,
           NOT EXISTS (SELECT 1 FROM clicks c
                       WHERE c.organization_id = i.organization_id AND c.link_id = i.link_id
                         AND c.day = i.day AND c.visitor_id = i.visitor_id) AS new_visitor
    FROM ins i
), agg AS (
    SELECT organization_id, partner_id, link_id, day, count(*) AS n,
           count(DISTINCT visitor_id) FILTER (WHERE new_visitor) AS visitors
    FROM fresh GROUP BY 1, 2, 3, 4
), up AS (
    INSERT INTO link_daily_stats AS s (organization_id, partner_id, link_id, day, clicks, unique_visitors)
    SELECT organization_id, partner_id, link_id, day, n, visitors FROM agg
    ON CONFLICT (organization_id, link_id, day) DO UPDATE
        SET clicks = s.clicks + EXCLUDED.clicks, unique_visitors = s.unique_visitors + EXCLUDED.unique_visitors
)
-- The upsert above runs although nothing reads it (data-modifying CTE).
SELECT organization_id, link_id, day, n::bigint AS inserted FROM agg;

-- name: GetClickForAttribution :one
-- A click of the organization, for crediting a sign-up.
SELECT c.click_id, c.link_id, c.partner_id, c.clicked_at
FROM clicks c
WHERE c.organization_id = $1 AND c.click_id = $2;

-- name: LockClickRollup :exec
-- Rollup batches run one at a time across all workers. Correctness does not
-- depend on it (every insert is idempotent), but two batches holding the same
-- pending clicks could otherwise deadlock on each other's keys.
SELECT pg_advisory_xact_lock(7142001);
