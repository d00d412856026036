-- name: ListInvoicesOfOrganizationCommissions :many
-- For the console commission list (all partners of the organization): which
-- live invoice carries each row. Lines and invoices are joined on
-- organization and partner, so a line never names another partner's invoice.
SELECT il.commission_id, i.id AS invoice_id, i.number
FROM invoice_lines il
JOIN invoices i ON i.organization_id = il.organization_id AND i.id = il.invoice_id AND i.partner_id = il.partner_id
WHERE il.organization_id = @organization_id
  AND il.commission_id = ANY(@commission_ids::bigint[]) AND il.live;
