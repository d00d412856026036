-- name: GetUserByEmail :one
-- Sign-in is the one lookup not scoped by organization: the email identifies the account.
SELECT * FROM users WHERE email = $1;

-- name: UpsertUser :one
INSERT INTO users (organization_id, partner_id, role, email, name, time_zone, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
RETURNING *;

-- name: CreatePartnerUser :one
INSERT INTO users (organization_id, partner_id, role, email, name, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: ListPartnerUsers :many
SELECT * FROM users
WHERE organization_id = $1 AND partner_id = $2
ORDER BY name, email;

-- name: GetPartnerUser :one
SELECT * FROM users WHERE organization_id = $1 AND partner_id = $2 AND id = $3;

-- name: UpdatePartnerUserRole :one
UPDATE users SET role = $4
WHERE organization_id = $1 AND partner_id = $2 AND id = $3 AND role IN ('partner_admin', 'partner_user')
RETURNING *;

-- name: CountPartnerAdmins :one
SELECT count(*) FROM users WHERE organization_id = $1 AND partner_id = $2 AND role = 'partner_admin';

-- name: UpdateUserProfile :one
UPDATE users SET name = $3, email = $4, time_zone = $5
WHERE organization_id = $1 AND id = $2
RETURNING *;

-- name: MarkUserLoggedIn :exec
UPDATE users SET last_login_at = @now::timestamptz WHERE id = @id;

-- name: UpdateUserNameAndZone :one
UPDATE users SET name = $3, time_zone = $4
WHERE organization_id = $1 AND id = $2
RETURNING *;

-- name: SetUserEmail :execrows
-- The confirmed change: only while the account still has the old address.
UPDATE users SET email = @new_email
WHERE organization_id = $1 AND id = $2 AND email = @old_email;

-- name: UpdatePartnerUser :one
UPDATE users SET name = $4, role = $5
WHERE organization_id = $1 AND partner_id = $2 AND id = $3 AND role IN ('partner_admin', 'partner_user')
RETURNING *;

-- name: DeletePartnerUser :one
-- Removing a member: their sessions and notifications go with the row; their
-- leads stay with the company (created_by_user_id becomes NULL).
DELETE FROM users
WHERE organization_id = $1 AND partner_id = $2 AND id = $3 AND role IN ('partner_admin', 'partner_user')
RETURNING *;
