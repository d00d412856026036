-- name: CountUnreadNotifications :one
SELECT count(*) FROM notifications
WHERE organization_id = $1 AND user_id = $2 AND read_at IS NULL;

-- name: ListNotifications :many
SELECT * FROM notifications
WHERE organization_id = $1 AND user_id = $2
ORDER BY created_at DESC, id DESC
LIMIT $3 OFFSET $4;

-- name: CountNotifications :one
SELECT count(*) FROM notifications WHERE organization_id = $1 AND user_id = $2;

-- name: MarkNotificationsRead :exec
UPDATE notifications SET read_at = @now::timestamptz
WHERE organization_id = @organization_id AND user_id = @user_id AND read_at IS NULL;

-- name: NotifyLeadPartnerUsers :many
-- One notification for each partner user a lead concerns: the company's
-- admins plus the lead's creator when that is a member of the company (a
-- user appears once however both apply). Returns the ids for the email task.
INSERT INTO notifications (organization_id, user_id, body, link, created_at)
SELECT u.organization_id, u.id, @body, @link, @now::timestamptz
FROM users u
WHERE u.organization_id = @organization_id AND u.partner_id = @partner_id::bigint
  AND (u.role = 'partner_admin' OR u.id = @creator_user_id::bigint)
ORDER BY u.id
RETURNING id;

-- name: GetNotificationForEmail :one
-- The notification with its recipient; the user is joined within the
-- notification's organization.
SELECT n.id, n.organization_id, n.user_id, n.body, n.link, n.created_at, n.emailed_at,
       u.email, u.name
FROM notifications n
JOIN users u ON u.organization_id = n.organization_id AND u.id = n.user_id
WHERE n.id = $1;

-- name: MarkNotificationEmailed :exec
UPDATE notifications SET emailed_at = @now::timestamptz WHERE id = @id AND emailed_at IS NULL;

-- name: ListUnsentNotifications :many
-- Notifications whose email has not gone out a minute after they were
-- written (the enqueue after commit failed or the task is still retrying);
-- older than a week they are no longer worth an email.
SELECT id FROM notifications
WHERE emailed_at IS NULL
  AND created_at < (@now::timestamptz) - interval '1 minute'
  AND created_at > (@now::timestamptz) - interval '7 days'
ORDER BY id
LIMIT @max_rows;
