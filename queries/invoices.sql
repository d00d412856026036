-- Invoices and payouts (issue 9): written by the invoice run (app/invoice),
-- read by the Payments → Invoices pages and the console. Every query names
-- the organization, and every partner-facing one the partner too.

-- name: GetInvoiceSettings :one
-- The program's invoice settings, with the defaults when none are saved.
SELECT o.id AS organization_id, o.name AS organization_name, o.slug, o.time_zone, o.currency::text AS currency,
       coalesce(s.period, 'monthly')::text AS period, coalesce(s.net_days, 30)::integer AS net_days,
       coalesce(s.number_prefix, 'INV')::text AS number_prefix,
       coalesce(s.vendor_name, '')::text AS vendor_name, coalesce(s.vendor_address, '')::text AS vendor_address,
       coalesce(s.vendor_tax_id, '')::text AS vendor_tax_id, coalesce(s.vendor_country, '')::text AS vendor_country,
       coalesce(s.vendor_iban, '')::text AS vendor_iban, coalesce(s.vendor_bic, '')::text AS vendor_bic
FROM organizations o
LEFT JOIN invoice_settings s ON s.organization_id = o.id
WHERE o.id = @organization_id;

-- name: UpsertInvoiceSettings :exec
INSERT INTO invoice_settings (organization_id, period, net_days, number_prefix, vendor_name, vendor_address,
                              vendor_tax_id, vendor_country, vendor_iban, vendor_bic, updated_at)
VALUES (@organization_id, @period, @net_days, @number_prefix, @vendor_name, @vendor_address,
        @vendor_tax_id, @vendor_country, @vendor_iban, @vendor_bic, @now)
ON CONFLICT (organization_id) DO UPDATE SET
    period = EXCLUDED.period, net_days = EXCLUDED.net_days, number_prefix = EXCLUDED.number_prefix,
    vendor_name = EXCLUDED.vendor_name, vendor_address = EXCLUDED.vendor_address,
    vendor_tax_id = EXCLUDED.vendor_tax_id, vendor_country = EXCLUDED.vendor_country,
    vendor_iban = EXCLUDED.vendor_iban, vendor_bic = EXCLUDED.vendor_bic, updated_at = EXCLUDED.updated_at;

-- name: ListInvoiceMinimums :many
SELECT currency::text AS currency, amount_minor FROM invoice_minimums
WHERE organization_id = @organization_id ORDER BY currency;

-- name: DeleteInvoiceMinimums :exec
DELETE FROM invoice_minimums WHERE organization_id = @organization_id;

-- name: SetInvoiceMinimum :exec
INSERT INTO invoice_minimums (organization_id, currency, amount_minor) VALUES (@organization_id, @currency, @amount_minor)
ON CONFLICT (organization_id, currency) DO UPDATE SET amount_minor = EXCLUDED.amount_minor;

-- name: ListOrganizationsForInvoicing :many
-- Every organization with its time zone and invoice period (the scheduler).
SELECT o.id, o.slug, o.time_zone, coalesce(s.period, 'monthly')::text AS period
FROM organizations o LEFT JOIN invoice_settings s ON s.organization_id = o.id
ORDER BY o.id;

-- name: StartInvoiceRun :exec
INSERT INTO invoice_runs (organization_id, period_key, started_at) VALUES (@organization_id, @period_key, @now)
ON CONFLICT (organization_id, period_key) DO NOTHING;

-- name: FinishInvoiceRun :exec
UPDATE invoice_runs SET finished_at = @now::timestamptz, invoices = invoices + @invoices, carried_over = @carried_over
WHERE organization_id = @organization_id AND period_key = @period_key;

-- name: GetInvoiceRun :one
SELECT * FROM invoice_runs WHERE organization_id = @organization_id AND period_key = @period_key;

-- name: ListInvoiceRuns :many
SELECT * FROM invoice_runs WHERE organization_id = @organization_id ORDER BY started_at DESC LIMIT 5;

