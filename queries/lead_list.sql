-- The partner's lead list ("Your Leads"): the Dashboard and the Leads page
-- show it, the CSV export streams it. One filter, so the counts, the page of
-- rows and the export always agree.
--
-- Filters: @status ('' = all), @q ('' = no search), created_at in
-- [@created_from, @created_to). Lifetime passes a wide range, so the bounds
-- are always concrete and the planner can use the (organization_id,
-- partner_id[, status], created_at) indexes. A search matches where
-- search_text contains the term: strpos, not LIKE, so nothing needs escaping
-- and the organization-wide trigram index (the staff queue's) is not offered
-- for it (ANDing its 200k entries for a common term cost 17 ms).
--
-- A search has two ways to its rows, and the app picks by how many leads
-- match (docs/BENCHMARKS.md, finding 7):
-- - up to a few thousand: SearchLeadsForPartner reads the candidates from
--   the term's search keys (lead_search_keys in schema.sql,
--   leads_partner_own_search_keys_idx) and sorts them;
-- - more (CountLeadsForPartnerByStatus reached its cap): ListLeadsForPartner
--   walks the sort order's index, checks each lead and stops after the page
--   (20,000 matches of "com" sorted for page 3: 776 ms; walked: 1 ms).
-- The keyed queries read the keys in a subquery behind OFFSET 0, which keeps
-- the outer conditions out of the index scan: the planner, counting the
-- keys and the partner's created_at range as independent, would otherwise
-- AND the keys' bitmap with all 100,000 of the big partner's index entries
-- (17 ms) although every key already belongs to that partner. The partner
-- and organization are still checked on every row, outside.

-- name: ListLeadsForPartner :many
-- One page of the list (or, with a large limit, the export). The ORDER BY
-- picks one of six orders; with the parameters bound, PostgreSQL folds the
-- CASEs away, so "created desc" reads the index in order and stops early.
SELECT id, company, domain, contact_name, email, phone, status, stage, currency,
       deal_value_minor, revenue_minor, created_at, won_at, created_by_user_id, source,
       duplicate_of_lead_id, duplicate_reason
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND created_at >= @created_from AND created_at < @created_to
  AND (@status::text = '' OR status = @status::text)
  AND (@q::text = '' OR strpos(search_text, lower(@q::text)) > 0)
ORDER BY
  CASE WHEN @sort::text = 'created' AND @dir::text = 'asc' THEN created_at END ASC,
  CASE WHEN @sort::text = 'created' AND @dir::text = 'desc' THEN created_at END DESC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'asc' THEN lower(company) END ASC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'desc' THEN lower(company) END DESC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'asc' THEN deal_value_minor END ASC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'desc' THEN deal_value_minor END DESC,
  CASE WHEN @dir::text = 'asc' THEN id END ASC,
  CASE WHEN @dir::text = 'desc' THEN id END DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: ListRecentLeadsForPartner :many
