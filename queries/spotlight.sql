-- Spotlight: directory settings (one row per organization) and partner
-- profiles. Partner-side queries take the organization AND the partner.

-- name: GetDirectorySettings :one
SELECT * FROM directory_settings WHERE organization_id = @organization_id;

-- name: EnsureDirectorySettings :one
-- Creates the organization's settings row on first use (directory off).
INSERT INTO directory_settings (organization_id, slug, form_key, updated_at)
VALUES (@organization_id, @slug, @form_key, @now)
ON CONFLICT (organization_id) DO UPDATE SET organization_id = EXCLUDED.organization_id
RETURNING *;

-- name: UpdateDirectorySettings :one
UPDATE directory_settings SET enabled = @enabled, slug = @slug, specialties = @specialties, platforms = @platforms,
    budget_bands = @budget_bands, approval_required = @approval_required,
    featured_partner_ids = @featured_partner_ids, frame_origins = @frame_origins, updated_at = @now
WHERE organization_id = @organization_id
RETURNING *;

-- name: GetDirectoryBySlug :one
-- The public directory: an enabled directory by its URL name.
SELECT d.*, o.name AS organization_name
FROM directory_settings d JOIN organizations o ON o.id = d.organization_id
WHERE d.slug = @slug AND d.enabled;

-- name: GetPartnerProfile :one
SELECT * FROM partner_profiles WHERE organization_id = @organization_id AND partner_id = @partner_id;

-- name: CreatePartnerProfile :one
-- The first save of a partner's profile (always a draft).
INSERT INTO partner_profiles (organization_id, partner_id, slug, company_name, website, tagline, description,
    specialties, free_specialty, areas, platforms, budget_band, languages, contact_email, facets, created_at, updated_at)
VALUES (@organization_id, @partner_id, @slug, @company_name, @website, @tagline, @description,
    @specialties, @free_specialty, @areas, @platforms, @budget_band, @languages, @contact_email, @facets, @now, @now)
RETURNING *;

-- name: UpdatePartnerProfileContent :one
-- Saves the profile's content. A published profile under an approval rule
-- goes back to review (state given by the caller).
UPDATE partner_profiles SET company_name = @company_name, website = @website, tagline = @tagline,
    description = @description, specialties = @specialties, free_specialty = @free_specialty, areas = @areas,
    platforms = @platforms, budget_band = @budget_band, languages = @languages, contact_email = @contact_email,
    facets = @facets, state = @state, submitted_at = CASE WHEN @state::text = 'pending' THEN @now ELSE submitted_at END,
    updated_at = @now
WHERE organization_id = @organization_id AND partner_id = @partner_id
RETURNING *;

-- name: SetPartnerProfileLogo :exec
UPDATE partner_profiles SET logo_key = @logo_key, updated_at = @now
WHERE organization_id = @organization_id AND partner_id = @partner_id;

-- name: SetPartnerProfileState :one
-- Publish (published or pending), unpublish (draft), or a staff decision.
UPDATE partner_profiles SET state = @state, decline_reason = @decline_reason,
    submitted_at = CASE WHEN @state::text = 'pending' THEN @now ELSE submitted_at END,
    published_at = CASE WHEN @state::text = 'published' THEN @now WHEN @state::text = 'draft' THEN NULL ELSE published_at END,
    updated_at = @now
WHERE organization_id = @organization_id AND partner_id = @partner_id AND state = ANY(@from_states::text[])
RETURNING *;

-- name: ListPendingProfiles :many
SELECT pp.*, p.name AS partner_name FROM partner_profiles pp
JOIN partners p ON p.organization_id = pp.organization_id AND p.id = pp.partner_id
WHERE pp.organization_id = @organization_id AND pp.state = 'pending'
ORDER BY pp.submitted_at, pp.partner_id
LIMIT 200;

-- name: ListProfilesForConsole :many
-- Every profile of the organization with its state (the settings page's
-- featured list and the review list).
SELECT pp.partner_id, pp.company_name, pp.slug, pp.state, pp.decline_reason, p.name AS partner_name
FROM partner_profiles pp
JOIN partners p ON p.organization_id = pp.organization_id AND p.id = pp.partner_id
WHERE pp.organization_id = @organization_id
ORDER BY lower(pp.company_name), pp.partner_id
LIMIT 500;

-- name: PartnerProfileSlugTaken :one
SELECT EXISTS (SELECT 1 FROM partner_profiles WHERE organization_id = @organization_id AND slug = @slug AND partner_id <> @partner_id);

-- name: SearchDirectory :many
-- One page of an organization's published profiles matching the filters.
-- Run through Store.CustomPlans(): each execution is planned with its
-- values, so an empty search or filter folds away and the CASEs of the
-- ORDER BY reduce to the columns of one of the indexes above (featured,
-- name, newest), which an unfiltered page walks and stops after 24 rows.
SELECT partner_id, slug, company_name, tagline, logo_key, specialties, free_specialty, areas, platforms,
       budget_band, languages, published_at, featured_rank
FROM partner_profiles
WHERE organization_id = @organization_id AND state = 'published'
  AND (cardinality(@facets::text[]) = 0 OR facets @> @facets::text[])
  AND (@q::text = '' OR search @@ websearch_to_tsquery('simple', @q::text))
ORDER BY
  CASE WHEN @sort::text = 'featured' THEN featured_rank ELSE 0 END,
  CASE WHEN @sort::text = 'newest' THEN published_at END DESC,
  CASE WHEN @sort::text = 'newest' THEN '' ELSE lower(company_name) END,
  partner_id
LIMIT @lim OFFSET @off;

-- name: CountDirectory :one
-- How many match, counted up to @max_count (the page says "1,000+").
SELECT count(*) FROM (
  SELECT 1 FROM partner_profiles
  WHERE organization_id = @organization_id AND state = 'published'
    AND (cardinality(@facets::text[]) = 0 OR facets @> @facets::text[])
    AND (@q::text = '' OR search @@ websearch_to_tsquery('simple', @q::text))
  LIMIT @max_count) m;

-- name: RankFeaturedProfiles :exec
-- Copies the featured order of the settings onto the profiles.
UPDATE partner_profiles SET featured_rank = coalesce(array_position(@featured::bigint[], partner_id), 2147483647)
WHERE organization_id = @organization_id
  AND featured_rank <> coalesce(array_position(@featured::bigint[], partner_id), 2147483647);

-- name: GetPublishedProfile :one
SELECT * FROM partner_profiles
WHERE organization_id = @organization_id AND slug = @slug AND state = 'published';

-- name: ListPublishedProfileSlugs :many
-- The sitemap: an index-only scan of partner_profiles_sitemap_idx (the
-- order of a sitemap means nothing; 50,000 is the format's limit).
SELECT slug, updated_at FROM partner_profiles
WHERE organization_id = @organization_id AND state = 'published'
ORDER BY partner_id
LIMIT 50000;

-- name: PublishedProfilesVersion :one
-- What the sitemap depends on, from the same index-only scan: a cached
-- sitemap is served while these are unchanged (a profile published,
-- unpublished or edited changes one of them).
SELECT count(*)::bigint AS n, coalesce(sum(partner_id), 0)::bigint AS id_sum,
       coalesce(max(updated_at), 'epoch')::timestamptz AS last_updated
FROM partner_profiles
WHERE organization_id = @organization_id AND state = 'published';
