-- Commissions: written by the engine (app/commission), read by the Payments
-- pages and the console. Every query names the organization, and every
-- partner-facing one the partner too.

-- name: GetCommissionProgram :one
-- The organization's program rules the engine and the pages need.
SELECT id, currency::text AS currency, commission_hold_days, commission_approval
FROM organizations WHERE id = @organization_id;

-- name: UpdateCommissionProgram :exec
UPDATE organizations SET commission_hold_days = @commission_hold_days, commission_approval = @commission_approval
WHERE id = @organization_id;

-- name: LockLeadForCommission :one
-- The lead with its partner's current tier, locked until the transaction
-- ends: two workers reconciling one lead are served one after the other.
SELECT l.id, l.organization_id, l.partner_id, l.company, l.stage, l.status, l.currency::text AS currency,
       l.deal_value_minor, l.revenue_minor, l.refunded_minor, l.won_at, l.updated_at,
       p.tier_id, coalesce(t.name, '')::text AS tier_name, coalesce(t.commission_bps, 0)::integer AS tier_bps,
       coalesce(t.trigger_stage, 'won')::text AS trigger_stage
FROM leads l
JOIN partners p ON p.organization_id = l.organization_id AND p.id = l.partner_id
LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
WHERE l.organization_id = @organization_id AND l.id = @lead_id
FOR UPDATE OF l;

-- name: ListLeadCommissions :many
-- Every row of one lead, oldest first (the engine's view of what is owed).
SELECT * FROM commissions
WHERE organization_id = @organization_id AND partner_id = @partner_id AND lead_id = @lead_id
ORDER BY id;

-- name: ListStageIncentives :many
SELECT * FROM tier_stage_incentives
WHERE organization_id = @organization_id AND tier_id = @tier_id
ORDER BY array_position(ARRAY['qualified', 'proposal', 'won'], stage);

-- name: InsertCommission :one
-- Once per earning key: a replayed event inserts nothing (no row returned).
INSERT INTO commissions (organization_id, partner_id, lead_id, kind, amount_minor, currency, basis_minor, rate_bps,
                         tier_name, stage, reason, earning_key, adjusts_id, earned_at, approvable_at, created_at, updated_at)
VALUES (@organization_id, @partner_id, sqlc.narg(lead_id), @kind, @amount_minor, @currency, @basis_minor, @rate_bps,
        @tier_name, @stage, @reason, @earning_key, sqlc.narg(adjusts_id), @earned_at, @approvable_at, @earned_at, @earned_at)
ON CONFLICT (organization_id, earning_key) DO NOTHING
RETURNING id;

-- name: RecalculatePendingCommission :one
-- A pending row may be recalculated in place; approved or paid money never.
UPDATE commissions
SET amount_minor = @amount_minor, basis_minor = @basis_minor, reason = @reason, updated_at = @now
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id AND status = 'pending'
RETURNING id;

-- name: VoidPendingCommission :one
UPDATE commissions
SET status = 'void', reason = @reason, voided_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id AND status = 'pending'
RETURNING id;

-- name: ApproveCommissions :many
-- Approves the pending rows among @ids whose hold has ended at @now; the
-- others are left as they are (the caller counts what was approved).
UPDATE commissions
SET status = 'approved', approved_at = @now::timestamptz, approved_by = sqlc.narg(approved_by), updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = ANY(@ids::bigint[])
  AND status = 'pending' AND approvable_at <= @now::timestamptz
RETURNING id, partner_id, lead_id, amount_minor, currency::text AS currency;

-- name: ListAutoApprovable :many
-- Pending rows whose hold has ended, in organizations that approve automatically.
SELECT c.organization_id, c.id
FROM commissions c
JOIN organizations o ON o.id = c.organization_id AND o.commission_approval = 'auto'
WHERE c.status = 'pending' AND c.approvable_at <= @now
ORDER BY c.organization_id, c.id
LIMIT @max_rows;

-- name: SumCommissionsByStatus :many
-- The partner's totals per currency and status (void rows count nowhere):
-- the Payments figures, equal to the sum of the rows the list shows.
-- Read from commission_totals, which triggers keep in the transaction of
-- every change to commissions (schema.sql): a few rows, not an aggregate of
-- the partner's rows.
SELECT currency::text AS currency, status, amount_minor, n
FROM commission_totals
WHERE organization_id = @organization_id AND partner_id = @partner_id AND status <> 'void' AND n > 0
ORDER BY currency, status;

-- name: ListCommissionsForPartner :many
-- The partner's Commissions tab: filters are empty when unused; the period
-- is on earned_at. The lead's company is the one kept on the row (a
-- trigger follows renames), so a search's matches are not each joined to
-- their lead before the sort (docs/BENCHMARKS.md, finding 11).
SELECT sqlc.embed(c)
FROM commissions c
WHERE c.organization_id = @organization_id AND c.partner_id = @partner_id
  AND (@status::text = '' OR c.status = @status::text)
  AND (cardinality(@kinds::text[]) = 0 OR c.kind = ANY(@kinds::text[]))
  AND c.earned_at >= @period_from AND c.earned_at < @period_to
  AND (@search::text = '' OR (
      -- The partner's rows whose lead company contains the term, found
      -- from the search keys over the company kept on the row (schema.sql,
      -- commissions_partner_search_keys_idx); the strpos decides.
      c.lead_company <> ''
      AND lead_search_keys(c.partner_id, lower(c.lead_company)) @> lead_search_query_keys(@partner_id, @search::text)
      AND strpos(lower(c.lead_company), @search::text) > 0))
