-- Sign-in requests kept in PostgreSQL while Redis is away (outbox).

-- name: CreateLoginRequest :exec
INSERT INTO login_requests (request_id, email, email_hash, ip, created_at)
VALUES (@request_id, @email, @email_hash, @ip, @created_at);

-- name: CountLoginRequestsForEmail :one
-- The per-address sign-in limit while Redis (which normally counts) is away.
SELECT count(*) FROM login_requests WHERE email_hash = @email_hash AND created_at > @since;

-- name: CountLoginRequestsForIP :one
-- The per-IP sign-in limit while Redis is away.
SELECT count(*) FROM login_requests WHERE ip = @ip AND created_at > @since;

-- name: ListPendingLoginRequests :many
-- Requests not handed to the queue yet, oldest first.
SELECT request_id, email FROM login_requests
WHERE enqueued_at IS NULL
ORDER BY created_at
LIMIT @max_rows;

-- name: MarkLoginRequestEnqueued :exec
UPDATE login_requests SET enqueued_at = @enqueued_at WHERE request_id = @request_id AND enqueued_at IS NULL;

-- name: DeleteOldLoginRequests :execrows
-- Queued requests are kept a day (they count against the limits), then go.
DELETE FROM login_requests WHERE enqueued_at IS NOT NULL AND created_at < @before;