-- name: ListUninvoicedBalances :many
-- Per partner and currency: the approved commissions (approved before
-- @until) on no live invoice, netted. The run's work list.
SELECT c.partner_id, c.currency::text AS currency, sum(c.amount_minor)::bigint AS amount_minor, count(*)::bigint AS n
FROM commissions c
WHERE c.organization_id = @organization_id AND c.status = 'approved' AND c.approved_at < @until::timestamptz
  AND NOT EXISTS (SELECT 1 FROM invoice_lines il
                  WHERE il.organization_id = c.organization_id AND il.commission_id = c.id AND il.live)
GROUP BY c.partner_id, c.currency
ORDER BY c.partner_id, c.currency;

-- name: SumUninvoicedForPartner :many
-- The partner's approved balance not yet on an invoice, per currency (what
-- carries over).
SELECT c.currency::text AS currency, sum(c.amount_minor)::bigint AS amount_minor
FROM commissions c
WHERE c.organization_id = @organization_id AND c.partner_id = @partner_id AND c.status = 'approved'
  AND NOT EXISTS (SELECT 1 FROM invoice_lines il
                  WHERE il.organization_id = c.organization_id AND il.commission_id = c.id AND il.live)
GROUP BY c.currency ORDER BY c.currency;

-- name: LockPartnerForInvoicing :one
-- Held until the transaction ends: two runs invoicing one partner are served
-- one after the other.
SELECT id FROM partners WHERE organization_id = @organization_id AND id = @partner_id FOR UPDATE;

-- name: GetLiveInvoiceForPeriod :one
SELECT id, number FROM invoices
WHERE organization_id = @organization_id AND partner_id = @partner_id AND currency = @currency
  AND period_key = @period_key AND status <> 'void';

-- name: ListUninvoicedCommissions :many
-- The commissions one invoice takes, locked.
-- The lead's company is the row's own copy (kept by triggers, issue 8): a
-- join to leads here, planned on stale statistics after a bulk load,
-- rescanned the organization's leads for every commission (256 ms per
-- invoice at 10,000 partners; docs/BENCHMARKS.md).
SELECT c.id, c.kind, c.amount_minor, c.basis_minor, c.rate_bps, c.stage, c.reason, c.adjusts_id, c.earned_at,
       c.lead_company
FROM commissions c
WHERE c.organization_id = @organization_id AND c.partner_id = @partner_id AND c.currency = @currency
  AND c.status = 'approved' AND c.approved_at < @until::timestamptz
  -- A probe of invoice_lines_one_live per row (LIMIT keeps the subquery
  -- from being turned into a join): as an anti join, a connection's cached
  -- generic plan, made while invoice_lines was nearly empty, hashed the
  -- whole table for every invoice once it held a million lines.
  AND (SELECT count(*) FROM (SELECT 1 FROM invoice_lines il
       WHERE il.organization_id = c.organization_id AND il.commission_id = c.id AND il.live LIMIT 1) x) = 0
ORDER BY c.earned_at, c.id
FOR UPDATE OF c;

-- name: NextInvoiceSequence :one
-- The organization's next number; the row stays locked until the
-- transaction ends, so numbers are handed out in commit order and a rollback
-- gives its number back: no gaps.
INSERT INTO invoice_counters AS ic (organization_id, last_sequence) VALUES (@organization_id, 1)
ON CONFLICT (organization_id) DO UPDATE SET last_sequence = ic.last_sequence + 1
RETURNING last_sequence;

-- name: GetPartnerForInvoice :one
-- The partner's legal details and payout settings (sealed) at issue time.
SELECT p.name, coalesce(b.legal_name, '')::text AS legal_name, coalesce(b.address, '')::text AS address,
       coalesce(b.tax_id, '')::text AS tax_id, coalesce(b.country, '')::text AS country,
       coalesce(ps.method, '')::text AS payout_method, coalesce(ps.sealed_key_id, '')::text AS sealed_key_id, ps.sealed
FROM partners p
LEFT JOIN partner_billing_details b ON b.organization_id = p.organization_id AND b.partner_id = p.id
LEFT JOIN partner_payout_settings ps ON ps.organization_id = p.organization_id AND ps.partner_id = p.id
WHERE p.organization_id = @organization_id AND p.id = @partner_id;

