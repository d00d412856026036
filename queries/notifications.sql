-- name: CreateNotification :exec
INSERT INTO notifications (organization_id, user_id, body, link) VALUES ($1, $2, $3, $4);

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
UPDATE notifications SET read_at = now()
WHERE organization_id = $1 AND user_id = $2 AND read_at IS NULL;
