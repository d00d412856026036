-- Partner Room. Every query is scoped by organization; the partner-facing ones
-- also by the partner's tier (visibility) in the SQL itself.

-- name: ListResourceCategories :many
SELECT c.*, (SELECT count(*) FROM resources r WHERE r.organization_id = c.organization_id AND r.category_id = c.id AND r.archived_at IS NULL)::bigint AS resources
FROM resource_categories c WHERE c.organization_id = @organization_id ORDER BY c.position, c.name;

-- name: ListResourceCategoryChoices :many
-- The category filter's choices (no counts: counting costs a pass over the
-- library on every Partner Room request).
SELECT id, name FROM resource_categories WHERE organization_id = @organization_id ORDER BY position, name;

-- name: CreateResourceCategory :one
INSERT INTO resource_categories (organization_id, name, position, created_at)
VALUES (@organization_id, @name, @position, @now::timestamptz)
RETURNING *;

-- name: UpsertResourceCategory :one
INSERT INTO resource_categories (organization_id, name, position, created_at)
VALUES (@organization_id, @name, @position, @now::timestamptz)
ON CONFLICT (organization_id, name) DO UPDATE SET position = resource_categories.position
RETURNING *;

-- name: RenameResourceCategory :one
UPDATE resource_categories SET name = @name, position = @position
WHERE organization_id = @organization_id AND id = @id
RETURNING *;

-- name: CreateResource :one
INSERT INTO resources (organization_id, category_id, title, description, tags, visibility, featured, link_url, created_by, created_at, updated_at)
VALUES (@organization_id, sqlc.narg(category_id), @title, @description, @tags::text[], @visibility, @featured, @link_url, sqlc.narg(created_by), @now::timestamptz, @now::timestamptz)
RETURNING *;

-- name: UpdateResource :one
UPDATE resources
SET category_id = sqlc.narg(category_id), title = @title, description = @description, tags = @tags::text[],
    visibility = @visibility, featured = @featured, link_url = @link_url, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id
RETURNING *;

-- name: SetResourceArchived :one
UPDATE resources SET archived_at = CASE WHEN @archived::boolean THEN @now::timestamptz END, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id
RETURNING *;

-- name: ClearResourceTiers :exec
DELETE FROM resource_tiers WHERE organization_id = @organization_id AND resource_id = @resource_id;

-- name: AddResourceTier :exec
INSERT INTO resource_tiers (organization_id, resource_id, tier_id) VALUES (@organization_id, @resource_id, @tier_id)
ON CONFLICT DO NOTHING;

-- name: ListResourceTierIDs :many
SELECT tier_id FROM resource_tiers WHERE organization_id = @organization_id AND resource_id = @resource_id ORDER BY tier_id;

-- name: GetResourceForStaff :one
SELECT r.id, r.organization_id, r.category_id, r.title, r.description, r.tags, r.visibility, r.featured, r.link_url,
       r.current_version_id, r.created_at, r.updated_at, r.archived_at, coalesce(c.name, '')::text AS category_name
FROM resources r LEFT JOIN resource_categories c ON c.organization_id = r.organization_id AND c.id = r.category_id
WHERE r.organization_id = @organization_id AND r.id = @id;

-- name: ListResourcesForStaff :many
SELECT r.id, r.title, r.tags, r.visibility, r.featured, r.link_url, r.created_at, r.updated_at, r.archived_at,
       coalesce(c.name, '')::text AS category_name,
       coalesce(v.file_name, '')::text AS file_name, coalesce(v.mime, '')::text AS mime, coalesce(v.size_bytes, 0)::bigint AS size_bytes,
       coalesce(v.preview_state, '')::text AS preview_state,
       (SELECT count(*) FROM resource_events e WHERE e.organization_id = r.organization_id AND e.resource_id = r.id AND e.kind = 'view')::bigint AS views,
       (SELECT count(*) FROM resource_events e WHERE e.organization_id = r.organization_id AND e.resource_id = r.id AND e.kind = 'download')::bigint AS downloads