-- name: CreateInvoice :one
INSERT INTO invoices (organization_id, partner_id, kind, credits_invoice_id, sequence, number, currency, period_key,
                      period_label, issued_on, due_on, total_minor, line_count, vendor_name, vendor_address,
                      vendor_tax_id, vendor_country, partner_name, partner_address, partner_tax_id, partner_country,
                      reverse_charge, payout_method, payout_masked, payout_details_missing, created_at)
VALUES (@organization_id, @partner_id, @kind, sqlc.narg(credits_invoice_id), @sequence, @number, @currency, @period_key,
        @period_label, @issued_on, @due_on, @total_minor, @line_count, @vendor_name, @vendor_address,
        @vendor_tax_id, @vendor_country, @partner_name, @partner_address, @partner_tax_id, @partner_country,
        @reverse_charge, @payout_method, @payout_masked, @payout_details_missing, @now)
RETURNING *;

-- name: NumberInvoice :one
-- A draft written by the run gets its number (the counter row is locked by
-- NextInvoiceSequence until the transaction ends).
UPDATE invoices SET sequence = @sequence, number = @number
WHERE organization_id = @organization_id AND id = @id AND sequence < 0
RETURNING *;

-- name: AddIssuedInvoiceLines :execrows
-- A new invoice's lines and its "issued" event in one statement (the run
-- holds the organization's counter row from numbering to commit, so every
-- round trip in between is paid by the whole run).
WITH event AS (
  INSERT INTO invoice_events (organization_id, invoice_id, kind, detail, created_at)
  SELECT @organization_id, @invoice_id, 'issued', @detail::text, @now::timestamptz
)
INSERT INTO invoice_lines (organization_id, partner_id, invoice_id, commission_id, amount_minor)
SELECT c.organization_id, c.partner_id, @invoice_id, c.id, c.amount_minor
FROM commissions c
WHERE c.organization_id = @organization_id AND c.partner_id = @partner_id AND c.id = ANY(@commission_ids::bigint[]);

-- name: AddInvoiceEvent :exec
INSERT INTO invoice_events (organization_id, invoice_id, kind, detail, user_id, created_at)
VALUES (@organization_id, @invoice_id, @kind, @detail, sqlc.narg(user_id), @now);

-- name: InvoiceOfCommission :one
-- The paid invoice a corrected commission was on (a credit note names it).
SELECT i.id FROM invoice_lines il
JOIN invoices i ON i.organization_id = il.organization_id AND i.id = il.invoice_id
WHERE il.organization_id = @organization_id AND il.partner_id = @partner_id AND il.commission_id = @commission_id AND il.live
LIMIT 1;

-- name: NotifyInvoicePartnerAdmins :many
-- One notification for each admin of the partner company (the email task
-- sends each once).
INSERT INTO notifications (organization_id, user_id, body, link, created_at)
SELECT u.organization_id, u.id, @body, @link, @now::timestamptz
FROM users u
WHERE u.organization_id = @organization_id AND u.partner_id = @partner_id::bigint AND u.role = 'partner_admin'
ORDER BY u.id
RETURNING id;

-- name: NotifyInvoicePartnerAdminsMany :many
-- Several notifications (@bodies[i] linking to @links[i]) for each admin of
-- the partner company, in one statement: in bodies order, then by admin.
INSERT INTO notifications (organization_id, user_id, body, link, created_at)
SELECT u.organization_id, u.id, b.body, b.link, @now::timestamptz
FROM (SELECT unnest(@bodies::text[]) AS body, unnest(@links::text[]) AS link,
             generate_subscripts(@bodies::text[], 1) AS ord) AS b
JOIN users u ON u.organization_id = @organization_id AND u.partner_id = @partner_id::bigint AND u.role = 'partner_admin'
ORDER BY b.ord, u.id
RETURNING id;

-- name: SetInvoicePDFs :execrows
-- The stored PDFs of several invoices at once.
UPDATE invoices i SET pdf_key = k.pdf_key
FROM (SELECT unnest(@ids::bigint[]) AS id, unnest(@pdf_keys::text[]) AS pdf_key) AS k
WHERE i.organization_id = @organization_id AND i.id = k.id;

-- name: ListInvoicesWithoutPDF :many
SELECT id, partner_id FROM invoices WHERE organization_id = @organization_id AND pdf_key = '' ORDER BY id LIMIT @max_rows;

