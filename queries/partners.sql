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

-- name: ChangePartnerTier :one
-- Moves a partner to another tier (or none) and records who, when, from and
-- to, in one statement. Nothing happens (no row) when the tier is unchanged.
WITH old AS (
    SELECT p.id, p.tier_id, coalesce(t.name, '') AS tier_name
    FROM partners p LEFT JOIN tiers t ON t.organization_id = p.organization_id AND t.id = p.tier_id
    WHERE p.organization_id = @organization_id AND p.id = @partner_id
    FOR UPDATE OF p
), moved AS (
    UPDATE partners p SET tier_id = sqlc.narg(to_tier_id)
    FROM old
    WHERE p.organization_id = @organization_id AND p.id = old.id AND p.tier_id IS DISTINCT FROM sqlc.narg(to_tier_id)
    RETURNING p.id
)
INSERT INTO partner_tier_changes (organization_id, partner_id, from_tier_id, to_tier_id, from_tier_name, to_tier_name, changed_by)
SELECT @organization_id, old.id, old.tier_id, sqlc.narg(to_tier_id),
       old.tier_name, coalesce((SELECT name FROM tiers WHERE organization_id = @organization_id AND id = sqlc.narg(to_tier_id)), ''),
       sqlc.narg(changed_by)
FROM old JOIN moved ON moved.id = old.id
RETURNING id;

-- name: ListPartnerTierChanges :many
SELECT c.*, coalesce(u.name, u.email, '')::text AS changed_by_name
FROM partner_tier_changes c
LEFT JOIN users u ON u.id = c.changed_by
WHERE c.organization_id = @organization_id AND c.partner_id = @partner_id
ORDER BY c.changed_at DESC, c.id DESC
LIMIT 50;

-- name: ListPartnerMembers :many
SELECT id, name, email, role, last_login_at FROM users
WHERE organization_id = @organization_id AND partner_id = @partner_id::bigint
ORDER BY role, name, id;

-- name: CountPartnerLeadsByStage :many
SELECT stage, count(*)::bigint AS n FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id
GROUP BY stage ORDER BY stage;
