-- name: CreateTrackingLink :one
INSERT INTO tracking_links (organization_id, partner_id, code, name, kind, destination, is_default, active)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (code) DO NOTHING
RETURNING id;

-- name: ListTrackingLinksForPartner :many
SELECT * FROM tracking_links
WHERE organization_id = $1 AND partner_id = $2
ORDER BY is_default DESC, created_at, id;