-- name: SetInvoicePDF :exec
UPDATE invoices SET pdf_key = @pdf_key WHERE organization_id = @organization_id AND id = @id;

-- name: GetInvoice :one
-- One invoice of one partner (partner pages; staff pass the partner too).
SELECT * FROM invoices WHERE organization_id = @organization_id AND partner_id = @partner_id AND id = @id;

-- name: GetInvoiceForStaff :one
-- One invoice of the organization (console).
SELECT * FROM invoices WHERE organization_id = @organization_id AND id = @id;

-- name: ListInvoiceLines :many
SELECT il.id, il.commission_id, il.amount_minor, il.live, c.kind, c.basis_minor, c.rate_bps, c.stage, c.reason,
       c.earned_at, c.lead_id, coalesce(l.company, '')::text AS lead_company
FROM invoice_lines il
JOIN commissions c ON c.organization_id = il.organization_id AND c.id = il.commission_id
LEFT JOIN leads l ON l.organization_id = c.organization_id AND l.id = c.lead_id
WHERE il.organization_id = @organization_id AND il.partner_id = @partner_id AND il.invoice_id = @invoice_id
ORDER BY c.earned_at, c.id;

-- name: ListInvoiceEvents :many
SELECT e.kind, e.detail, e.created_at, coalesce(u.name, '')::text AS user_name
FROM invoice_events e
LEFT JOIN users u ON u.id = e.user_id
WHERE e.organization_id = @organization_id AND e.invoice_id = @invoice_id
ORDER BY e.id;

-- name: ListInvoicesForPartner :many
-- The partner's Invoices tab: @status '' = all; @search matches the number
-- or the period; @amount > 0 matches the total.
SELECT id, kind, number, currency::text AS currency, period_label, status, issued_on, due_on, total_minor, paid_on,
       payout_details_missing
FROM invoices
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND (@status::text = '' OR status = @status::text)
  AND (@search::text = '' OR strpos(lower(number), @search::text) > 0 OR strpos(lower(period_label), @search::text) > 0
       OR strpos(period_key, @search::text) > 0 OR (@amount::bigint > 0 AND abs(total_minor) = @amount::bigint))
ORDER BY
  CASE WHEN @sort::text = 'amount' THEN total_minor END DESC,
  CASE WHEN @sort::text = 'amount_asc' THEN total_minor END ASC,
  CASE WHEN @sort::text = 'due' THEN due_on END ASC,
  CASE WHEN @sort::text = 'issued_asc' THEN sequence END ASC,
  sequence DESC
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountInvoicesForPartner :one
SELECT count(*) FROM invoices
WHERE organization_id = @organization_id AND partner_id = @partner_id
  AND (@status::text = '' OR status = @status::text)
  AND (@search::text = '' OR strpos(lower(number), @search::text) > 0 OR strpos(lower(period_label), @search::text) > 0
       OR strpos(period_key, @search::text) > 0 OR (@amount::bigint > 0 AND abs(total_minor) = @amount::bigint));

-- name: SumInvoicesForPartner :many
-- Amount Due (pending) and Amount Paid per currency.
SELECT currency::text AS currency, status, sum(total_minor)::bigint AS amount_minor
FROM invoices
WHERE organization_id = @organization_id AND partner_id = @partner_id AND status IN ('pending', 'paid')
GROUP BY currency, status ORDER BY currency, status;

-- name: ListInvoicesForOrganization :many
-- The console list: filters are empty (or 0, or NULL) when unused. A partner
-- name search is passed as @partner_ids when it matches a few partners (the
-- partner index, then a sort) and as @partner_search when it matches many
-- (a semi-join while walking the sequence backwards).
SELECT i.id, i.partner_id, i.kind, i.number, i.currency::text AS currency, i.period_label, i.period_key, i.status,
       i.issued_on, i.due_on, i.total_minor, i.paid_on, i.payment_reference, i.payout_method,
       i.payout_details_missing, i.batch_id, i.partner_name
