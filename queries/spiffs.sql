-- SPIFF campaigns of an organization.

-- name: CreateSpiffCampaign :one
INSERT INTO spiff_campaigns (organization_id, name, description, amount_minor, currency, starts_at, ends_at,
                             tier_ids, rule, stage, cap_per_partner, status)
VALUES (@organization_id, @name, @description, @amount_minor, @currency, @starts_at, @ends_at,
        @tier_ids::bigint[], @rule, @stage, @cap_per_partner, @status)
RETURNING *;

-- name: ListSpiffCampaigns :many
SELECT * FROM spiff_campaigns WHERE organization_id = @organization_id ORDER BY created_at DESC, id DESC;

-- name: GetSpiffCampaign :one
SELECT * FROM spiff_campaigns WHERE organization_id = @organization_id AND id = @id;

-- name: SetSpiffCampaignStatus :one
UPDATE spiff_campaigns SET status = @status
WHERE organization_id = @organization_id AND id = @id
RETURNING id;

-- name: ListActiveStageSpiffs :many
-- The stage campaigns a lead of a partner in @tier_id can earn at @at.
SELECT * FROM spiff_campaigns
WHERE organization_id = @organization_id AND status = 'active' AND rule = 'stage'
  AND starts_at <= @at AND ends_at > @at
  AND (cardinality(tier_ids) = 0 OR @tier_id::bigint = ANY(tier_ids))
ORDER BY id;

-- name: ListSpiffsForPartner :many
-- The active campaigns a partner is eligible for (its tier, or every tier).
SELECT * FROM spiff_campaigns
WHERE organization_id = @organization_id AND status = 'active' AND ends_at > @at
  AND (cardinality(tier_ids) = 0 OR @tier_id::bigint = ANY(tier_ids))
ORDER BY ends_at, id;

-- name: CountSpiffAwards :one
-- A partner's awards of one campaign that count towards its cap.
SELECT count(*) FROM commissions
WHERE organization_id = @organization_id AND partner_id = @partner_id AND kind = 'spiff'
  AND earning_key LIKE 'spiff:' || @campaign_id::bigint || ':%' AND status <> 'void';
