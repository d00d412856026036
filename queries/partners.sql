-- name: UpsertPartner :one
INSERT INTO partners (organization_id, name, website, tier_id, created_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (organization_id, name) DO UPDATE SET name = EXCLUDED.name
RETURNING *;

-- name: GetPartner :one
SELECT p.*, t.name AS tier_name, t.commission_bps AS tier_commission_bps
FROM partners p
LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
WHERE p.organization_id = $1 AND p.id = $2;

-- name: UpdatePartnerProfile :one
UPDATE partners SET name = $3, website = $4
WHERE organization_id = $1 AND id = $2
RETURNING *;

-- name: ListPartnersForOrganization :many
SELECT p.id, p.name, p.website, p.created_at, t.name AS tier_name,
       (SELECT count(*) FROM users u WHERE u.organization_id = p.organization_id AND u.partner_id = p.id) AS user_count,
       (SELECT count(*) FROM leads l WHERE l.organization_id = p.organization_id AND l.partner_id = p.id) AS lead_count,
       (SELECT count(*) FROM invitations i WHERE i.organization_id = p.organization_id AND i.partner_id = p.id
          AND i.accepted_at IS NULL AND i.revoked_at IS NULL) AS open_invitations
FROM partners p
LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
WHERE p.organization_id = $1
ORDER BY p.name
LIMIT $2 OFFSET $3;

-- name: CountPartnersForOrganization :one
SELECT count(*) FROM partners WHERE organization_id = $1;

-- name: GetPayoutSettings :one
SELECT * FROM partner_payout_settings WHERE organization_id = $1 AND partner_id = $2;

-- name: UpsertPayoutSettings :exec
INSERT INTO partner_payout_settings
    (organization_id, partner_id, method, account_holder, iban, bic, paypal_email, currency, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (organization_id, partner_id) DO UPDATE SET
    method = EXCLUDED.method, account_holder = EXCLUDED.account_holder, iban = EXCLUDED.iban,
    bic = EXCLUDED.bic, paypal_email = EXCLUDED.paypal_email, currency = EXCLUDED.currency,
    updated_at = EXCLUDED.updated_at;

-- name: LockPartner :one
-- Serialises changes that must look at all of a partner's users at once
-- (e.g. "keep at least one admin"): held until the transaction ends.
SELECT id FROM partners WHERE organization_id = $1 AND id = $2 FOR UPDATE;

-- name: CreatePartner :one
-- A partner company added by staff; a name already used in the organization
-- is a unique violation (the form says so).
INSERT INTO partners (organization_id, name, website, tier_id, created_at)
VALUES (@organization_id, @name, @website, @tier_id, @now::timestamptz)
RETURNING *;