FROM invoices i
WHERE i.organization_id = @organization_id
  AND (@status::text = '' OR i.status = @status::text)
  AND (@partner_id::bigint = 0 OR i.partner_id = @partner_id::bigint)
  AND (sqlc.narg(partner_ids)::bigint[] IS NULL OR i.partner_id = ANY(sqlc.narg(partner_ids)::bigint[]))
  AND (@partner_search::text = '' OR i.partner_id IN (SELECT p.id FROM partners p WHERE p.organization_id = @organization_id
                                                       AND strpos(lower(p.name), @partner_search::text) > 0))
  AND (@period_key::text = '' OR i.period_key = @period_key::text)
  AND (@currency::text = '' OR i.currency = @currency::text)
ORDER BY i.sequence DESC
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountInvoicesForOrganization :one
SELECT count(*) FROM invoices i
WHERE i.organization_id = @organization_id
  AND (@status::text = '' OR i.status = @status::text)
  AND (@partner_id::bigint = 0 OR i.partner_id = @partner_id::bigint)
  AND (sqlc.narg(partner_ids)::bigint[] IS NULL OR i.partner_id = ANY(sqlc.narg(partner_ids)::bigint[]))
  AND (@partner_search::text = '' OR i.partner_id IN (SELECT p.id FROM partners p WHERE p.organization_id = @organization_id
                                                       AND strpos(lower(p.name), @partner_search::text) > 0))
  AND (@period_key::text = '' OR i.period_key = @period_key::text)
  AND (@currency::text = '' OR i.currency = @currency::text);

-- name: SearchInvoicePartners :many
-- The console filter's partner suggestions: at most @max_rows partner
-- companies whose name contains @search (lower case), exact and prefix
-- matches first.
SELECT id, name FROM partners
WHERE organization_id = @organization_id AND strpos(lower(name), @search::text) > 0
ORDER BY lower(name) = @search::text DESC, strpos(lower(name), @search::text) = 1 DESC, name, id
LIMIT @max_rows;

-- name: GetPartnerName :one
SELECT name FROM partners WHERE organization_id = @organization_id AND id = @partner_id;

-- name: ListInvoicePeriods :many
SELECT DISTINCT period_key, period_label FROM invoices WHERE organization_id = @organization_id
ORDER BY period_key DESC LIMIT 36;

-- name: MarkInvoicePaid :one
-- Pending → paid; a paid or void invoice is left alone (no row).
UPDATE invoices SET status = 'paid', paid_on = @paid_on, payment_reference = @payment_reference, paid_at = @now::timestamptz
WHERE organization_id = @organization_id AND id = @id AND status = 'pending'
RETURNING id, partner_id, number, total_minor, currency::text AS currency;

-- name: MarkInvoiceCommissionsPaid :execrows
UPDATE commissions c SET status = 'paid', paid_at = @now::timestamptz, updated_at = @now::timestamptz
FROM invoice_lines il
WHERE il.organization_id = @organization_id AND il.invoice_id = @invoice_id AND il.live
  AND c.organization_id = il.organization_id AND c.id = il.commission_id AND c.status = 'approved';

-- name: VoidInvoice :one
-- Pending → void; its lines stop being live so their commissions are
-- invoiced again.
UPDATE invoices SET status = 'void', void_reason = @void_reason, voided_at = @now::timestamptz, batch_id = NULL
WHERE organization_id = @organization_id AND id = @id AND status = 'pending'
RETURNING id, partner_id, number;

-- name: ReleaseInvoiceLines :execrows
UPDATE invoice_lines SET live = false WHERE organization_id = @organization_id AND invoice_id = @invoice_id AND live;

-- name: CreatePayoutBatch :one
INSERT INTO payout_batches (organization_id, created_by, created_at) VALUES (@organization_id, sqlc.narg(created_by), @now)
RETURNING id;

-- name: AddInvoicesToBatch :many
-- Pending invoices (not credit notes) in no open batch join the batch.
UPDATE invoices SET batch_id = @batch_id
WHERE organization_id = @organization_id AND id = ANY(@ids::bigint[]) AND status = 'pending' AND kind = 'invoice'
  AND batch_id IS NULL
RETURNING id;

-- name: GetPayoutBatch :one
SELECT * FROM payout_batches WHERE organization_id = @organization_id AND id = @id;

