-- name: CreateSession :exec
INSERT INTO sessions (id_hash, user_id, expires_at, ip, user_agent, created_at, last_seen_at)
VALUES (@id_hash, @user_id, @expires_at, @ip, @user_agent, @now::timestamptz, @now::timestamptz);

-- name: GetSessionUser :one
-- The signed-in user with the organization and partner context every page needs.
SELECT s.created_at AS session_created_at, s.last_seen_at, s.expires_at,
       u.id AS user_id, u.organization_id, u.partner_id, u.role, u.email, u.name, u.time_zone,
       o.name AS organization_name, o.slug AS organization_slug, o.time_zone AS organization_time_zone,
       o.currency AS organization_currency, o.agreements_enabled,
       p.name AS partner_name
FROM sessions s
JOIN users u ON u.id = s.user_id
JOIN organizations o ON o.id = u.organization_id
LEFT JOIN partners p ON p.organization_id = u.organization_id AND p.id = u.partner_id
WHERE s.id_hash = @id_hash AND s.expires_at > @now::timestamptz;

-- name: TouchSession :exec
UPDATE sessions SET last_seen_at = @now::timestamptz, expires_at = @expires_at WHERE id_hash = @id_hash;

-- name: DeleteSession :exec
DELETE FROM sessions WHERE id_hash = $1;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expires_at < @now::timestamptz;

-- name: DeleteUserSessions :execrows
DELETE FROM sessions s USING users u
WHERE u.id = s.user_id AND u.organization_id = $1 AND s.user_id = $2;
