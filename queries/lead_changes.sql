-- Partner-side reads and changes of one lead: detail, edit, delete, notes.
-- Every statement takes the organization and the partner: a partner never
-- reads or changes another partner's lead, and the rules for who may change
-- what are repeated in the WHERE clauses so a race with staff review can't
-- slip past the handler's check.

-- name: GetLeadForPartner :one
SELECT sqlc.embed(leads), coalesce(u.name, '')::text AS created_by_name
FROM leads
LEFT JOIN users u ON u.id = leads.created_by_user_id
WHERE leads.organization_id = @organization_id AND leads.partner_id = @partner_id AND leads.id = @id;

-- name: LockLeadForPartner :one
-- The lead as it is now, locked until the transaction ends (edits read the
-- old values for the history under this lock).
SELECT * FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id
FOR UPDATE;

-- name: UpdateLeadForPartner :execrows
-- Only an In Review lead the partner registered, and for a partner User only
-- their own; 0 rows means the lead was reviewed (or is not theirs) meanwhile.
UPDATE leads
SET company = @company, domain = @domain, contact_name = @contact_name, email = @email, phone = @phone,
    currency = @currency, deal_value_minor = @deal_value_minor, notes = @notes,
    duplicate_of_lead_id = @duplicate_of_lead_id, duplicate_reason = @duplicate_reason, updated_at = @now::timestamptz
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id
  AND status = 'in_review' AND source = 'partner'
  AND (@is_admin::boolean OR created_by_user_id = @user_id::bigint);

-- name: DeleteLeadForPartner :one
-- Same rule as UpdateLeadForPartner; its history goes with it (ON DELETE CASCADE).
DELETE FROM leads
WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id
  AND status = 'in_review' AND source = 'partner'
  AND (@is_admin::boolean OR created_by_user_id = @user_id::bigint)
RETURNING company;

-- name: CreateLeadNote :execrows
-- A note on any lead of the partner, whatever its status; 0 rows when the
-- lead is not the partner's.
INSERT INTO lead_events (organization_id, partner_id, lead_id, actor_user_id, kind, note, created_at)
SELECT l.organization_id, l.partner_id, l.id, @actor_user_id, 'note', @note, @now::timestamptz
FROM leads l
WHERE l.organization_id = @organization_id AND l.partner_id = @partner_id AND l.id = @id;
