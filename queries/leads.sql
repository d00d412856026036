-- name: CreateLead :one
INSERT INTO leads (organization_id, partner_id, created_by_user_id, source, status, stage,
                   company, domain, contact_name, email, phone, currency, deal_value_minor, revenue_minor,
                   notes, duplicate_of_lead_id, duplicate_reason, tracking_link_id, created_at, updated_at, won_at)
VALUES (@organization_id, @partner_id, @created_by_user_id, @source, @status, @stage,
        @company, @domain, @contact_name, @email, @phone, @currency, @deal_value_minor, @revenue_minor,
        @notes, @duplicate_of_lead_id, @duplicate_reason, @tracking_link_id, @created_at, @created_at, @won_at)
RETURNING id;

-- name: FindDuplicateLead :one
-- The oldest open lead (not rejected, not won or lost) of the organization,
-- registered within the protection window, with the same email or the same
-- company domain. Any partner's lead counts: that is the point.
SELECT id, partner_id, company, email, domain, created_at,
       (@email::text <> '' AND lower(email) = lower(@email::text))::boolean AS same_email
FROM leads
WHERE organization_id = @organization_id
  AND id <> @exclude_id::bigint
  AND status <> 'rejected' AND stage NOT IN ('won', 'lost')
  AND created_at >= (@now::timestamptz) - make_interval(days => @protection_days::integer)
  -- email <> '' and domain <> '' repeat the partial indexes' predicates so
  -- PostgreSQL can use leads_org_email_idx / leads_org_domain_idx (without
  -- them: a scan of the organization's leads, ~200 ms at 1M).
  AND ((@email::text <> '' AND email <> '' AND lower(email) = lower(@email::text))
    OR (@domain::text <> '' AND domain <> '' AND lower(domain) = lower(@domain::text)))
ORDER BY created_at, id
LIMIT 1;

-- name: CountLeadsForOrganization :one
SELECT count(*) FROM leads WHERE organization_id = $1;

