-- The vendor console's lead review: staff of one organization read and
-- change the leads of all its partners. Every query takes the organization id;
-- transitions are guarded in the WHERE clause, so an invalid one changes no
-- row (the handler reads "no rows" as "not allowed now").

-- name: ListLeadsForReview :many
-- One page of the queue, newest first. Walks leads_org_status_created_idx
-- (organization_id, status, created_at DESC, id DESC); the other filters are
-- optional (0, false, '' mean "any") and fold away only in a plan made for
-- the actual values: run it through Store.CustomPlans(). Partner names come
-- from the join.
SELECT sqlc.embed(l), p.name AS partner_name
FROM leads l
JOIN partners p ON p.organization_id = l.organization_id AND p.id = l.partner_id
WHERE l.organization_id = @organization_id AND l.status = @status
  AND (@partner_id::bigint = 0 OR l.partner_id = @partner_id::bigint)
  AND (NOT @duplicates_only::boolean OR l.duplicate_of_lead_id IS NOT NULL)
  AND (@q::text = '' OR l.search_text LIKE '%' || replace(replace(replace(lower(@q::text), '\', '\\'), '%', '\%'), '_', '\_') || '%')
ORDER BY l.created_at DESC, l.id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: CountLeadsForReview :one
-- How many leads the same filters match, counting at most @max_count rows
-- (the pager says "more than" beyond that), so a status with a million
-- leads costs a bounded index range, not a full count.
SELECT count(*) FROM (
    SELECT 1 FROM leads l
    WHERE l.organization_id = @organization_id AND l.status = @status
      AND (@partner_id::bigint = 0 OR l.partner_id = @partner_id::bigint)
      AND (NOT @duplicates_only::boolean OR l.duplicate_of_lead_id IS NOT NULL)
      AND (@q::text = '' OR l.search_text LIKE '%' || replace(replace(replace(lower(@q::text), '\', '\\'), '%', '\%'), '_', '\_') || '%')
    LIMIT @max_count
) matched;

-- name: LeadStatusTotals :many
-- The organization's leads per status (all partners and sources), from the
-- totals the triggers on leads keep: the review queue's counters and the
-- console home, three rows whatever the number of leads.
SELECT s.status::text AS status, coalesce(t.leads, 0)::bigint AS leads
FROM (VALUES ('in_review'), ('approved'), ('rejected')) AS s (status)
LEFT JOIN lead_status_totals t ON t.organization_id = @organization_id AND t.status = s.status
ORDER BY array_position(ARRAY['in_review', 'approved', 'rejected'], s.status::text);

-- name: GetLeadForReview :one
SELECT sqlc.embed(l), p.name AS partner_name
FROM leads l
JOIN partners p ON p.organization_id = l.organization_id AND p.id = l.partner_id
WHERE l.organization_id = @organization_id AND l.id = @id;

-- name: LockLeadForReview :one
-- Held until the transaction ends: two staff acting on one lead at once are
-- served one after the other.
SELECT * FROM leads
WHERE organization_id = @organization_id AND id = @id
FOR UPDATE;

-- name: ApproveLead :one
-- A referral lead in review (from the team or the directory) waits for the
-- partner to accept it, not for staff.
UPDATE leads SET status = 'approved', updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND status = 'in_review' AND source NOT IN ('referral', 'directory')
RETURNING id;

-- name: RejectLead :one
UPDATE leads SET status = 'rejected', rejection_reason = @rejection_reason, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND status = 'in_review' AND source NOT IN ('referral', 'directory')
RETURNING id;

-- name: UpdateLeadForReview :one
-- Staff corrections. The stage may only move between the open stages of an
-- approved lead; Won and Lost have their own queries.
UPDATE leads
SET company = @company, domain = @domain, contact_name = @contact_name, email = @email,
    deal_value_minor = @deal_value_minor, stage = @stage::text, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id
  AND (stage = @stage::text
       OR (status = 'approved' AND stage IN ('new', 'qualified', 'proposal')
           AND @stage::text IN ('new', 'qualified', 'proposal')))
RETURNING id;

-- name: MarkLeadWon :one
-- Won needs an approved open lead; the caller approves one still in review
-- first (not a referral, which waits for the partner). A lead is won once.
UPDATE leads
SET stage = 'won', revenue_minor = @revenue_minor, won_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id
  AND status = 'approved' AND stage NOT IN ('won', 'lost')
RETURNING id;

-- name: MarkLeadLost :one
UPDATE leads SET stage = 'lost', updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id
  AND status = 'approved' AND stage NOT IN ('won', 'lost')
RETURNING id;

-- name: ListPartnerChoices :many
-- The organization's partner companies for a select, by name.
SELECT id, name FROM partners WHERE organization_id = @organization_id ORDER BY name, id;

-- name: CorrectWonRevenue :one
-- Staff correct the revenue of a won lead; the commission engine adjusts.
UPDATE leads SET revenue_minor = @revenue_minor, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND stage = 'won'
RETURNING id;

-- name: RecordLeadRefund :one
-- Revenue given back after the win, added to what was refunded before.
UPDATE leads SET refunded_minor = refunded_minor + @amount_minor, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND stage = 'won'
RETURNING refunded_minor;

-- name: LoseWonLead :one
-- A won deal fell through (cancelled, never paid): Lost after all.
UPDATE leads SET stage = 'lost', updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND stage = 'won'
RETURNING id;

-- name: ReopenLead :one
-- A won or lost lead goes back to Proposal; winning it again is a new win
-- (the refunds of the old one go with it).
UPDATE leads SET stage = 'proposal', won_at = NULL, refunded_minor = 0, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND status = 'approved' AND stage IN ('won', 'lost')
RETURNING id;
