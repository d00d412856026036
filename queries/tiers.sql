-- name: UpsertTier :one
INSERT INTO tiers (organization_id, name, commission_bps, benefits, position)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (organization_id, name) DO UPDATE SET name = EXCLUDED.name
RETURNING *;

-- name: ListTiers :many
SELECT * FROM tiers WHERE organization_id = $1 ORDER BY position, name;
