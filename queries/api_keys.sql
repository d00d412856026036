-- Organization API keys for the server-to-server sign-up API. Only the
-- SHA-256 of a key is stored, with a short prefix to recognise it by; the
-- whole key is shown once, when it is created.

-- name: CreateAPIKey :one
INSERT INTO api_keys (organization_id, name, prefix, key_hash, created_by, created_at)
VALUES (@organization_id, @name, @prefix, @key_hash, @created_by, @now::timestamptz)
RETURNING id, name, prefix, created_at;

-- name: ListAPIKeys :many
-- Live keys first, newest first.
SELECT k.id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at,
       coalesce(nullif(u.name, ''), u.email, '')::text AS created_by_name
FROM api_keys k
LEFT JOIN users u ON u.id = k.created_by
WHERE k.organization_id = @organization_id
ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id DESC;

-- name: RevokeAPIKey :execrows
-- Revoking twice changes nothing (and reports no row).
UPDATE api_keys SET revoked_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND revoked_at IS NULL;
