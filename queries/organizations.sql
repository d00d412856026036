-- name: GetOrganization :one
SELECT * FROM organizations WHERE id = $1;

-- name: GetOrganizationBySlug :one
SELECT * FROM organizations WHERE slug = $1;

-- name: CountOrganizations :one
SELECT count(*) FROM organizations;

-- name: UpsertOrganization :one
-- Used by the seed: creates the organization once, never changes an existing one.
WITH ins AS (
    INSERT INTO organizations (name, slug, time_zone, currency, agreements_enabled)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (slug) DO NOTHING
    RETURNING *
)
SELECT * FROM ins
UNION ALL
SELECT * FROM organizations WHERE slug = $2 AND NOT EXISTS (SELECT 1 FROM ins);

-- name: SetAgreementsEnabled :exec
UPDATE organizations SET agreements_enabled = $2 WHERE id = $1;