ORDER BY c.earned_at DESC, c.id DESC
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountCommissionsForPartner :one
-- How many rows the tab's filters match, counting at most @max_count (the
-- page then says "10,000+"), so a partner with 100k won leads costs a
-- bounded index range, not a full count (docs/BENCHMARKS.md, finding 10).
-- A search reads the rows whose company matches through the search keys
-- index, as the list does.
SELECT count(*) FROM (
    SELECT 1
    FROM commissions c
    WHERE c.organization_id = @organization_id AND c.partner_id = @partner_id
      AND (@status::text = '' OR c.status = @status::text)
      AND (cardinality(@kinds::text[]) = 0 OR c.kind = ANY(@kinds::text[]))
      AND c.earned_at >= @period_from AND c.earned_at < @period_to
      AND (@search::text = '' OR (
          c.lead_company <> ''
          AND lead_search_keys(c.partner_id, lower(c.lead_company)) @> lead_search_query_keys(@partner_id, @search::text)
          AND strpos(lower(c.lead_company), @search::text) > 0))
    LIMIT @max_count
) matched;

-- name: ListCommissionsForOrganization :many
-- The console list: all partners, or one (@partner_id 0 = all).
SELECT sqlc.embed(c), coalesce(l.company, '')::text AS lead_company, p.name AS partner_name
FROM commissions c
JOIN partners p ON p.organization_id = c.organization_id AND p.id = c.partner_id
LEFT JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
WHERE c.organization_id = @organization_id
  AND (@partner_id::bigint = 0 OR c.partner_id = @partner_id::bigint)
  AND (@status::text = '' OR c.status = @status::text)
  AND (@kind::text = '' OR c.kind = @kind::text)
  AND c.earned_at >= @period_from AND c.earned_at < @period_to
ORDER BY c.earned_at DESC, c.id DESC
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountCommissionsForOrganization :one
-- Counts at most @max_count rows, as CountCommissionsForPartner.
SELECT count(*) FROM (
    SELECT 1
    FROM commissions c
    WHERE c.organization_id = @organization_id
      AND (@partner_id::bigint = 0 OR c.partner_id = @partner_id::bigint)
      AND (@status::text = '' OR c.status = @status::text)
      AND (@kind::text = '' OR c.kind = @kind::text)
      AND c.earned_at >= @period_from AND c.earned_at < @period_to
    LIMIT @max_count
) matched;

-- name: GetCommission :one
SELECT sqlc.embed(c), coalesce(l.company, '')::text AS lead_company, p.name AS partner_name
FROM commissions c
JOIN partners p ON p.organization_id = c.organization_id AND p.id = c.partner_id
LEFT JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
WHERE c.organization_id = @organization_id AND c.id = @id;

-- name: VoidCommission :one
-- Staff void a pending or approved row (never a paid one) with a reason.
UPDATE commissions
SET status = 'void', reason = @reason, voided_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND status IN ('pending', 'approved')
RETURNING id, partner_id;

-- name: NotifyPartnerAdmins :many
-- One in-app notification for each admin of a partner company; the ids go
-- to the email task.
INSERT INTO notifications (organization_id, user_id, body, link)
SELECT u.organization_id, u.id, @body, @link
FROM users u
WHERE u.organization_id = @organization_id AND u.partner_id = @partner_id::bigint AND u.role = 'partner_admin'
ORDER BY u.id
RETURNING id;

-- name: GetPartnerProgram :one
-- What the "About your commissions" panel explains: the partner's tier and
-- the organization's rules.
SELECT p.id AS partner_id, p.tier_id, coalesce(t.name, '')::text AS tier_name,
       coalesce(t.commission_bps, 0)::integer AS tier_bps, coalesce(t.trigger_stage, 'won')::text AS trigger_stage,
       o.commission_hold_days, o.commission_approval, o.currency::text AS currency
FROM partners p
JOIN organizations o ON o.id = p.organization_id
LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
WHERE p.organization_id = @organization_id AND p.id = @partner_id;

-- name: ListWonLeadsWithoutCommissions :many
-- The demo seed: won leads of an organization that have no commission yet.
SELECT l.id, l.won_at
FROM leads l
WHERE l.organization_id = @organization_id AND l.stage = 'won' AND l.status = 'approved' AND l.won_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM commissions c WHERE c.organization_id = l.organization_id AND c.lead_id = l.id)
ORDER BY l.id;

-- name: SeedCommissionState :exec
-- The demo seed ages a fresh commission: approved when its hold ended,
-- paid @paid_at when given.
UPDATE commissions
SET status = CASE WHEN sqlc.narg(paid_at)::timestamptz IS NOT NULL THEN 'paid' ELSE 'approved' END,
    approved_at = approvable_at, paid_at = sqlc.narg(paid_at)::timestamptz
WHERE organization_id = @organization_id AND id = @id AND status = 'pending';