FROM resources r
LEFT JOIN resource_categories c ON c.organization_id = r.organization_id AND c.id = r.category_id
LEFT JOIN resource_versions v ON v.organization_id = r.organization_id AND v.id = r.current_version_id
WHERE r.organization_id = @organization_id AND (r.archived_at IS NULL) = NOT @archived::boolean
ORDER BY r.featured DESC, r.created_at DESC, r.id DESC
LIMIT @lim OFFSET @off;

-- name: CreateResourceVersion :one
INSERT INTO resource_versions (organization_id, resource_id, storage_key, file_name, mime, size_bytes, sha256, created_by, created_at, preview_state)
VALUES (@organization_id, @resource_id, @storage_key, @file_name, @mime, @size_bytes, @sha256, sqlc.narg(created_by), @now::timestamptz, @preview_state)
RETURNING *;

-- name: SetResourceCurrentVersion :exec
-- The body text belongs to the previous file until the worker extracts the new one.
UPDATE resources SET current_version_id = @version_id, body_text = '', updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id;

-- name: ListResourceVersions :many
SELECT * FROM resource_versions WHERE organization_id = @organization_id AND resource_id = @resource_id ORDER BY id DESC;

-- name: GetResourceVersion :one
SELECT * FROM resource_versions WHERE organization_id = @organization_id AND id = @id;

-- name: SetResourceBodyText :exec
-- Only while the version is still the resource's current one.
UPDATE resources SET body_text = @body_text
WHERE organization_id = @organization_id AND id = @resource_id AND current_version_id = @version_id;

-- name: SetVersionPreview :exec
UPDATE resource_versions SET preview_state = @preview_state, preview_error = @preview_error, preview_pages = @preview_pages
WHERE organization_id = @organization_id AND id = @id;

-- name: GetVisibleResource :one
-- A resource a partner may see: same organization, not archived, for all
-- partners or for the partner's tier.
SELECT r.id, r.organization_id, r.category_id, r.title, r.description, r.tags, r.featured, r.link_url,
       r.current_version_id, r.created_at, r.updated_at, coalesce(c.name, '')::text AS category_name
FROM resources r
JOIN partners p ON p.organization_id = r.organization_id AND p.id = @partner_id
LEFT JOIN resource_categories c ON c.organization_id = r.organization_id AND c.id = r.category_id
WHERE r.organization_id = @organization_id AND r.id = @id AND r.archived_at IS NULL
  AND (r.visibility = 'all' OR EXISTS (SELECT 1 FROM resource_tiers t WHERE t.organization_id = r.organization_id AND t.resource_id = r.id AND t.tier_id = p.tier_id));

-- name: GetVisibleVersion :one
-- A version of a resource the partner may see.
SELECT v.* FROM resource_versions v
JOIN resources r ON r.organization_id = v.organization_id AND r.id = v.resource_id
JOIN partners p ON p.organization_id = r.organization_id AND p.id = @partner_id
WHERE v.organization_id = @organization_id AND v.resource_id = @resource_id AND v.id = @id AND r.archived_at IS NULL
  AND (r.visibility = 'all' OR EXISTS (SELECT 1 FROM resource_tiers t WHERE t.organization_id = r.organization_id AND t.resource_id = r.id AND t.tier_id = p.tier_id));

-- name: ListVisibleResources :many
-- The Partner Room without a search: featured and newest first (walks
-- resources_list_idx), filtered by category and tag; the partner's tier's
-- visibility in the SQL.
SELECT r.id, r.title, r.description, r.tags, r.featured, r.link_url, r.created_at, 0::real AS rank,
       coalesce(c.name, '')::text AS category_name,
       coalesce(v.file_name, '')::text AS file_name, coalesce(v.mime, '')::text AS mime, coalesce(v.size_bytes, 0)::bigint AS size_bytes,
       ''::text AS snippet
FROM resources r
LEFT JOIN resource_categories c ON c.organization_id = r.organization_id AND c.id = r.category_id
LEFT JOIN resource_versions v ON v.organization_id = r.organization_id AND v.id = r.current_version_id
WHERE r.organization_id = @organization_id AND r.archived_at IS NULL
  AND (r.visibility = 'all' OR r.id IN (
        SELECT t.resource_id FROM resource_tiers t WHERE t.organization_id = @organization_id
           AND t.tier_id = (SELECT p.tier_id FROM partners p WHERE p.organization_id = @organization_id AND p.id = @partner_id)))
  AND (sqlc.narg(category_id)::bigint IS NULL OR r.category_id = sqlc.narg(category_id)::bigint)
  AND (@tag::text = '' OR r.tags @> ARRAY[@tag::text])
