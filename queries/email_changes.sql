-- name: CancelPendingEmailChanges :exec
-- A new request replaces the user's earlier pending change.
UPDATE email_changes SET cancelled_at = @now::timestamptz
WHERE organization_id = $1 AND user_id = $2 AND confirmed_at IS NULL AND cancelled_at IS NULL;

-- name: CreateEmailChange :one
INSERT INTO email_changes (organization_id, user_id, old_email, new_email, expires_at, cancel_expires_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id;

-- name: LockEmailChangeForMail :one
-- The change with the organization's name, for the worker's two emails,
-- locked: a second run of the task waits until the first has committed.
SELECT e.*, o.name AS organization_name
FROM email_changes e
JOIN organizations o ON o.id = e.organization_id
WHERE e.id = $1
FOR UPDATE OF e;

-- name: SetEmailChangeConfirmHash :execrows
-- A fresh confirm token while its email is unsent (a retry replaces it).
UPDATE email_changes SET confirm_hash = $2
WHERE id = $1 AND confirm_sent_at IS NULL;

-- name: MarkEmailChangeConfirmSent :exec
UPDATE email_changes SET confirm_sent_at = @now::timestamptz WHERE id = $1 AND confirm_sent_at IS NULL;

-- name: SetEmailChangeCancelHash :execrows
UPDATE email_changes SET cancel_hash = $2
WHERE id = $1 AND notice_sent_at IS NULL;

-- name: MarkEmailChangeNoticeSent :exec
UPDATE email_changes SET notice_sent_at = @now::timestamptz WHERE id = $1 AND notice_sent_at IS NULL;

-- name: ListUnsentEmailChanges :many
-- Email changes whose emails have not gone out a minute after the request
-- (the enqueue after commit failed, or the task is still retrying).
SELECT id FROM email_changes
WHERE (confirm_sent_at IS NULL OR notice_sent_at IS NULL)
  AND cancelled_at IS NULL
  AND created_at < (@now::timestamptz) - interval '1 minute'
  AND expires_at > @now::timestamptz
ORDER BY id
LIMIT @max_rows;

-- name: GetEmailChangeByConfirmHash :one
SELECT * FROM email_changes WHERE confirm_hash = $1;

-- name: GetEmailChangeByCancelHash :one
SELECT * FROM email_changes WHERE cancel_hash = $1;

-- name: ConfirmEmailChange :one
-- Atomic single use: of two clicks, one gets the row.
UPDATE email_changes SET confirmed_at = @now::timestamptz
WHERE confirm_hash = $1 AND confirmed_at IS NULL AND cancelled_at IS NULL AND expires_at > @now::timestamptz
RETURNING *;

-- name: ReportEmailChange :one
-- The old address reports the change: single use, before the report window
-- ends, even when a newer request has replaced this one (the handler then
-- cancels whatever is pending and ends every session).
UPDATE email_changes SET reported_at = @now::timestamptz, cancelled_at = coalesce(cancelled_at, @now::timestamptz)
WHERE cancel_hash = $1 AND reported_at IS NULL AND cancel_expires_at > @now::timestamptz
RETURNING *;

-- name: GetPendingEmailChange :one
SELECT * FROM email_changes
WHERE organization_id = $1 AND user_id = $2 AND confirmed_at IS NULL AND cancelled_at IS NULL
  AND expires_at > @now::timestamptz;
