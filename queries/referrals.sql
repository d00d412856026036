-- Referral leads: leads passed to a partner rather than brought by it, by
-- the program team (source 'referral') or by a visitor of the public partner
-- directory (source 'directory'). The partner accepts or declines them while
-- they are In Review. `source IN ('referral', 'directory')` is the predicate
-- of leads_partner_referral_idx: keep the two the same.

-- name: ReferralTotalsForPartner :one
SELECT count(*) AS total,
       count(*) FILTER (WHERE status = 'approved') AS approved,
       count(*) FILTER (WHERE status = 'rejected') AS declined,
       count(*) FILTER (WHERE status = 'in_review') AS waiting
FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id AND source IN ('referral', 'directory');

-- name: ListReferralLeadsForPartner :many
-- Waiting ones first, then newest first.
SELECT * FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id AND source IN ('referral', 'directory')
ORDER BY (status = 'in_review') DESC, created_at DESC, id DESC
LIMIT @row_limit OFFSET @row_offset;

-- name: GetReferralLeadForPartner :one
SELECT * FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id AND source IN ('referral', 'directory');

-- name: AcceptReferralLead :execrows
UPDATE leads SET status = 'approved', updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id
  AND source IN ('referral', 'directory') AND status = 'in_review';

-- name: DeclineReferralLead :execrows
UPDATE leads SET status = 'rejected', rejection_reason = @rejection_reason, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id
  AND source IN ('referral', 'directory') AND status = 'in_review';
