-- The partner's lead list ("Your Leads"): the Dashboard and the Leads page
-- show it, the CSV export streams it. One filter, written once, so the
-- counts, the page of rows and the export always agree.
--
-- Filters: @status ('' = all), @q (already LIKE-escaped; '' = no search; the
-- app passes only terms with a run of three letters or digits, which have
-- search keys; a term without keys would still match, slowly), created_at in [@created_from, @created_to). The search keys
-- (lead_search_keys, schema.sql) find the candidates in
-- leads_partner_own_search_keys_idx; LIKE decides. Lifetime passes a wide range,
-- so the bounds are always concrete and the planner can use the
-- (organization_id, partner_id[, status], created_at) indexes.

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
  AND (@q::text = '' OR (search_text LIKE '%' || lower(@q::text) || '%'
       AND (cardinality(lead_search_query_keys(@partner_id, @q::text)) = 0
            OR lead_search_keys(partner_id, search_text) @> lead_search_query_keys(@partner_id, @q::text))))
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
-- (without the status itself). The partner's matches come from
-- leads_partner_own_search_keys_idx. Without a search the tabs come from
-- CountLeadsForPartnerByStatusDaily.
SELECT count(*) AS total,
       count(*) FILTER (WHERE status = 'approved') AS approved,
       count(*) FILTER (WHERE status = 'in_review') AS in_review,
       count(*) FILTER (WHERE status = 'rejected') AS rejected
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND source IN ('partner', 'referral_link')
  AND created_at >= @created_from AND created_at < @created_to
  AND (@q::text = '' OR (search_text LIKE '%' || lower(@q::text) || '%'
       AND (cardinality(lead_search_query_keys(@partner_id, @q::text)) = 0
            OR lead_search_keys(partner_id, search_text) @> lead_search_query_keys(@partner_id, @q::text))));

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
