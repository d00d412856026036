-- +goose Up
-- Invoices and payouts (issue 9).
ALTER TABLE partner_payout_settings ADD COLUMN sealed_key_id text NOT NULL DEFAULT '', ADD COLUMN sealed bytea;

-- Invoicing (issue 9). The program's invoice settings, one row per
-- organization (absent: monthly, NET 30, no minimum, prefix INV).
CREATE TABLE invoice_settings (
    organization_id bigint PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    period          text NOT NULL DEFAULT 'monthly' CHECK (period IN ('monthly', 'twice_monthly', 'manual')),
    net_days        integer NOT NULL DEFAULT 30 CHECK (net_days BETWEEN 0 AND 120),
    number_prefix   text NOT NULL DEFAULT 'INV' CHECK (number_prefix ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
    vendor_name     text NOT NULL DEFAULT '',
    vendor_address  text NOT NULL DEFAULT '',
    vendor_tax_id   text NOT NULL DEFAULT '',
    vendor_country  text NOT NULL DEFAULT '' CHECK (vendor_country ~ '^([A-Z]{2})?$'),
    -- The vendor's own account, the debtor of SEPA payout files.
    vendor_iban     text NOT NULL DEFAULT '',
    vendor_bic      text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Minimum payout per currency: a partner's balance below it carries over.
CREATE TABLE invoice_minimums (
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor    bigint NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (organization_id, currency)
);

-- The partner's legal details printed on its self-billing invoices.
CREATE TABLE partner_billing_details (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    legal_name      text NOT NULL DEFAULT '',
    address         text NOT NULL DEFAULT '',
    tax_id          text NOT NULL DEFAULT '',
    country         text NOT NULL DEFAULT '' CHECK (country ~ '^([A-Z]{2})?$'),
    PRIMARY KEY (organization_id, partner_id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);

-- The gapless invoice counter: one row per organization, incremented in the
-- transaction that creates the invoice (its row lock serialises numbering; a
-- rolled-back transaction gives its number back).
CREATE TABLE invoice_counters (
    organization_id bigint PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    last_sequence   bigint NOT NULL DEFAULT 0 CHECK (last_sequence >= 0)
);

-- One run per organization and period: started, finished, what it made.
CREATE TABLE invoice_runs (
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    period_key      text NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    invoices        integer NOT NULL DEFAULT 0,
    carried_over    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, period_key)
);

-- Payout batches: due invoices picked by staff, paid together.
CREATE TABLE payout_batches (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
    created_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    paid_on         date,
    payment_reference text NOT NULL DEFAULT '',
    UNIQUE (organization_id, id)
);

-- Self-billing invoices and credit notes. The parties' details are copied in
-- when the invoice is issued (an invoice never changes after that, except its
-- status). A credit note has a negative total and its own number.
CREATE TABLE invoices (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    kind            text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
    credits_invoice_id bigint,
    sequence        bigint NOT NULL CHECK (sequence > 0),
    number          text NOT NULL,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    period_key      text NOT NULL,
    period_label    text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'void')),
    issued_on       date NOT NULL,
    due_on          date NOT NULL,
    total_minor     bigint NOT NULL,
    line_count      integer NOT NULL,
    vendor_name     text NOT NULL,
    vendor_address  text NOT NULL,
    vendor_tax_id   text NOT NULL,
    vendor_country  text NOT NULL,
    partner_name    text NOT NULL,
    partner_address text NOT NULL,
    partner_tax_id  text NOT NULL,
    partner_country text NOT NULL,
    reverse_charge  boolean NOT NULL DEFAULT false,
    payout_method   text NOT NULL DEFAULT '',
    payout_masked   text NOT NULL DEFAULT '',
    payout_details_missing boolean NOT NULL DEFAULT false,
    pdf_key         text NOT NULL DEFAULT '',
    batch_id        bigint,
    paid_on         date,
    payment_reference text NOT NULL DEFAULT '',
    void_reason     text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    paid_at         timestamptz,
    voided_at       timestamptz,
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, sequence),
    UNIQUE (organization_id, number),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, credits_invoice_id) REFERENCES invoices (organization_id, id),
    FOREIGN KEY (organization_id, batch_id) REFERENCES payout_batches (organization_id, id),
    CHECK (status <> 'void' OR void_reason <> ''),
    CHECK (status <> 'paid' OR (paid_on IS NOT NULL AND payment_reference <> '')),
    CHECK ((kind = 'invoice') = (total_minor > 0))
);
-- One live invoice per partner, currency and period.
CREATE UNIQUE INDEX invoices_one_per_period
    ON invoices (organization_id, partner_id, currency, period_key) WHERE status <> 'void';
CREATE INDEX invoices_partner_idx ON invoices (organization_id, partner_id, issued_on DESC, id DESC);
CREATE INDEX invoices_org_idx ON invoices (organization_id, status, issued_on DESC, id DESC);
CREATE INDEX invoices_no_pdf_idx ON invoices (organization_id, id) WHERE pdf_key = '';

-- One line per commission. A line is live while its invoice is not void: a
-- commission is on exactly one live invoice (a void invoice's lines stay, as
-- history, and its commissions are invoiced again).
CREATE TABLE invoice_lines (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    invoice_id      bigint NOT NULL,
    commission_id   bigint NOT NULL,
    live            boolean NOT NULL DEFAULT true,
    amount_minor    bigint NOT NULL,
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, commission_id) REFERENCES commissions (organization_id, id)
);
CREATE UNIQUE INDEX invoice_lines_one_live ON invoice_lines (organization_id, commission_id) WHERE live;
CREATE INDEX invoice_lines_invoice_idx ON invoice_lines (organization_id, invoice_id, id);

-- What happened to an invoice, for its history.
CREATE TABLE invoice_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    invoice_id      bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('issued', 'paid', 'voided', 'batched', 'emailed')),
    detail          text NOT NULL DEFAULT '',
    user_id         bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX invoice_events_invoice_idx ON invoice_events (organization_id, invoice_id, id);
