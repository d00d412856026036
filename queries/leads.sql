-- name: CreateLead :one
INSERT INTO leads (organization_id, partner_id, created_by_user_id, source, status, stage,
                   company, domain, contact_name, email, currency, deal_value_minor, revenue_minor,
                   created_at, updated_at, won_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)
RETURNING id;

-- name: CountLeadsForOrganization :one
SELECT count(*) FROM leads WHERE organization_id = $1;

-- name: ListRecentLeadsForPartner :many
SELECT id, company, contact_name, email, status, stage, currency, deal_value_minor, created_at
FROM leads
WHERE organization_id = $1 AND partner_id = $2
ORDER BY created_at DESC, id DESC
LIMIT $3 OFFSET $4;

-- name: CountLeadsForPartner :one
SELECT count(*) FROM leads WHERE organization_id = $1 AND partner_id = $2;

-- name: PartnerLeadTotals :one
SELECT count(*) AS leads,
       count(*) FILTER (WHERE stage = 'won') AS won,
       coalesce(sum(revenue_minor) FILTER (WHERE stage = 'won'), 0)::bigint AS revenue_minor
FROM leads
WHERE organization_id = $1 AND partner_id = $2;
