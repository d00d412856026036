-- name: CreateInvitation :one
INSERT INTO invitations (organization_id, partner_id, email, name, role, invited_by, request_id, expires_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING *;

-- name: RevokeOpenInvitationForEmail :exec
-- Inviting an address again replaces its open invitation.
UPDATE invitations SET revoked_at = @now::timestamptz
WHERE organization_id = $1 AND partner_id = $2 AND email = $3 AND accepted_at IS NULL AND revoked_at IS NULL;

-- name: ListOpenInvitations :many
SELECT * FROM invitations
WHERE organization_id = $1 AND partner_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL
ORDER BY created_at DESC, id DESC;

-- name: RenewInvitation :one
-- Resend: a new request id and expiry; the worker mints a new token, so the
-- earlier link stops working.
UPDATE invitations SET request_id = $4, expires_at = $5, token_hash = NULL, sent_at = NULL
WHERE organization_id = $1 AND partner_id = $2 AND id = $3 AND accepted_at IS NULL AND revoked_at IS NULL
RETURNING *;

-- name: RevokeInvitation :one
UPDATE invitations SET revoked_at = @now::timestamptz
WHERE organization_id = $1 AND partner_id = $2 AND id = $3 AND accepted_at IS NULL AND revoked_at IS NULL
RETURNING *;

-- name: LockInvitationForMail :one
-- The invitation of one send (its request id) with the organization's name,
-- locked: a second run of the task waits here until the first has sent and
-- committed, then finds it sent.
SELECT i.id, i.email, i.role, i.request_id, i.expires_at, i.sent_at, i.accepted_at, i.revoked_at,
       o.name AS organization_name
FROM invitations i JOIN organizations o ON o.id = i.organization_id
WHERE i.request_id = $1
FOR UPDATE OF i;

-- name: SetInvitationToken :execrows
UPDATE invitations SET token_hash = $2
WHERE request_id = $1 AND sent_at IS NULL AND accepted_at IS NULL AND revoked_at IS NULL;

-- name: MarkInvitationSent :exec
UPDATE invitations SET sent_at = @now::timestamptz WHERE request_id = $1 AND sent_at IS NULL;

-- name: ListUnsentInvitations :many
SELECT request_id FROM invitations
WHERE sent_at IS NULL AND accepted_at IS NULL AND revoked_at IS NULL
  AND created_at < (@now::timestamptz) - interval '1 minute' AND expires_at > @now::timestamptz
ORDER BY id
LIMIT @max_rows;

-- name: GetInvitationByToken :one
SELECT i.*, o.name AS organization_name, p.name AS partner_name
FROM invitations i
JOIN organizations o ON o.id = i.organization_id
JOIN partners p ON p.organization_id = i.organization_id AND p.id = i.partner_id
WHERE i.token_hash = $1;

-- name: AcceptInvitation :one
-- Atomic single use.
UPDATE invitations SET accepted_at = @now::timestamptz
WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > @now::timestamptz
RETURNING *;