-- The list as most people see it (no search, no status, newest first: the
-- Leads page and the Dashboard as they open): the same rows as
-- ListLeadsForPartner with those filters, as a prepared statement. Its one
-- plan (the partner's created_at index, in order, stopping after the page)
-- suits every period, so it needs no planning per request (custom plans
-- cost PostgreSQL 0.2–0.5 ms of CPU each; docs/BENCHMARKS.md, issue 10).
SELECT id, company, domain, contact_name, email, phone, status, stage, currency,
       deal_value_minor, revenue_minor, created_at, won_at, created_by_user_id, source,
       duplicate_of_lead_id, duplicate_reason
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND created_at >= @created_from AND created_at < @created_to
ORDER BY created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: SearchLeadsForPartner :many
-- One page of a search that matches up to a few thousand leads: the same
-- rows, filter and order as ListLeadsForPartner, from the search keys. A
-- term without keys (the app does not search with one) would read all of
-- the partner's leads.
SELECT id, company, domain, contact_name, email, phone, status, stage, currency,
       deal_value_minor, revenue_minor, created_at, won_at, created_by_user_id, source,
       duplicate_of_lead_id, duplicate_reason
FROM (SELECT * FROM leads
      WHERE source IN ('partner', 'referral_link') AND partner_id = @partner_id
        AND (cardinality(lead_search_query_keys(@partner_id, @q::text)) = 0
             OR lead_search_keys(partner_id, search_text) @> lead_search_query_keys(@partner_id, @q::text))
      OFFSET 0) AS l
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND created_at >= @created_from AND created_at < @created_to
  AND (@status::text = '' OR status = @status::text)
  AND strpos(search_text, lower(@q::text)) > 0
ORDER BY
  CASE WHEN @sort::text = 'created' AND @dir::text = 'asc' THEN created_at END ASC,
  CASE WHEN @sort::text = 'created' AND @dir::text = 'desc' THEN created_at END DESC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'asc' THEN lower(company) END ASC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'desc' THEN lower(company) END DESC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'asc' THEN deal_value_minor END ASC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'desc' THEN deal_value_minor END DESC,
  CASE WHEN @dir::text = 'asc' THEN id END ASC,
  CASE WHEN @dir::text = 'desc' THEN id END DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: CountLeadsForPartnerByStatus :one
-- The status tabs of a search: every count in one pass over the same filter
-- (without the status itself), over at most @max_count matches. Counting
-- reads each match from the table, so a term found in 20,000 of a partner's
-- leads would cost 400 ms; beyond the cap the list says "more than" instead.
-- Without a search the tabs come from CountLeadsForPartnerByStatusDaily.
SELECT count(*) AS total,
       count(*) FILTER (WHERE status = 'approved') AS approved,
       count(*) FILTER (WHERE status = 'in_review') AS in_review,
       count(*) FILTER (WHERE status = 'rejected') AS rejected
FROM (SELECT status
      FROM (SELECT * FROM leads
            WHERE source IN ('partner', 'referral_link') AND partner_id = @partner_id
              AND (cardinality(lead_search_query_keys(@partner_id, @q::text)) = 0
                   OR lead_search_keys(partner_id, search_text) @> lead_search_query_keys(@partner_id, @q::text))
            OFFSET 0) AS l
      WHERE organization_id = @organization_id AND partner_id = @partner_id
        AND created_at >= @created_from AND created_at < @created_to
        AND strpos(search_text, lower(@q::text)) > 0
      LIMIT @max_count) AS matched;

-- name: CountLeadsForPartnerByStatusDaily :one
-- The status tabs without a search, from the day rows the triggers on leads
-- keep (lead_daily_counts): the days [@day_from, @day_to) of the
-- organization's time zone, which are exactly the period's
-- [created_from, created_to).
SELECT coalesce(sum(leads), 0)::bigint AS total,
       coalesce(sum(leads) FILTER (WHERE status = 'approved'), 0)::bigint AS approved,
       coalesce(sum(leads) FILTER (WHERE status = 'in_review'), 0)::bigint AS in_review,
       coalesce(sum(leads) FILTER (WHERE status = 'rejected'), 0)::bigint AS rejected
FROM lead_daily_counts
WHERE organization_id = @organization_id AND partner_id = @partner_id AND own
  AND day >= @day_from::date AND day < @day_to::date;

-- name: SearchLeadPageForPartner :many
-- A search's counts and page in one pass (docs/BENCHMARKS.md, issue 10):
-- the matches from the term's search keys, at most @max_count of them (each
-- is read from the table), counted per status and sorted for the page. It
-- returns the page's ids, in order, each with the counts; the app reads
-- those rows whole with ListLeadsForPartnerByIDs. The matches keep just
-- what counting and sorting need: materializing whole rows cost more than
-- reading them (2,500 matches of "com": 12.9 ms of backend CPU with whole
-- rows, 8.2 to count them). When total reaches @max_count the matches were
-- cut short: the counts are "more than" and the ids are not the page (the
-- app then reads the page with WalkLeadsForPartner). No row comes back when
-- the page is empty (no match, or past the end): the app then counts with
-- CountLeadsForPartnerByStatus.
WITH matched AS MATERIALIZED (
  SELECT id, status, created_at, deal_value_minor,
         CASE WHEN @sort::text = 'company' THEN lower(company) END AS company_key
  FROM (SELECT * FROM leads
        WHERE source IN ('partner', 'referral_link') AND partner_id = @partner_id
          AND (cardinality(lead_search_query_keys(@partner_id, @q::text)) = 0
               OR lead_search_keys(partner_id, search_text) @> lead_search_query_keys(@partner_id, @q::text))
        OFFSET 0) AS l
  WHERE organization_id = @organization_id AND partner_id = @partner_id
    AND created_at >= @created_from AND created_at < @created_to
    AND strpos(search_text, lower(@q::text)) > 0
  LIMIT @max_count
), counts AS MATERIALIZED (
  SELECT count(*) AS total,
         count(*) FILTER (WHERE status = 'approved') AS approved,
         count(*) FILTER (WHERE status = 'in_review') AS in_review,
         count(*) FILTER (WHERE status = 'rejected') AS rejected
  FROM matched
)
SELECT m.id, counts.total, counts.approved, counts.in_review, counts.rejected
FROM matched AS m CROSS JOIN counts
WHERE (@status::text = '' OR m.status = @status::text)
ORDER BY
  CASE WHEN @sort::text = 'created' AND @dir::text = 'asc' THEN m.created_at END ASC,
  CASE WHEN @sort::text = 'created' AND @dir::text = 'desc' THEN m.created_at END DESC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'asc' THEN m.company_key END ASC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'desc' THEN m.company_key END DESC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'asc' THEN m.deal_value_minor END ASC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'desc' THEN m.deal_value_minor END DESC,
  CASE WHEN @dir::text = 'asc' THEN m.id END ASC,
  CASE WHEN @dir::text = 'desc' THEN m.id END DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: ListLeadsForPartnerByIDs :many
