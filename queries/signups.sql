-- name: FindAPIKeyByHash :one
-- The organization's API key by the SHA-256 of the raw key (only hashes are
-- stored). Revoked keys are returned too, so the caller can say so.
SELECT id, organization_id, revoked_at
FROM api_keys
WHERE key_hash = $1;

-- name: TouchAPIKey :exec
-- Records the key's use, at most once a minute so a busy integration does not
-- write a row version per call.
UPDATE api_keys SET last_used_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id
  AND (last_used_at IS NULL OR last_used_at < (@now::timestamptz) - interval '1 minute');

-- name: GetSignupLink :one
-- A tracking link of the organization with its partner, for crediting a
-- sign-up. Scoped by organization: a click on another organization's link
-- finds nothing here.
SELECT l.id, l.partner_id, p.name AS partner_name
FROM tracking_links l
JOIN partners p ON p.organization_id = l.organization_id AND p.id = l.partner_id
WHERE l.organization_id = $1 AND l.id = $2;

-- name: FindSignupLead :one
-- The sign-up lead already registered for an email (at most one per
-- organization: leads_one_signup_per_email).
SELECT id, partner_id
FROM leads
WHERE organization_id = $1 AND lower(email) = lower(@email::text) AND source = 'referral_link';
