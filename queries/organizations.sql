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

-- name: UpdateOrganizationLinkSettings :exec
-- The vendor's tracking-link settings (console → Settings).
UPDATE organizations
SET link_destinations = @link_destinations, allowed_origins = @allowed_origins,
    attribution_window_days = @attribution_window_days, attribution_model = @attribution_model,
    signup_lead_status = @signup_lead_status
WHERE id = @id;

-- name: SeedOrganizationLinkSettings :exec
-- Used by the seed: fills the link allow-lists of a demo organization while
-- both are still empty (never overwrites what staff configured).
UPDATE organizations
SET link_destinations = @link_destinations, allowed_origins = @allowed_origins
WHERE id = @id AND link_destinations = '{}' AND allowed_origins = '{}';