-- The rows of a page SearchLeadPageForPartner found (any order: the app
-- puts them in the page's), still scoped to the partner.
SELECT id, company, domain, contact_name, email, phone, status, stage, currency,
       deal_value_minor, revenue_minor, created_at, won_at, created_by_user_id, source,
       duplicate_of_lead_id, duplicate_reason
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = ANY(@ids::bigint[]);

-- name: WalkLeadsForPartner :many
-- One page of a search that matched many leads, found by walking the sort
-- order's index and checking each lead on the way: at most @scan_limit of
-- the partner's leads (in order) are looked at. A common term fills the
-- page within a few hundred ("com", approved, page 3: 491); when fewer rows
-- than @row_limit come back the walk may have stopped short, and the app
-- reads the page from the search keys instead (SearchLeadsForPartner).
-- The inner query names the sort key (company_key) so that the outer ORDER
-- BY is the order the walk already has (no sort: the walk stops early).
SELECT w.id, w.company, w.domain, w.contact_name, w.email, w.phone, w.status, w.stage, w.currency,
       w.deal_value_minor, w.revenue_minor, w.created_at, w.won_at, w.created_by_user_id, w.source,
       w.duplicate_of_lead_id, w.duplicate_reason
FROM (SELECT id, company, domain, contact_name, email, phone, status, stage, currency,
             deal_value_minor, revenue_minor, created_at, won_at, created_by_user_id, source,
             duplicate_of_lead_id, duplicate_reason, search_text, lower(company) AS company_key
      FROM leads
      WHERE organization_id = @organization_id AND partner_id = @partner_id
        AND source IN ('partner', 'referral_link')
        AND created_at >= @created_from AND created_at < @created_to
      ORDER BY
        CASE WHEN @sort::text = 'created' AND @dir::text = 'asc' THEN created_at END ASC,
        CASE WHEN @sort::text = 'created' AND @dir::text = 'desc' THEN created_at END DESC,
        CASE WHEN @sort::text = 'company' AND @dir::text = 'asc' THEN lower(company) END ASC,
        CASE WHEN @sort::text = 'company' AND @dir::text = 'desc' THEN lower(company) END DESC,
        CASE WHEN @sort::text = 'value' AND @dir::text = 'asc' THEN deal_value_minor END ASC,
        CASE WHEN @sort::text = 'value' AND @dir::text = 'desc' THEN deal_value_minor END DESC,
        CASE WHEN @dir::text = 'asc' THEN id END ASC,
        CASE WHEN @dir::text = 'desc' THEN id END DESC
      LIMIT @scan_limit) AS w
WHERE (@status::text = '' OR w.status = @status::text)
  AND strpos(w.search_text, lower(@q::text)) > 0
ORDER BY
  CASE WHEN @sort::text = 'created' AND @dir::text = 'asc' THEN w.created_at END ASC,
  CASE WHEN @sort::text = 'created' AND @dir::text = 'desc' THEN w.created_at END DESC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'asc' THEN w.company_key END ASC,
  CASE WHEN @sort::text = 'company' AND @dir::text = 'desc' THEN w.company_key END DESC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'asc' THEN w.deal_value_minor END ASC,
  CASE WHEN @sort::text = 'value' AND @dir::text = 'desc' THEN w.deal_value_minor END DESC,
  CASE WHEN @dir::text = 'asc' THEN w.id END ASC,
  CASE WHEN @dir::text = 'desc' THEN w.id END DESC
LIMIT @row_limit OFFSET @row_offset;
