-- name: PrepareLoginToken :one
-- Stores the hash of a fresh token for a sign-in request. A retry of the same
-- request replaces the hash only while the email has not gone out; once sent,
-- no row comes back and the task has nothing left to do.
INSERT INTO login_tokens (token_hash, user_id, request_id, expires_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (request_id) DO UPDATE
    SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at
    WHERE login_tokens.sent_at IS NULL
RETURNING token_hash;

-- name: MarkLoginTokenSent :exec
UPDATE login_tokens SET sent_at = @now::timestamptz WHERE request_id = @request_id;

-- name: GetLoginToken :one
-- Read-only: opening a link (GET/HEAD) must never consume it.
SELECT t.expires_at, t.used_at, u.email
FROM login_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1;

-- name: ConsumeLoginToken :one
-- Atomic single use: of two concurrent requests, exactly one gets a row.
UPDATE login_tokens SET used_at = @now::timestamptz
WHERE token_hash = @token_hash AND used_at IS NULL AND expires_at > @now::timestamptz
RETURNING user_id;

-- name: DeleteStaleLoginTokens :execrows
DELETE FROM login_tokens WHERE expires_at < (@now::timestamptz) - interval '1 day';

-- name: UseUpUserLoginTokens :execrows
-- Sign-in links already sent for the account stop working (the old address
-- reported a change of address: links sent to the new one must die too).
UPDATE login_tokens t SET used_at = @now::timestamptz
FROM users u
WHERE u.id = t.user_id AND u.organization_id = $1 AND t.user_id = $2 AND t.used_at IS NULL;
