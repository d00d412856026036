-- The commission engine's batch path (app/commission/batch.go): one task
-- reconciles a relay batch of outbox events in one transaction, with one
-- statement per step instead of one per event (docs/BENCHMARKS.md,
-- "Commission engine").

-- name: GetOutboxEventsByIDs :many
SELECT id, organization_id, kind, aggregate_id, payload
FROM outbox_events WHERE id = ANY(@ids::bigint[])
ORDER BY id;

-- name: LockLeadsForCommission :many
-- The leads of a batch with their partners' current tiers, locked in id order
-- until the transaction ends (two batches that share leads wait for each
-- other and cannot deadlock).
WITH l AS MATERIALIZED (
    -- Locked first, alone, through (organization_id, id): joined to partners
    -- in one scan, a planner with stale statistics (a burst of new leads)
    -- walked the partner's whole lead index instead (84 ms vs 1 ms for 250).
    SELECT * FROM leads
    WHERE leads.organization_id = @organization_id AND leads.id = ANY(@lead_ids::bigint[])
    ORDER BY leads.id
    FOR UPDATE
)
SELECT l.id, l.organization_id, l.partner_id, l.company, l.stage, l.status, l.currency::text AS currency,
       l.deal_value_minor, l.revenue_minor, l.refunded_minor, l.won_at, l.updated_at,
       p.tier_id, coalesce(t.name, '')::text AS tier_name, coalesce(t.commission_bps, 0)::integer AS tier_bps,
       coalesce(t.trigger_stage, 'won')::text AS trigger_stage
FROM l
JOIN partners p ON p.organization_id = l.organization_id AND p.id = l.partner_id
LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
ORDER BY l.id;

-- name: ListCommissionsOfLeads :many
-- Every row of the batch's leads, each scoped by its lead's partner.
-- Driven from the keys (LATERAL): joined both ways, a planner with stale
-- statistics read every row of the organization for each key.
SELECT c.* FROM (SELECT unnest(@partner_ids::bigint[]) AS partner_id, unnest(@lead_ids::bigint[]) AS lead_id) k
CROSS JOIN LATERAL (
    SELECT * FROM commissions
    WHERE commissions.organization_id = @organization_id
      AND commissions.lead_id = k.lead_id AND commissions.partner_id = k.partner_id
) c
ORDER BY c.id;

-- name: ListActiveStageSpiffsOfOrganization :many
-- Every stage campaign running at @at; the engine picks by tier.
SELECT * FROM spiff_campaigns
WHERE organization_id = @organization_id AND status = 'active' AND rule = 'stage'
  AND starts_at <= @at AND ends_at > @at
ORDER BY id;

-- name: InsertCommissions :many
-- Many rows at once, once per earning key: keys written before insert
-- nothing (only the new rows come back).
INSERT INTO commissions (organization_id, partner_id, lead_id, kind, amount_minor, currency, basis_minor, rate_bps,
                         tier_name, stage, reason, earning_key, adjusts_id, earned_at, approvable_at, created_at, updated_at,
                         lead_company)
SELECT @organization_id, r.partner_id, r.lead_id, r.kind, r.amount_minor, r.currency, r.basis_minor, r.rate_bps,
       r.tier_name, r.stage, r.reason, r.earning_key, nullif(r.adjusts_id, 0), @earned_at, @approvable_at, @earned_at, @earned_at,
       r.lead_company
FROM (SELECT unnest(@partner_ids::bigint[]) AS partner_id, unnest(@lead_ids::bigint[]) AS lead_id,
             unnest(@kinds::text[]) AS kind, unnest(@amounts::bigint[]) AS amount_minor,
             unnest(@currencies::text[]) AS currency, unnest(@bases::bigint[]) AS basis_minor,
             unnest(@rates::integer[]) AS rate_bps, unnest(@tier_names::text[]) AS tier_name,
             unnest(@stages::text[]) AS stage, unnest(@reasons::text[]) AS reason,
             unnest(@earning_keys::text[]) AS earning_key, unnest(@adjusts_ids::bigint[]) AS adjusts_id,
             unnest(@lead_companies::text[]) AS lead_company) r
ORDER BY r.lead_id, r.earning_key
ON CONFLICT (organization_id, earning_key) DO NOTHING
RETURNING id, earning_key;

-- name: LockPartners :many
-- The partners of a batch, in id order, when a capped campaign counts their
-- awards (held until the transaction ends).
SELECT id FROM partners WHERE organization_id = @organization_id AND id = ANY(@ids::bigint[])
ORDER BY id FOR UPDATE;
