-- Partner portal schema. Applied by `portal migrate` (idempotent: every statement
-- is IF NOT EXISTS); the version below is recorded in schema_migrations.
-- Conventions: every partner-owned row carries organization_id and partner_id;
-- money is bigint minor units next to a char(3) currency; rates are basis
-- points (10000 = 100%); every timestamp is timestamptz.

CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS organizations (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    time_zone              text NOT NULL DEFAULT 'UTC',
    currency               char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    agreements_enabled     boolean NOT NULL DEFAULT false,
    lead_protection_days   integer NOT NULL DEFAULT 90 CHECK (lead_protection_days BETWEEN 1 AND 3650),
    created_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS tiers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    commission_bps  integer NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    benefits        text NOT NULL DEFAULT '',
    position        integer NOT NULL DEFAULT 0,
    UNIQUE (organization_id, name),
    UNIQUE (organization_id, id)
);

CREATE TABLE IF NOT EXISTS partners (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    website         text NOT NULL DEFAULT '',
    tier_id         bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, tier_id) REFERENCES tiers (organization_id, id)
);

-- Payout details are partner-owned and sensitive: never logged, shown masked.
CREATE TABLE IF NOT EXISTS partner_payout_settings (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    method          text NOT NULL CHECK (method IN ('bank_transfer', 'paypal')),
    account_holder  text NOT NULL DEFAULT '',
    iban            text NOT NULL DEFAULT '',
    bic             text NOT NULL DEFAULT '',
    paypal_email    text NOT NULL DEFAULT '',
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, partner_id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);

-- A user is either vendor staff of an organization (partner_id NULL, role 'staff')
-- or a member of exactly one partner company (role 'partner_admin' or 'partner_user').
-- Emails are unique across the installation: the magic link identifies one account.
CREATE TABLE IF NOT EXISTS users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    partner_id      bigint,
    role            text NOT NULL CHECK (role IN ('staff', 'partner_admin', 'partner_user')),
    email           text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name            text NOT NULL DEFAULT '',
    time_zone       text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_login_at   timestamptz,
    UNIQUE (email),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    CHECK ((role = 'staff') = (partner_id IS NULL))
);
CREATE INDEX IF NOT EXISTS users_partner_idx ON users (organization_id, partner_id);

-- Only SHA-256 hashes of secrets are stored.
CREATE TABLE IF NOT EXISTS login_tokens (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The id of the sign-in request that asked for this link: a retried
    -- email task finds its row instead of minting a second link.
    request_id  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    used_at     timestamptz
);
CREATE INDEX IF NOT EXISTS login_tokens_user_idx ON login_tokens (user_id, created_at);

CREATE TABLE IF NOT EXISTS sessions (
    id_hash      bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_user_idx ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions (expires_at);

-- Agreements are versioned. A version is a draft until published; published
-- text is immutable (its SHA-256 is stored next to it).
CREATE TABLE IF NOT EXISTS agreements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);

CREATE TABLE IF NOT EXISTS agreement_versions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    agreement_id    bigint NOT NULL,
    version         integer NOT NULL CHECK (version >= 1),
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 200000),
    body_sha256     bytea NOT NULL CHECK (length(body_sha256) = 32),
    created_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    UNIQUE (agreement_id, version),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, agreement_id) REFERENCES agreements (organization_id, id) ON DELETE CASCADE
);
-- At most one draft per agreement.
CREATE UNIQUE INDEX IF NOT EXISTS agreement_versions_one_draft
    ON agreement_versions (agreement_id) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS agreement_signatures (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id      bigint NOT NULL,
    partner_id           bigint NOT NULL,
    agreement_version_id bigint NOT NULL,
    user_id              bigint REFERENCES users(id) ON DELETE SET NULL,
    signer_name          text NOT NULL CHECK (length(signer_name) BETWEEN 2 AND 200),
    signer_email         text NOT NULL,
    signature_kind       text NOT NULL CHECK (signature_kind IN ('drawn', 'typed')),
    -- PNG data URL of the drawn signature; empty for a typed signature.
    signature_image      text NOT NULL DEFAULT '',
    signed_text_sha256   bytea NOT NULL CHECK (length(signed_text_sha256) = 32),
    ip                   text NOT NULL,
    user_agent           text NOT NULL,
    signed_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, agreement_version_id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, agreement_version_id) REFERENCES agreement_versions (organization_id, id) ON DELETE CASCADE
);

-- Leads: the shape later issues build on (status, stage, money, duplicates).
CREATE TABLE IF NOT EXISTS leads (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id    bigint NOT NULL,
    partner_id         bigint NOT NULL,
    created_by_user_id bigint REFERENCES users(id) ON DELETE SET NULL,
    source             text NOT NULL DEFAULT 'partner' CHECK (source IN ('partner', 'referral', 'referral_link')),
    status             text NOT NULL DEFAULT 'in_review' CHECK (status IN ('in_review', 'approved', 'rejected')),
    stage              text NOT NULL DEFAULT 'new' CHECK (stage IN ('new', 'qualified', 'proposal', 'won', 'lost')),
    company            text NOT NULL CHECK (length(company) BETWEEN 1 AND 200),
    domain             text NOT NULL DEFAULT '',
    contact_name       text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    currency           char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    deal_value_minor   bigint NOT NULL DEFAULT 0 CHECK (deal_value_minor >= 0),
    revenue_minor      bigint NOT NULL DEFAULT 0 CHECK (revenue_minor >= 0),
    notes              text NOT NULL DEFAULT '',
    rejection_reason   text NOT NULL DEFAULT '',
    tracking_link_id   bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    won_at             timestamptz,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS leads_partner_created_idx ON leads (organization_id, partner_id, created_at DESC, id DESC);

-- Tracking links: one code per link, unique installation-wide (the redirect
-- looks a code up without knowing the organization).
CREATE TABLE IF NOT EXISTS tracking_links (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{4,64}$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind            text NOT NULL DEFAULT 'referral' CHECK (kind IN ('referral', 'marketplace')),
    destination     text NOT NULL,
    is_default      boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS tracking_links_partner_idx ON tracking_links (organization_id, partner_id);

DO $$ BEGIN
    ALTER TABLE leads ADD CONSTRAINT leads_tracking_link_fk
        FOREIGN KEY (organization_id, tracking_link_id) REFERENCES tracking_links (organization_id, id);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- In-app notifications for a user.
CREATE TABLE IF NOT EXISTS notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    user_id         bigint NOT NULL,
    body            text NOT NULL,
    link            text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS notifications_user_idx ON notifications (organization_id, user_id, created_at DESC);

INSERT INTO schema_migrations (version) VALUES (1) ON CONFLICT DO NOTHING;
