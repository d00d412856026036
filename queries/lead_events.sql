-- name: CreateLeadEvent :exec
INSERT INTO lead_events (organization_id, partner_id, lead_id, actor_user_id, kind, changes, note, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: ListLeadEvents :many
-- History of one lead, oldest first, with the actor's name. Scoped by
-- organization and partner: a partner never reads another partner's history.
SELECT e.id, e.kind, e.changes, e.note, e.created_at,
       coalesce(u.name, '') AS actor_name, coalesce(u.role, '') AS actor_role
FROM lead_events e
LEFT JOIN users u ON u.id = e.actor_user_id
WHERE e.organization_id = $1 AND e.partner_id = $2 AND e.lead_id = $3
ORDER BY e.created_at, e.id;