-- name: ListPayoutBatches :many
SELECT b.*, count(i.id)::bigint AS invoices,
       coalesce(string_agg(DISTINCT i.currency, ', '), '')::text AS currencies
FROM payout_batches b
LEFT JOIN invoices i ON i.organization_id = b.organization_id AND i.batch_id = b.id
WHERE b.organization_id = @organization_id
GROUP BY b.id ORDER BY b.id DESC LIMIT 20;

-- name: ListBatchInvoices :many
-- A batch's invoices with what the payout file needs (details sealed).
SELECT i.id, i.partner_id, i.number, i.currency::text AS currency, i.total_minor, i.status, i.partner_name,
       coalesce(ps.method, '')::text AS payout_method, coalesce(ps.sealed_key_id, '')::text AS sealed_key_id, ps.sealed
FROM invoices i
LEFT JOIN partner_payout_settings ps ON ps.organization_id = i.organization_id AND ps.partner_id = i.partner_id
WHERE i.organization_id = @organization_id AND i.batch_id = @batch_id
ORDER BY i.sequence;

-- name: MarkPayoutBatchPaid :one
UPDATE payout_batches SET status = 'paid', paid_on = @paid_on, payment_reference = @payment_reference
WHERE organization_id = @organization_id AND id = @id AND status = 'open'
RETURNING id;

-- name: ListInvoicesOfCommissions :many
-- For the commission lists: which live invoice carries each row.
SELECT il.commission_id, i.id AS invoice_id, i.number
FROM invoice_lines il
JOIN invoices i ON i.organization_id = il.organization_id AND i.id = il.invoice_id
WHERE il.organization_id = @organization_id AND il.partner_id = @partner_id
  AND il.commission_id = ANY(@commission_ids::bigint[]) AND il.live;

-- name: UpsertSealedPayoutSettings :exec
-- Payout details are written sealed only (app/vault); the plaintext columns
-- are emptied.
INSERT INTO partner_payout_settings
    (organization_id, partner_id, method, account_holder, iban, bic, paypal_email, currency, updated_at, sealed_key_id, sealed)
VALUES (@organization_id, @partner_id, @method, '', '', '', '', @currency, @updated_at, @sealed_key_id, @sealed)
ON CONFLICT (organization_id, partner_id) DO UPDATE SET
    method = EXCLUDED.method, account_holder = '', iban = '', bic = '', paypal_email = '',
    currency = EXCLUDED.currency, updated_at = EXCLUDED.updated_at,
    sealed_key_id = EXCLUDED.sealed_key_id, sealed = EXCLUDED.sealed;

-- name: ListPayoutSettingsToSeal :many
-- Rows to (re)seal by `portal keys rotate`: legacy plaintext, or sealed
-- under another key than @current_key_id.
-- Pages by key after (@after_organization_id, @after_partner_id), so a row
-- that cannot be opened is passed over rather than met again.
SELECT * FROM partner_payout_settings
WHERE (sealed IS NULL OR sealed_key_id <> @current_key_id::text
   OR account_holder <> '' OR iban <> '' OR bic <> '' OR paypal_email <> '')
  AND (organization_id, partner_id) > (@after_organization_id::bigint, @after_partner_id::bigint)
ORDER BY organization_id, partner_id
LIMIT 500;

-- name: ResealPayoutSettings :exec
UPDATE partner_payout_settings SET account_holder = '', iban = '', bic = '', paypal_email = '',
    sealed_key_id = @sealed_key_id, sealed = @sealed
WHERE organization_id = @organization_id AND partner_id = @partner_id;

-- name: UpsertPartnerBillingDetails :exec
INSERT INTO partner_billing_details (organization_id, partner_id, legal_name, address, tax_id, country)
VALUES (@organization_id, @partner_id, @legal_name, @address, @tax_id, @country)
ON CONFLICT (organization_id, partner_id) DO UPDATE SET legal_name = EXCLUDED.legal_name,
    address = EXCLUDED.address, tax_id = EXCLUDED.tax_id, country = EXCLUDED.country;

-- name: GetPartnerBillingDetails :one
SELECT * FROM partner_billing_details WHERE organization_id = @organization_id AND partner_id = @partner_id;