ORDER BY r.featured DESC, r.created_at DESC, r.id DESC
LIMIT @lim OFFSET @off;

-- name: SearchVisibleResources :many
-- The Partner Room's full-text search (websearch_to_tsquery): every match
-- (GIN index on search, which holds the files' text too) is ranked, but by
-- the small rank_doc (title A, tags B, description C) so that no large
-- vector is read per match; a match only inside the file's text ranks after
-- those, featured and newest first. Only the page's rows are then read in
-- full and get a snippet (ts_headline over the description and the first
-- 20,000 characters of the text), its highlights marked with \x01 and \x02
-- so the page can escape the text and then turn them into <mark>.
-- Visibility (organization, partner's tier) is in the SQL.
WITH q AS (SELECT websearch_to_tsquery('english', @query::text) AS tsq),
hits AS (
    SELECT r.id, ts_rank(r.rank_doc, q.tsq) AS rank, r.featured, r.created_at
    FROM resources r CROSS JOIN q
    WHERE r.organization_id = @organization_id AND r.archived_at IS NULL AND r.search @@ q.tsq
      AND (r.visibility = 'all' OR r.id IN (
            SELECT t.resource_id FROM resource_tiers t WHERE t.organization_id = @organization_id
               AND t.tier_id = (SELECT p.tier_id FROM partners p WHERE p.organization_id = @organization_id AND p.id = @partner_id)))
      AND (sqlc.narg(category_id)::bigint IS NULL OR r.category_id = sqlc.narg(category_id)::bigint)
      AND (@tag::text = '' OR r.tags @> ARRAY[@tag::text])
    ORDER BY rank DESC, r.featured DESC, r.created_at DESC, r.id DESC
    LIMIT @lim OFFSET @off
)
SELECT r.id, r.title, r.description, r.tags, r.featured, r.link_url, r.created_at, hits.rank::real AS rank,
       coalesce(c.name, '')::text AS category_name,
       coalesce(v.file_name, '')::text AS file_name, coalesce(v.mime, '')::text AS mime, coalesce(v.size_bytes, 0)::bigint AS size_bytes,
       ts_headline('english', r.description || ' ' || left(r.body_text, 20000), q.tsq,
            'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … "')::text AS snippet
FROM hits CROSS JOIN q
JOIN resources r ON r.organization_id = @organization_id AND r.id = hits.id
LEFT JOIN resource_categories c ON c.organization_id = r.organization_id AND c.id = r.category_id
LEFT JOIN resource_versions v ON v.organization_id = r.organization_id AND v.id = r.current_version_id
ORDER BY hits.rank DESC, hits.featured DESC, hits.created_at DESC, hits.id DESC;

-- name: RecordResourceEvent :exec
INSERT INTO resource_events (organization_id, resource_id, partner_id, user_id, kind, at)
VALUES (@organization_id, @resource_id, @partner_id, sqlc.narg(user_id), @kind, @now::timestamptz);

-- name: ResourceStatsByPartner :many
-- Views and downloads per partner company and day, in the organization's time zone.
SELECT p.id AS partner_id, p.name AS partner_name,
       (e.at AT TIME ZONE @time_zone::text)::date AS day,
       count(*) FILTER (WHERE e.kind = 'view')::bigint AS views,
       count(*) FILTER (WHERE e.kind = 'download')::bigint AS downloads
FROM resource_events e JOIN partners p ON p.organization_id = e.organization_id AND p.id = e.partner_id
WHERE e.organization_id = @organization_id AND e.resource_id = @resource_id
  AND e.at >= @since::timestamptz
GROUP BY p.id, p.name, day
ORDER BY day DESC, p.name;

-- name: ListPendingPreviewVersions :many
-- Versions whose preview was never made (a lost task): the worker sweep re-enqueues them.
SELECT organization_id, id FROM resource_versions WHERE preview_state = 'pending' AND created_at < @before::timestamptz ORDER BY id LIMIT 100;

-- name: CountResources :one
SELECT count(*) FROM resources WHERE organization_id = @organization_id;
