-- name: ListAgreements :many
-- published_version is 0 while nothing is published (a new agreement): the
-- max over no rows is NULL, which would not scan into an int32.
SELECT a.*,
       coalesce((SELECT max(v.version) FROM agreement_versions v WHERE v.agreement_id = a.id AND v.published_at IS NOT NULL), 0)::integer AS published_version,
       EXISTS (SELECT 1 FROM agreement_versions v WHERE v.agreement_id = a.id AND v.published_at IS NULL) AS has_draft
FROM agreements a
WHERE a.organization_id = $1
ORDER BY a.created_at, a.id;

-- name: GetAgreement :one
SELECT * FROM agreements WHERE organization_id = $1 AND id = $2;

-- name: CreateAgreement :one
INSERT INTO agreements (organization_id, title) VALUES ($1, $2) RETURNING *;

-- name: UpdateAgreementTitle :exec
UPDATE agreements SET title = $3 WHERE organization_id = $1 AND id = $2;

-- name: SetAgreementEnabled :exec
UPDATE agreements SET enabled = $3 WHERE organization_id = $1 AND id = $2;

-- name: SaveDraftVersion :one
-- Creates the draft (next version number) or replaces its text.
INSERT INTO agreement_versions (organization_id, agreement_id, version, body, body_sha256, created_by, created_at)
SELECT @organization_id, @agreement_id,
       coalesce((SELECT max(version) FROM agreement_versions WHERE agreement_id = @agreement_id), 0) + 1,
       @body, @body_sha256, @created_by, @now::timestamptz
ON CONFLICT (agreement_id) WHERE published_at IS NULL
DO UPDATE SET body = EXCLUDED.body, body_sha256 = EXCLUDED.body_sha256, created_by = EXCLUDED.created_by
RETURNING *;

-- name: GetDraftVersion :one
SELECT * FROM agreement_versions
WHERE organization_id = $1 AND agreement_id = $2 AND published_at IS NULL;

-- name: PublishDraftVersion :one
UPDATE agreement_versions SET published_at = @now::timestamptz
WHERE organization_id = @organization_id AND agreement_id = @agreement_id AND published_at IS NULL
RETURNING *;

-- name: ListAgreementVersions :many
SELECT v.id, v.version, v.created_at, v.published_at,
       (SELECT count(*) FROM agreement_signatures s WHERE s.agreement_version_id = v.id) AS signature_count
FROM agreement_versions v
WHERE v.organization_id = $1 AND v.agreement_id = $2
ORDER BY v.version DESC;

-- name: ListUnsignedAgreementVersions :many
-- The latest published version of every enabled agreement that the partner
-- company has not signed yet. Empty when the organization has agreements off.
SELECT v.id, v.version, v.body, v.body_sha256, a.title
FROM agreements a
JOIN organizations o ON o.id = a.organization_id
JOIN LATERAL (
    SELECT * FROM agreement_versions v
    WHERE v.agreement_id = a.id AND v.published_at IS NOT NULL
    ORDER BY v.version DESC LIMIT 1
) v ON true
WHERE a.organization_id = @organization_id AND a.enabled AND o.agreements_enabled
  AND NOT EXISTS (
    SELECT 1 FROM agreement_signatures s
    WHERE s.organization_id = @organization_id AND s.partner_id = @partner_id AND s.agreement_version_id = v.id)
ORDER BY a.created_at, a.id;

-- name: CreateSignature :one
INSERT INTO agreement_signatures
    (organization_id, partner_id, agreement_version_id, user_id, signer_name, signer_email,
     signature_kind, signature_image, signed_text_sha256, ip, user_agent, signed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (partner_id, agreement_version_id) DO NOTHING
RETURNING id;

-- name: ListSignaturesForPartner :many
SELECT s.id, s.signer_name, s.signer_email, s.signed_at, v.version, a.title
FROM agreement_signatures s
JOIN agreement_versions v ON v.organization_id = s.organization_id AND v.id = s.agreement_version_id
JOIN agreements a ON a.organization_id = v.organization_id AND a.id = v.agreement_id
WHERE s.organization_id = $1 AND s.partner_id = $2
ORDER BY s.signed_at DESC;

-- name: GetSignatureForPartner :one
SELECT s.*, v.version, v.body, a.title, p.name AS partner_name
FROM agreement_signatures s
JOIN agreement_versions v ON v.organization_id = s.organization_id AND v.id = s.agreement_version_id
JOIN agreements a ON a.organization_id = v.organization_id AND a.id = v.agreement_id
JOIN partners p ON p.organization_id = s.organization_id AND p.id = s.partner_id
WHERE s.organization_id = $1 AND s.partner_id = $2 AND s.id = $3;

-- name: GetSignatureForOrganization :one
SELECT s.*, v.version, v.body, a.title, p.name AS partner_name
FROM agreement_signatures s
JOIN agreement_versions v ON v.organization_id = s.organization_id AND v.id = s.agreement_version_id
JOIN agreements a ON a.organization_id = v.organization_id AND a.id = v.agreement_id
JOIN partners p ON p.organization_id = s.organization_id AND p.id = s.partner_id
WHERE s.organization_id = $1 AND s.id = $2;

-- name: ListSignaturesForAgreement :many
SELECT s.id, s.signer_name, s.signer_email, s.signature_kind, s.signed_at, s.ip,
       v.version, p.name AS partner_name
FROM agreement_signatures s
JOIN agreement_versions v ON v.organization_id = s.organization_id AND v.id = s.agreement_version_id
JOIN partners p ON p.organization_id = s.organization_id AND p.id = s.partner_id
WHERE s.organization_id = $1 AND v.agreement_id = $2
ORDER BY s.signed_at DESC;

-- name: GetLatestPublishedVersion :one
SELECT * FROM agreement_versions
WHERE organization_id = $1 AND agreement_id = $2 AND published_at IS NOT NULL
ORDER BY version DESC
LIMIT 1;
