-- Partner portal schema: the whole current schema. `portal migrate` applies it
-- to an empty database; an existing one is brought to it by the upgrade steps
-- in app/migrate/steps (change both together: see docs/ARCHITECTURE.md).
-- Conventions: every partner-owned row carries organization_id and partner_id;
-- money is bigint minor units next to a char(3) currency; rates are basis
-- points (10000 = 100%); every timestamp is timestamptz.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE IF NOT EXISTS organizations (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    time_zone              text NOT NULL DEFAULT 'UTC',
    currency               char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    agreements_enabled     boolean NOT NULL DEFAULT false,
    lead_protection_days   integer NOT NULL DEFAULT 90 CHECK (lead_protection_days BETWEEN 1 AND 3650),
    -- Tracking links: where links may point (allow-list of URL prefixes, so
    -- the redirect is never an open redirect), which website origins may run
    -- the attribution script, the attribution window and model, and the
    -- status a sign-up lead arrives with.
    link_destinations      text[] NOT NULL DEFAULT '{}',
    allowed_origins        text[] NOT NULL DEFAULT '{}',
    attribution_window_days integer NOT NULL DEFAULT 90 CHECK (attribution_window_days BETWEEN 1 AND 365),
    attribution_model      text NOT NULL DEFAULT 'last_click' CHECK (attribution_model IN ('last_click', 'first_click')),
    signup_lead_status     text NOT NULL DEFAULT 'in_review' CHECK (signup_lead_status IN ('in_review', 'approved')),
    created_at             timestamptz NOT NULL DEFAULT now(),
    -- Commission program: days a new commission is held before it can be
    -- approved, and whether approval is automatic when the hold ends.
    commission_hold_days   integer NOT NULL DEFAULT 30 CHECK (commission_hold_days BETWEEN 0 AND 365),
    commission_approval    text NOT NULL DEFAULT 'manual' CHECK (commission_approval IN ('manual', 'auto'))
);

CREATE TABLE IF NOT EXISTS tiers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    commission_bps  integer NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    benefits        text NOT NULL DEFAULT '',
    -- Perks outside the portal (swag, events, co-marketing), one per line.
    off_platform_rewards text NOT NULL DEFAULT '',
    position        integer NOT NULL DEFAULT 0,
    -- The pipeline stage at which a lead's revenue commission is earned.
    trigger_stage   text NOT NULL DEFAULT 'won' CHECK (trigger_stage IN ('qualified', 'proposal', 'won')),
    -- A retired tier takes no new partners; partners already in it keep it.
    retired_at      timestamptz,
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
    -- The details sealed with AES-256-GCM (app/vault): the key's id beside
    -- the sealed value; organization and partner are its associated data. The
    -- plaintext columns above are legacy and kept empty.
    sealed_key_id   text NOT NULL DEFAULT '',
    sealed          bytea,
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

-- Sign-in requests made while Redis did not answer (a transactional outbox
-- for the login email): the login sweep queues each one once Redis answers
-- again. They also carry the sign-in limits through the outage.
CREATE TABLE IF NOT EXISTS login_requests (
    request_id  text PRIMARY KEY,
    email       text NOT NULL,
    email_hash  bytea NOT NULL CHECK (length(email_hash) = 32),
    ip          text NOT NULL,
    created_at  timestamptz NOT NULL,
    enqueued_at timestamptz
);
CREATE INDEX IF NOT EXISTS login_requests_pending_idx ON login_requests (created_at) WHERE enqueued_at IS NULL;
CREATE INDEX IF NOT EXISTS login_requests_email_idx ON login_requests (email_hash, created_at);
CREATE INDEX IF NOT EXISTS login_requests_ip_idx ON login_requests (ip, created_at);

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
    -- partner: registered by the partner; referral_link: a sign-up through
    -- its tracking link; referral: passed to it by the program team;
    -- directory: a visitor of the public partner directory asked it for help
    -- (Spotlight). The last two are its "referral leads": it accepts or
    -- declines them.
    source             text NOT NULL DEFAULT 'partner' CHECK (source IN ('partner', 'referral', 'referral_link', 'directory')),
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
    -- Set when the lead's email or company domain matched an open lead in the
    -- organization's protection window at registration.
    duplicate_of_lead_id bigint,
    duplicate_reason   text NOT NULL DEFAULT '',
    -- What partner search looks in (company, contact, email, domain), lower-cased.
    search_text        text GENERATED ALWAYS AS (lower(company || ' ' || contact_name || ' ' || email || ' ' || domain)) STORED,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    won_at             timestamptz,
    -- Revenue given back to the customer after the win (refunds, credits).
    refunded_minor     bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS leads_partner_created_idx ON leads (organization_id, partner_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS leads_partner_status_created_idx ON leads (organization_id, partner_id, status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS leads_org_status_created_idx ON leads (organization_id, status, created_at DESC, id DESC);
-- The review queue's "possible duplicates only" filter (measured: 70–250 ms
-- without it at 1M leads, under 1 ms with it).
CREATE INDEX IF NOT EXISTS leads_org_dup_status_created_idx ON leads (organization_id, status, created_at DESC, id DESC)
    WHERE duplicate_of_lead_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS leads_search_trgm_idx ON leads USING gin (search_text gin_trgm_ops);
-- "Your leads" (what the partner brought, not the organization's referrals)
-- as the lead list and the Dashboard read them: status counts and leads per
-- day come from the first index alone (index-only scans, no table reads),
-- won leads and their revenue per day from the second; the last two give
-- the list's other sort orders without sorting the whole company's leads.
CREATE INDEX IF NOT EXISTS leads_partner_own_created_idx ON leads (organization_id, partner_id, created_at DESC, id DESC)
    INCLUDE (status) WHERE source IN ('partner', 'referral_link');
CREATE INDEX IF NOT EXISTS leads_partner_own_won_idx ON leads (organization_id, partner_id, won_at)
    INCLUDE (currency, revenue_minor) WHERE stage = 'won' AND source IN ('partner', 'referral_link');
CREATE INDEX IF NOT EXISTS leads_partner_own_company_idx ON leads (organization_id, partner_id, lower(company), id)
    WHERE source IN ('partner', 'referral_link');
CREATE INDEX IF NOT EXISTS leads_partner_own_value_idx ON leads (organization_id, partner_id, deal_value_minor, id)
    WHERE source IN ('partner', 'referral_link');
-- The partner's Referrals tab (leads the organization referred, and the
-- requests of directory visitors): the list's
-- order (waiting first, then newest) and, with status included, its totals
-- as an index-only scan. Without it both read all of the partner's leads
-- from the table: 175–190 ms for the 100k-lead partner at 1M leads, 0.5 and
-- 1.4 ms with it (docs/BENCHMARKS.md).
CREATE INDEX IF NOT EXISTS leads_partner_referral_idx ON leads (organization_id, partner_id, (status = 'in_review') DESC, created_at DESC, id DESC)
    INCLUDE (status) WHERE source IN ('referral', 'directory');
-- A partner's search of its own leads. The search keys of a lead are its
-- trigrams (pg_trgm's show_trgm of search_text), each hashed to 32 bits and
-- put under the partner's id: (partner_id << 32) | hash. A GIN index over
-- them has one short posting list per partner and trigram, so a term's
-- matches within one partner are the intersection of a few lists of that
-- partner's entries only. "logistics" for the 100k-lead partner at 1M leads:
-- 0.9 ms in the index (7 ms with a btree_gin (partner_id, trigram) index,
-- which intersects the partner's whole 90k-entry list with the term's
-- organization-wide trigram lists), 5 ms in all (docs/BENCHMARKS.md,
-- finding 7). The keys only narrow the candidates: a hash may collide, so
-- queries still check search_text LIKE '%term%', which is what decides.
-- A term's keys are those of its trigrams that every text containing it
-- has too. show_trgm pads the first and last word of the term with spaces,
-- but in a matching text those words may go on (the term "gist" inside
-- "logistics"); the trigrams that the padding made disappear when the term is
-- extended on both sides by a letter, so the keys are the trigrams the term
-- shares with both 'x' || term || 'x' and 'y' || term || 'y' (two letters,
-- so that no trigram of the extension can pass for one of the term's). A
-- term with no run of three letters or digits has no keys: the queries then
-- do not use them (and the app does not search with such a term at all).
-- The index depends on these bodies: a change to either needs new names
-- (and a new index), never CREATE OR REPLACE with other results.
CREATE OR REPLACE FUNCTION lead_search_keys(partner bigint, t text) RETURNS bigint[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql SET search_path FROM CURRENT AS $fn$
    SELECT coalesce(array_agg((partner << 32) | (hashtext(g)::bigint & 4294967295)), '{}')
    FROM unnest(show_trgm(t)) AS g
$fn$;
CREATE OR REPLACE FUNCTION lead_search_query_keys(partner bigint, q text) RETURNS bigint[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql SET search_path FROM CURRENT AS $fn$
    SELECT coalesce(array_agg((partner << 32) | (hashtext(g)::bigint & 4294967295)), '{}')
    FROM unnest(show_trgm(q)) AS g
    WHERE g = ANY (show_trgm('x' || q || 'x')) AND g = ANY (show_trgm('y' || q || 'y'))
$fn$;
CREATE INDEX IF NOT EXISTS leads_partner_own_search_keys_idx ON leads
    USING gin (lead_search_keys(partner_id, search_text)) WHERE source IN ('partner', 'referral_link');
-- Its predecessor, replaced by the index above.
DROP INDEX IF EXISTS leads_partner_own_search_idx;
-- Duplicate detection looks up open leads by email and by domain.
CREATE INDEX IF NOT EXISTS leads_org_email_idx ON leads (organization_id, lower(email)) WHERE email <> '';
CREATE UNIQUE INDEX IF NOT EXISTS leads_one_signup_per_email ON leads (organization_id, lower(email)) WHERE source = 'referral_link';
CREATE INDEX IF NOT EXISTS leads_org_domain_idx ON leads (organization_id, lower(domain)) WHERE domain <> '';

-- Daily figures of every partner's leads, so the Dashboard and the lead
-- list's status counts read a few hundred rows per partner instead of every
-- one of its leads (90,000 index entries for a 100k-lead partner). Days are
-- calendar dates in the ORGANIZATION's time zone, as periods and chart
-- buckets are (app/period.go). lead_daily_counts counts leads by the day they
-- were created and their status; lead_daily_wins counts won leads (stage won,
-- won_at set) and sums their revenue by the day they were won and currency.
-- own: the lead is one the partner brought (source partner or referral_link).
-- The statement triggers below keep both in the same transaction as every
-- change to leads, so they are always exact; rows that fall to zero stay
-- (readers skip them). After a change of an organization's time zone, or a
-- bulk load with triggers off (session_replication_role = replica, as the
-- scale seed does), call lead_daily_rebuild(organization_id).
CREATE TABLE IF NOT EXISTS lead_daily_counts (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    own             boolean NOT NULL,
    day             date NOT NULL,
    status          text NOT NULL,
    leads           bigint NOT NULL,
    PRIMARY KEY (organization_id, partner_id, own, day, status),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS lead_daily_wins (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    own             boolean NOT NULL,
    day             date NOT NULL,
    currency        char(3) NOT NULL,
    won             bigint NOT NULL,
    revenue_minor   bigint NOT NULL,
    PRIMARY KEY (organization_id, partner_id, own, day, currency),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
-- The same figures per calendar month (month = its first day), kept by the
-- same triggers: the Dashboard's month charts (a year, lifetime: the page as
-- it opens) read a dozen rows per status from here, and only the days of a
-- period's partial first and last months from the day rows. A year of day
-- rows was 1,098 rows for the 100k-lead partner, most of the database's
-- time on /dashboard (docs/BENCHMARKS.md, issue 10).
CREATE TABLE IF NOT EXISTS lead_monthly_counts (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    own             boolean NOT NULL,
    month           date NOT NULL,
    status          text NOT NULL,
    leads           bigint NOT NULL,
    PRIMARY KEY (organization_id, partner_id, own, month, status),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS lead_monthly_wins (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    own             boolean NOT NULL,
    month           date NOT NULL,
    currency        char(3) NOT NULL,
    won             bigint NOT NULL,
    revenue_minor   bigint NOT NULL,
    PRIMARY KEY (organization_id, partner_id, own, month, currency),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
-- The organization's leads per status, all partners and sources together:
-- the staff console's counts (the home page, the review queue's counters)
-- read three rows instead of counting up to a million leads (54–137 ms at
-- 1M). Kept by lead_daily_apply like the day rows. Every lead written in an
-- organization updates one of these rows, so two transactions adding leads
-- to the same organization at once queue for that row until the first
-- commits (milliseconds: leads come one per request).
CREATE TABLE IF NOT EXISTS lead_status_totals (
    organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    status          text NOT NULL,
    leads           bigint NOT NULL,
    PRIMARY KEY (organization_id, status)
);

-- lead_daily_apply runs once per statement on leads with the rows it
-- changed (transition tables): each row as it was counts -1, as it is +1,
-- summed per day row, so a bulk statement (COPY, a cascade) costs one
-- aggregation and a change that moves nothing writes nothing. Rows are
-- upserted in key order (concurrent statements lock them in the same
-- order); a negative delta never creates a row (a partner being deleted
-- takes its day rows with it).
CREATE OR REPLACE FUNCTION lead_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    cols CONSTANT text := 'organization_id, partner_id, source, status, stage, created_at, won_at, currency, revenue_minor';
    changes text;
BEGIN
    changes := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS n FROM lead_daily_new', cols)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS n FROM lead_daily_old', cols)
        ELSE format('SELECT %1$s, -1 AS n FROM lead_daily_old UNION ALL SELECT %1$s, 1 FROM lead_daily_new', cols)
    END;
    EXECUTE format($q$
        WITH ch AS (%s),
        delta AS (
            SELECT ch.organization_id, ch.partner_id, ch.source IN ('partner', 'referral_link') AS own,
                   (ch.created_at AT TIME ZONE o.time_zone)::date AS day, ch.status, sum(ch.n) AS n
            FROM ch JOIN organizations o ON o.id = ch.organization_id
            GROUP BY 1, 2, 3, 4, 5
            HAVING sum(ch.n) <> 0
        ),
        days AS (
            INSERT INTO lead_daily_counts AS d (organization_id, partner_id, own, day, status, leads)
            SELECT * FROM delta
            WHERE n > 0 OR EXISTS (SELECT 1 FROM lead_daily_counts x
                                   WHERE (x.organization_id, x.partner_id, x.own, x.day, x.status)
                                       = (delta.organization_id, delta.partner_id, delta.own, delta.day, delta.status))
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (organization_id, partner_id, own, day, status) DO UPDATE SET leads = d.leads + excluded.leads
        ),
        months AS (
            SELECT organization_id, partner_id, own, date_trunc('month', day::timestamp)::date AS month, status, sum(n) AS n
            FROM delta
            GROUP BY 1, 2, 3, 4, 5
            HAVING sum(n) <> 0
        )
        INSERT INTO lead_monthly_counts AS d (organization_id, partner_id, own, month, status, leads)
        SELECT * FROM months
        WHERE n > 0 OR EXISTS (SELECT 1 FROM lead_monthly_counts x
                               WHERE (x.organization_id, x.partner_id, x.own, x.month, x.status)
                                   = (months.organization_id, months.partner_id, months.own, months.month, months.status))
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (organization_id, partner_id, own, month, status) DO UPDATE SET leads = d.leads + excluded.leads
    $q$, changes);
    EXECUTE format($q$
        WITH ch AS (%s),
        delta AS (
            SELECT ch.organization_id, ch.partner_id, ch.source IN ('partner', 'referral_link') AS own,
                   (ch.won_at AT TIME ZONE o.time_zone)::date AS day, ch.currency,
                   sum(ch.n) AS won, sum(ch.n * ch.revenue_minor) AS revenue_minor
            FROM ch JOIN organizations o ON o.id = ch.organization_id
            WHERE ch.stage = 'won' AND ch.won_at IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5
            HAVING sum(ch.n) <> 0 OR sum(ch.n * ch.revenue_minor) <> 0
        ),
        days AS (
            INSERT INTO lead_daily_wins AS d (organization_id, partner_id, own, day, currency, won, revenue_minor)
            SELECT * FROM delta
            WHERE won > 0 OR EXISTS (SELECT 1 FROM lead_daily_wins x
                                     WHERE (x.organization_id, x.partner_id, x.own, x.day, x.currency)
                                         = (delta.organization_id, delta.partner_id, delta.own, delta.day, delta.currency))
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (organization_id, partner_id, own, day, currency)
            DO UPDATE SET won = d.won + excluded.won, revenue_minor = d.revenue_minor + excluded.revenue_minor
        ),
        months AS (
            SELECT organization_id, partner_id, own, date_trunc('month', day::timestamp)::date AS month, currency,
                   sum(won) AS won, sum(revenue_minor) AS revenue_minor
            FROM delta
            GROUP BY 1, 2, 3, 4, 5
            HAVING sum(won) <> 0 OR sum(revenue_minor) <> 0
        )
        INSERT INTO lead_monthly_wins AS d (organization_id, partner_id, own, month, currency, won, revenue_minor)
        SELECT * FROM months
        WHERE won > 0 OR EXISTS (SELECT 1 FROM lead_monthly_wins x
                                 WHERE (x.organization_id, x.partner_id, x.own, x.month, x.currency)
                                     = (months.organization_id, months.partner_id, months.own, months.month, months.currency))
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (organization_id, partner_id, own, month, currency)
        DO UPDATE SET won = d.won + excluded.won, revenue_minor = d.revenue_minor + excluded.revenue_minor
    $q$, changes);
    EXECUTE format($q$
        WITH ch AS (%s),
        delta AS (
            SELECT ch.organization_id, ch.status, sum(ch.n) AS n
            FROM ch
            GROUP BY 1, 2
            HAVING sum(ch.n) <> 0
        )
        INSERT INTO lead_status_totals AS d (organization_id, status, leads)
        SELECT * FROM delta
        WHERE n > 0 OR EXISTS (SELECT 1 FROM lead_status_totals x
                               WHERE (x.organization_id, x.status) = (delta.organization_id, delta.status))
        ORDER BY 1, 2
        ON CONFLICT (organization_id, status) DO UPDATE SET leads = d.leads + excluded.leads
    $q$, changes);
    RETURN NULL;
END
$fn$;
CREATE OR REPLACE TRIGGER leads_daily_insert AFTER INSERT ON leads
    REFERENCING NEW TABLE AS lead_daily_new FOR EACH STATEMENT EXECUTE FUNCTION lead_daily_apply();
CREATE OR REPLACE TRIGGER leads_daily_update AFTER UPDATE ON leads
    REFERENCING OLD TABLE AS lead_daily_old NEW TABLE AS lead_daily_new FOR EACH STATEMENT EXECUTE FUNCTION lead_daily_apply();
CREATE OR REPLACE TRIGGER leads_daily_delete AFTER DELETE ON leads
    REFERENCING OLD TABLE AS lead_daily_old FOR EACH STATEMENT EXECUTE FUNCTION lead_daily_apply();

-- lead_daily_rebuild computes an organization's day rows from its leads
-- again. It blocks writes to leads (all organizations) until the calling
-- transaction ends, so no change slips between the old rows and the new:
-- seconds for a million leads.
CREATE OR REPLACE FUNCTION lead_daily_rebuild(org bigint) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    LOCK TABLE leads IN SHARE MODE;
    DELETE FROM lead_daily_counts WHERE organization_id = org;
    DELETE FROM lead_daily_wins WHERE organization_id = org;
    DELETE FROM lead_status_totals WHERE organization_id = org;
    DELETE FROM lead_monthly_counts WHERE organization_id = org;
    DELETE FROM lead_monthly_wins WHERE organization_id = org;
    INSERT INTO lead_status_totals (organization_id, status, leads)
    SELECT organization_id, status, count(*) FROM leads WHERE organization_id = org GROUP BY 1, 2;
    INSERT INTO lead_daily_counts (organization_id, partner_id, own, day, status, leads)
    SELECT l.organization_id, l.partner_id, l.source IN ('partner', 'referral_link'),
           (l.created_at AT TIME ZONE o.time_zone)::date, l.status, count(*)
    FROM leads l JOIN organizations o ON o.id = l.organization_id
    WHERE l.organization_id = org
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5; -- a partner's rows together: a year of them in a few pages
    INSERT INTO lead_daily_wins (organization_id, partner_id, own, day, currency, won, revenue_minor)
    SELECT l.organization_id, l.partner_id, l.source IN ('partner', 'referral_link'),
           (l.won_at AT TIME ZONE o.time_zone)::date, l.currency, count(*), sum(l.revenue_minor)
    FROM leads l JOIN organizations o ON o.id = l.organization_id
    WHERE l.organization_id = org AND l.stage = 'won' AND l.won_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5;
    INSERT INTO lead_monthly_counts (organization_id, partner_id, own, month, status, leads)
    SELECT organization_id, partner_id, own, date_trunc('month', day::timestamp)::date, status, sum(leads)
    FROM lead_daily_counts
    WHERE organization_id = org
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5;
    INSERT INTO lead_monthly_wins (organization_id, partner_id, own, month, currency, won, revenue_minor)
    SELECT organization_id, partner_id, own, date_trunc('month', day::timestamp)::date, currency, sum(won), sum(revenue_minor)
    FROM lead_daily_wins
    WHERE organization_id = org
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5;
END
$fn$;

-- Every change to a lead: who, when, what (field → [old, new]).
CREATE TABLE IF NOT EXISTS lead_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    lead_id         bigint NOT NULL,
    actor_user_id   bigint REFERENCES users(id) ON DELETE SET NULL,
    kind            text NOT NULL CHECK (kind IN ('created', 'updated', 'approved', 'rejected', 'stage', 'won', 'lost',
                                                 'note', 'accepted', 'declined', 'duplicate')),
    changes         jsonb NOT NULL DEFAULT '{}',
    note            text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, lead_id) REFERENCES leads (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS lead_events_lead_idx ON lead_events (organization_id, lead_id, created_at, id);

-- Fixed amounts a tier's partner earns when a lead first reaches a stage.
CREATE TABLE IF NOT EXISTS tier_stage_incentives (
    organization_id bigint NOT NULL,
    tier_id         bigint NOT NULL,
    stage           text NOT NULL CHECK (stage IN ('qualified', 'proposal', 'won')),
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    PRIMARY KEY (organization_id, tier_id, stage),
    FOREIGN KEY (organization_id, tier_id) REFERENCES tiers (organization_id, id) ON DELETE CASCADE
);

-- Every change of a partner's tier: who, when, from, to. Commissions earned
-- after a change use the new tier; earlier ones keep the rate on their row.
CREATE TABLE IF NOT EXISTS partner_tier_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    from_tier_id    bigint,
    to_tier_id      bigint,
    from_tier_name  text NOT NULL DEFAULT '',
    to_tier_name    text NOT NULL DEFAULT '',
    changed_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    changed_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS partner_tier_changes_partner_idx ON partner_tier_changes (organization_id, partner_id, changed_at);

-- SPIFF campaigns: a fixed award per lead won (or reaching a stage) by an
-- eligible partner inside the window, optionally capped per partner, or
-- manual awards staff give with a note. Awards are commission rows of kind
-- 'spiff' (earning key 'spiff:<campaign>:lead:<lead>' or ':manual:<key>').
CREATE TABLE IF NOT EXISTS spiff_campaigns (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '',
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    -- Empty: every tier.
    tier_ids        bigint[] NOT NULL DEFAULT '{}',
    rule            text NOT NULL CHECK (rule IN ('stage', 'manual')),
    stage           text NOT NULL DEFAULT 'won' CHECK (stage IN ('qualified', 'proposal', 'won')),
    cap_per_partner integer NOT NULL DEFAULT 0 CHECK (cap_per_partner >= 0),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'ended')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    CHECK (ends_at > starts_at)
);
CREATE INDEX IF NOT EXISTS spiff_campaigns_active_idx ON spiff_campaigns (organization_id) WHERE status = 'active';

-- Commissions owed to partners, written by the commission engine
-- (app/commission) from outbox events. One row per earning event: the
-- earning key ('lead:42:revenue', 'lead:42:stage:qualified', 'outbox:917')
-- is unique, so a replayed event cannot create a second row. The rate, the
-- basis and the tier name are kept as they stood when earned. Approved or
-- paid rows never change amount: corrections are new 'adjustment' rows that
-- name the row they correct (negative = clawback).
CREATE TABLE IF NOT EXISTS commissions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    lead_id         bigint,
    kind            text NOT NULL CHECK (kind IN ('revenue_share', 'stage_incentive', 'spiff', 'training_bonus',
                                                 'achievement_bonus', 'adjustment')),
    amount_minor    bigint NOT NULL,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    rate_bps        integer NOT NULL DEFAULT 0 CHECK (rate_bps BETWEEN 0 AND 10000),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'paid', 'void')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    paid_at         timestamptz,
    basis_minor     bigint NOT NULL DEFAULT 0,
    tier_name       text NOT NULL DEFAULT '',
    stage           text NOT NULL DEFAULT '',
    -- Why: an adjustment's cause, a void's reason (shown to the partner).
    reason          text NOT NULL DEFAULT '',
    earning_key     text NOT NULL CHECK (length(earning_key) BETWEEN 1 AND 200),
    adjusts_id      bigint,
    earned_at       timestamptz NOT NULL DEFAULT now(),
    approvable_at   timestamptz NOT NULL DEFAULT now(),
    approved_at     timestamptz,
    approved_by     bigint REFERENCES users(id) ON DELETE SET NULL,
    voided_at       timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- The lead's company as it stands (commissions_lead_company trigger,
    -- leads_company_to_commissions): the Commissions tab searches it.
    lead_company    text NOT NULL DEFAULT '',
    UNIQUE (organization_id, earning_key),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, adjusts_id) REFERENCES commissions (organization_id, id),
    CHECK (status <> 'void' OR reason <> ''),
    CHECK (kind <> 'adjustment' OR reason <> '')
);
CREATE INDEX IF NOT EXISTS commissions_partner_idx ON commissions (organization_id, partner_id, status, created_at);
CREATE INDEX IF NOT EXISTS commissions_lead_idx ON commissions (organization_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS commissions_org_idx ON commissions (organization_id, earned_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS commissions_partner_earned_idx ON commissions (organization_id, partner_id, earned_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS commissions_approvable_idx ON commissions (organization_id, approvable_at) WHERE status = 'pending';
-- The commission lists filtered by status, in the order they sort: the capped
-- counts and the pages read a short index range; the partner one also answers
-- the Payments figures (SumCommissionsByStatus) from the index alone
-- (docs/BENCHMARKS.md, finding 10).
CREATE INDEX IF NOT EXISTS commissions_org_status_earned_idx ON commissions (organization_id, status, earned_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS commissions_partner_status_earned_idx ON commissions (organization_id, partner_id, status, earned_at DESC, id DESC)
    INCLUDE (amount_minor, currency);
-- The partner's Commissions tab searched by lead company: the same
-- partner-scoped trigram keys as the lead list (lead_search_keys), over the
-- company kept on the row, so a term reads its matching rows of one partner
-- only (docs/BENCHMARKS.md, "Commission lists").
CREATE INDEX IF NOT EXISTS commissions_partner_search_keys_idx ON commissions
    USING gin (lead_search_keys(partner_id, lower(lead_company))) WHERE lead_company <> '';
-- A new row of a lead gets the lead's company (the engine sets it itself).
CREATE OR REPLACE FUNCTION commissions_lead_company() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.lead_id IS NOT NULL AND NEW.lead_company = '' THEN
        NEW.lead_company := coalesce((SELECT l.company FROM leads l
                                      WHERE l.organization_id = NEW.organization_id AND l.id = NEW.lead_id), '');
    END IF;
    RETURN NEW;
END
$fn$;
CREATE OR REPLACE TRIGGER commissions_lead_company BEFORE INSERT ON commissions
    FOR EACH ROW EXECUTE FUNCTION commissions_lead_company();
-- A lead renamed: its commission rows follow.
CREATE OR REPLACE FUNCTION leads_company_to_commissions() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE commissions SET lead_company = NEW.company
    WHERE organization_id = NEW.organization_id AND lead_id = NEW.id AND lead_company <> NEW.company;
    RETURN NULL;
END
$fn$;
CREATE OR REPLACE TRIGGER leads_company_to_commissions AFTER UPDATE OF company ON leads
    FOR EACH ROW WHEN (OLD.company IS DISTINCT FROM NEW.company) EXECUTE FUNCTION leads_company_to_commissions();

-- A partner's commission totals per currency and status (the Payments
-- figures: Pending / Approved / Paid), kept by the triggers below in the
-- transaction of every change to commissions, so the page reads a few rows
-- instead of aggregating the partner's rows (23k for the biggest partner at
-- 1M leads). Statement triggers: a batch of rows costs one upsert per
-- (partner, currency, status), in key order.
CREATE TABLE IF NOT EXISTS commission_totals (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    currency        char(3) NOT NULL,
    status          text NOT NULL,
    amount_minor    bigint NOT NULL DEFAULT 0,
    n               bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, partner_id, currency, status),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE OR REPLACE FUNCTION commission_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO commission_totals AS t (organization_id, partner_id, currency, status, amount_minor, n)
        SELECT organization_id, partner_id, currency, status, sum(amount_minor), count(*)
        FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, partner_id, currency, status)
        DO UPDATE SET amount_minor = t.amount_minor + EXCLUDED.amount_minor, n = t.n + EXCLUDED.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO commission_totals AS t (organization_id, partner_id, currency, status, amount_minor, n)
        SELECT organization_id, partner_id, currency, status, sum(amount_minor), sum(n)
        FROM (SELECT organization_id, partner_id, currency, status, amount_minor, 1 AS n FROM new_rows
              UNION ALL
              SELECT organization_id, partner_id, currency, status, -amount_minor, -1 FROM old_rows) d
        GROUP BY 1, 2, 3, 4 HAVING sum(amount_minor) <> 0 OR sum(n) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (organization_id, partner_id, currency, status)
        DO UPDATE SET amount_minor = t.amount_minor + EXCLUDED.amount_minor, n = t.n + EXCLUDED.n;
    ELSE -- DELETE: a partner deleted takes its totals with it (the foreign key)
        UPDATE commission_totals t SET amount_minor = t.amount_minor - d.amount_minor, n = t.n - d.n
        FROM (SELECT organization_id, partner_id, currency, status, sum(amount_minor) AS amount_minor, count(*) AS n
              FROM old_rows GROUP BY 1, 2, 3, 4) d
        WHERE t.organization_id = d.organization_id AND t.partner_id = d.partner_id
          AND t.currency = d.currency AND t.status = d.status;
    END IF;
    RETURN NULL;
END
$fn$;
CREATE OR REPLACE TRIGGER commission_totals_insert AFTER INSERT ON commissions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION commission_totals_apply();
CREATE OR REPLACE TRIGGER commission_totals_update AFTER UPDATE ON commissions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION commission_totals_apply();
CREATE OR REPLACE TRIGGER commission_totals_delete AFTER DELETE ON commissions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION commission_totals_apply();

-- Durable events written in the same transaction as the change they record
-- (transactional outbox). A lead marked Won writes 'lead_won' here; the
-- commission worker consumes it. Nothing is lost between PostgreSQL and Redis
-- because the event exists before anything is enqueued.
CREATE TABLE IF NOT EXISTS outbox_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    -- lead_won: a lead was won; lead_changed: a lead's stage, revenue or
    -- refunds changed (the commission engine reconciles the lead).
    kind            text NOT NULL CHECK (kind IN ('lead_won', 'lead_changed', 'course_completed')),
    aggregate_id    bigint NOT NULL,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_events_pending_idx ON outbox_events (id) WHERE processed_at IS NULL;
-- A lead is won once: a second 'lead_won' for it is refused by the database too.
CREATE UNIQUE INDEX IF NOT EXISTS outbox_events_once ON outbox_events (organization_id, kind, aggregate_id)
    WHERE kind = 'lead_won';
-- A course is completed once per enrolment (aggregate_id = enrolments.id).
CREATE UNIQUE INDEX IF NOT EXISTS outbox_events_course_once ON outbox_events (organization_id, aggregate_id)
    WHERE kind = 'course_completed';

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
    utm_source      text NOT NULL DEFAULT '',
    utm_medium      text NOT NULL DEFAULT '',
    utm_campaign    text NOT NULL DEFAULT '',
    is_default      boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS tracking_links_partner_idx ON tracking_links (organization_id, partner_id);
CREATE UNIQUE INDEX IF NOT EXISTS tracking_links_one_default ON tracking_links (organization_id, partner_id) WHERE is_default;

-- Every counted click, moved here from Redis by the rollup worker. click_id
-- is the primary key, so a rollup that runs twice (or is killed and re-run)
-- inserts each click once; daily aggregates grow by the rows really inserted.
CREATE TABLE IF NOT EXISTS clicks (
    click_id        text PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    link_id         bigint NOT NULL,
    visitor_id      text NOT NULL,
    clicked_at      timestamptz NOT NULL,
    day             date NOT NULL, -- in the organization's time zone
    FOREIGN KEY (organization_id, link_id) REFERENCES tracking_links (organization_id, id) ON DELETE CASCADE
);
-- The link's clicks of a day (charts), and whether a visitor clicked that day
-- before (the rollup's unique visitors).
CREATE INDEX IF NOT EXISTS clicks_link_day_visitor_idx ON clicks (organization_id, link_id, day, visitor_id);

CREATE TABLE IF NOT EXISTS link_daily_stats (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    link_id         bigint NOT NULL,
    day             date NOT NULL,
    clicks          bigint NOT NULL DEFAULT 0,
    unique_visitors bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, link_id, day),
    FOREIGN KEY (organization_id, link_id) REFERENCES tracking_links (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS link_daily_stats_partner_idx ON link_daily_stats (organization_id, partner_id, day);

-- Organization API keys for the server-to-server sign-up API; only hashes.
CREATE TABLE IF NOT EXISTS api_keys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix          text NOT NULL,
    key_hash        bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    created_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX IF NOT EXISTS api_keys_org_idx ON api_keys (organization_id, created_at);

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
    -- Set by the worker once the notification email went out; a periodic
    -- sweep enqueues any left unsent, so no email is lost if Redis was down.
    emailed_at      timestamptz,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS notifications_user_idx ON notifications (organization_id, user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS notifications_unsent_idx ON notifications (id) WHERE emailed_at IS NULL;

-- A change of a user's sign-in address waits until the new address confirms
-- it (confirm link, to the new address); the old address is told, with a
-- link that cancels the change (or undoes it) and ends every session. Only
-- SHA-256 hashes of both tokens are stored; the worker mints them while the
-- email is unsent (a retry replaces them), so each email goes out once.
CREATE TABLE IF NOT EXISTS email_changes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL,
    user_id          bigint NOT NULL,
    old_email        text NOT NULL,
    new_email        text NOT NULL CHECK (new_email = lower(new_email) AND new_email LIKE '%_@_%'),
    confirm_hash     bytea UNIQUE CHECK (length(confirm_hash) = 32),
    cancel_hash      bytea UNIQUE CHECK (length(cancel_hash) = 32),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    cancel_expires_at timestamptz NOT NULL,
    confirm_sent_at  timestamptz,
    notice_sent_at   timestamptz,
    confirmed_at     timestamptz,
    cancelled_at     timestamptz,
    -- The old address used its report link (single use).
    reported_at      timestamptz,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE
);
-- At most one pending change per user: a new request replaces the last.
CREATE UNIQUE INDEX IF NOT EXISTS email_changes_one_pending
    ON email_changes (user_id) WHERE confirmed_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX IF NOT EXISTS email_changes_unsent_idx
    ON email_changes (id) WHERE confirm_sent_at IS NULL OR notice_sent_at IS NULL;

-- Invitations into a partner company. The account is created only when the
-- invited person accepts, so inviting an address says nothing about whether
-- it already has an account. Each send (first or resend) has its own
-- request id; the worker mints the token (stored hashed) while unsent.
CREATE TABLE IF NOT EXISTS invitations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    email           text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name            text NOT NULL,
    role            text NOT NULL CHECK (role IN ('partner_admin', 'partner_user')),
    invited_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    request_id      text NOT NULL UNIQUE,
    token_hash      bytea UNIQUE CHECK (length(token_hash) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    accepted_at     timestamptz,
    revoked_at      timestamptz,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
-- One open invitation per company and address.
CREATE UNIQUE INDEX IF NOT EXISTS invitations_one_open
    ON invitations (partner_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS invitations_partner_idx ON invitations (organization_id, partner_id, created_at);
CREATE INDEX IF NOT EXISTS invitations_unsent_idx ON invitations (id) WHERE sent_at IS NULL;

-- Partner Room: the resource library. Categories are a staff-managed list;
-- a resource is either an uploaded file (its versions below; replacing a file
-- adds a version, the old ones stay) or an external link. Visibility is all
-- partners or the tiers listed in resource_tiers. `search` is the full-text
-- document (title A, tags B, description C, text extracted from the current
-- file D) that searches match against, rank_doc the same without the file's
-- text that results are ranked by; both kept by a trigger; the worker fills
-- body_text.
CREATE TABLE IF NOT EXISTS resource_categories (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    UNIQUE (organization_id, name),
    UNIQUE (organization_id, id)
);

CREATE TABLE IF NOT EXISTS resources (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    category_id     bigint,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    tags            text[] NOT NULL DEFAULT '{}',
    visibility      text NOT NULL DEFAULT 'all' CHECK (visibility IN ('all', 'tiers')),
    featured        boolean NOT NULL DEFAULT false,
    link_url        text NOT NULL DEFAULT '' CHECK (link_url = '' OR link_url ~ '^https?://'),
    current_version_id bigint,
    body_text       text NOT NULL DEFAULT '',
    search          tsvector NOT NULL DEFAULT ''::tsvector,
    created_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    archived_at     timestamptz,
    -- title A, tags B, description C only: what search results are ranked
    -- by. Small and inline, so ranking every match never detoasts the
    -- extracted text's large vector (search, used only to match).
    rank_doc        tsvector NOT NULL DEFAULT ''::tsvector,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, category_id) REFERENCES resource_categories (organization_id, id)
);
-- Keep the rows narrow: a row with extracted text (over 2 KB) has body_text
-- and search moved to TOAST down to 128 bytes, while the columns a search
-- reads for every match (title, description, tags, rank_doc) stay in the row
-- (MAIN). A search visits a row per match; narrow rows are fewer pages.
ALTER TABLE resources SET (toast_tuple_target = 128);
ALTER TABLE resources ALTER COLUMN title SET STORAGE MAIN, ALTER COLUMN description SET STORAGE MAIN,
    ALTER COLUMN tags SET STORAGE MAIN, ALTER COLUMN rank_doc SET STORAGE MAIN;
CREATE INDEX IF NOT EXISTS resources_search_idx ON resources USING gin (search);
CREATE INDEX IF NOT EXISTS resources_list_idx ON resources (organization_id, featured DESC, created_at DESC, id DESC) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS resources_tags_idx ON resources USING gin (tags);

CREATE OR REPLACE FUNCTION resources_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.rank_doc := setweight(to_tsvector('english', NEW.title), 'A')
                 || setweight(to_tsvector('english', array_to_string(NEW.tags, ' ')), 'B')
                 || setweight(to_tsvector('english', NEW.description), 'C');
    NEW.search := NEW.rank_doc || setweight(to_tsvector('english', left(NEW.body_text, 500000)), 'D');
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER resources_search_trg BEFORE INSERT OR UPDATE OF title, tags, description, body_text
    ON resources FOR EACH ROW EXECUTE FUNCTION resources_search_update();

CREATE TABLE IF NOT EXISTS resource_tiers (
    organization_id bigint NOT NULL,
    resource_id     bigint NOT NULL,
    tier_id         bigint NOT NULL,
    PRIMARY KEY (resource_id, tier_id),
    FOREIGN KEY (organization_id, resource_id) REFERENCES resources (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, tier_id) REFERENCES tiers (organization_id, id) ON DELETE CASCADE
);
-- The resources a tier sees (the partner-facing visibility filter reads only
-- the partner's tier's rows).
CREATE INDEX IF NOT EXISTS resource_tiers_tier_idx ON resource_tiers (organization_id, tier_id, resource_id);

-- One uploaded file of a resource. The type is sniffed from the bytes; the
-- worker extracts its text and makes its preview (preview_state).
CREATE TABLE IF NOT EXISTS resource_versions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    resource_id     bigint NOT NULL,
    storage_key     text NOT NULL UNIQUE,
    file_name       text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    mime            text NOT NULL,
    size_bytes      bigint NOT NULL CHECK (size_bytes >= 0),
    sha256          bytea NOT NULL CHECK (length(sha256) = 32),
    created_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    preview_state   text NOT NULL DEFAULT 'pending' CHECK (preview_state IN ('pending', 'ready', 'failed', 'none')),
    preview_error   text NOT NULL DEFAULT '',
    preview_pages   integer NOT NULL DEFAULT 0,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, resource_id) REFERENCES resources (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS resource_versions_resource_idx ON resource_versions (organization_id, resource_id, id DESC);

-- Views and downloads, by partner company, for the staff's statistics.
CREATE TABLE IF NOT EXISTS resource_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    resource_id     bigint NOT NULL,
    partner_id      bigint NOT NULL,
    user_id         bigint REFERENCES users(id) ON DELETE SET NULL,
    kind            text NOT NULL CHECK (kind IN ('view', 'download')),
    at              timestamptz NOT NULL,
    FOREIGN KEY (organization_id, resource_id) REFERENCES resources (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS resource_events_resource_idx ON resource_events (organization_id, resource_id, at);
-- Training (app/training): courses staff author and partner users take.
-- A course is an ordered list of lessons and an optional final quiz. Editing
-- a published course bumps its version; lessons keep their ids (a removed
-- lesson is marked, not deleted), so progress stays where a lesson still
-- exists. Visibility: every partner, or only the tiers listed. A training
-- bonus (commission row 'training_bonus') is paid once per person who
-- completes the course, optionally only for partners in bonus_tier_ids.
CREATE TABLE IF NOT EXISTS courses (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 2000),
    topic            text NOT NULL DEFAULT '' CHECK (length(topic) <= 60),
    cover_key        text NOT NULL DEFAULT '',
    minutes          integer NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 10000),
    visibility       text NOT NULL DEFAULT 'all' CHECK (visibility IN ('all', 'tiers')),
    tier_ids         bigint[] NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    pass_mark_pct    integer NOT NULL DEFAULT 80 CHECK (pass_mark_pct BETWEEN 1 AND 100),
    cooldown_minutes integer NOT NULL DEFAULT 60 CHECK (cooldown_minutes BETWEEN 0 AND 525600),
    -- Months a certificate of this course stays valid; 0: no expiry.
    valid_months     integer NOT NULL DEFAULT 0 CHECK (valid_months BETWEEN 0 AND 120),
    bonus_minor      bigint NOT NULL DEFAULT 0 CHECK (bonus_minor >= 0),
    bonus_currency   char(3) NOT NULL DEFAULT 'USD' CHECK (bonus_currency ~ '^[A-Z]{3}$'),
    -- Empty: the bonus is paid in every tier.
    bonus_tier_ids   bigint[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    published_at     timestamptz,
    UNIQUE (organization_id, id)
);
CREATE INDEX IF NOT EXISTS courses_org_status_idx ON courses (organization_id, status, title);

CREATE TABLE IF NOT EXISTS lessons (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    course_id       bigint NOT NULL,
    position        integer NOT NULL DEFAULT 0,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body_md         text NOT NULL DEFAULT '' CHECK (length(body_md) <= 100000),
    -- An uploaded video (MP4 or WebM, sniffed) or an embed from an
    -- allow-listed host (app/training.EmbedURL), not both.
    video_key       text NOT NULL DEFAULT '',
    video_type      text NOT NULL DEFAULT '',
    embed_url       text NOT NULL DEFAULT '',
    attachment_key  text NOT NULL DEFAULT '',
    attachment_name text NOT NULL DEFAULT '',
    attachment_type text NOT NULL DEFAULT '',
    removed_at      timestamptz,
    created_at      timestamptz NOT NULL,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE,
    CHECK (video_key = '' OR embed_url = '')
);
CREATE INDEX IF NOT EXISTS lessons_course_idx ON lessons (organization_id, course_id, position, id) WHERE removed_at IS NULL;

-- The final quiz: single- or multiple-choice questions. Which options are
-- correct is read by the grading on the server only; no page query selects it.
CREATE TABLE IF NOT EXISTS quiz_questions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    course_id       bigint NOT NULL,
    position        integer NOT NULL DEFAULT 0,
    prompt          text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 1000),
    multiple        boolean NOT NULL DEFAULT false,
    removed_at      timestamptz,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS quiz_questions_course_idx ON quiz_questions (organization_id, course_id, position, id) WHERE removed_at IS NULL;

CREATE TABLE IF NOT EXISTS quiz_options (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    question_id     bigint NOT NULL,
    position        integer NOT NULL DEFAULT 0,
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 500),
    correct         boolean NOT NULL DEFAULT false,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, question_id) REFERENCES quiz_questions (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS quiz_options_question_idx ON quiz_options (organization_id, question_id, position, id);

-- A partner user taking a course. completed_at is set once (the outbox
-- event 'course_completed' is written in the same transaction).
CREATE TABLE IF NOT EXISTS enrolments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    user_id         bigint NOT NULL,
    course_id       bigint NOT NULL,
    course_version  integer NOT NULL DEFAULT 1,
    enrolled_at     timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    completed_at    timestamptz,
    score_pct       integer,
    UNIQUE (organization_id, user_id, course_id),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS enrolments_course_idx ON enrolments (organization_id, course_id, partner_id);
CREATE INDEX IF NOT EXISTS enrolments_partner_idx ON enrolments (organization_id, partner_id, user_id);

CREATE TABLE IF NOT EXISTS lesson_progress (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    user_id         bigint NOT NULL,
    course_id       bigint NOT NULL,
    lesson_id       bigint NOT NULL,
    done_at         timestamptz NOT NULL,
    PRIMARY KEY (organization_id, user_id, lesson_id),
    FOREIGN KEY (organization_id, user_id, course_id) REFERENCES enrolments (organization_id, user_id, course_id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, lesson_id) REFERENCES lessons (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS lesson_progress_course_idx ON lesson_progress (organization_id, user_id, course_id);

-- Quiz attempts: graded on the server; wrong_question_ids says which
-- questions were wrong (never which options were right).
CREATE TABLE IF NOT EXISTS quiz_attempts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id    bigint NOT NULL,
    partner_id         bigint NOT NULL,
    user_id            bigint NOT NULL,
    course_id          bigint NOT NULL,
    course_version     integer NOT NULL,
    score_pct          integer NOT NULL CHECK (score_pct BETWEEN 0 AND 100),
    passed             boolean NOT NULL,
    wrong_question_ids bigint[] NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, user_id, course_id) REFERENCES enrolments (organization_id, user_id, course_id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS quiz_attempts_user_idx ON quiz_attempts (organization_id, user_id, course_id, created_at DESC);

-- Certificates: one per person and course, issued by the worker from the
-- 'course_completed' event. The public id is the verification URL's
-- (/verify/{public_id}); names are kept as they stood when issued.
CREATE TABLE IF NOT EXISTS certificates (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id       text NOT NULL UNIQUE CHECK (public_id ~ '^[A-Z0-9]{16,32}$'),
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    user_id         bigint NOT NULL,
    course_id       bigint NOT NULL,
    course_version  integer NOT NULL,
    course_title    text NOT NULL,
    person_name     text NOT NULL,
    partner_name    text NOT NULL,
    org_name        text NOT NULL,
    score_pct       integer,
    issued_at       timestamptz NOT NULL,
    expires_at      timestamptz,
    revoked_at      timestamptz,
    revoke_reason   text NOT NULL DEFAULT '',
    revoked_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    pdf_key         text NOT NULL DEFAULT '',
    UNIQUE (organization_id, user_id, course_id),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id) ON DELETE CASCADE,
    CHECK (revoked_at IS NULL OR revoke_reason <> '')
);
CREATE INDEX IF NOT EXISTS certificates_partner_idx ON certificates (organization_id, partner_id, user_id);

-- Accreditations: earned by completing every course of course_ids. They may
-- pay an achievement bonus (once per partner company or per person) and
-- move a partner company whose members hold it upgrade_holders times to
-- upgrade_tier_id (never down).
CREATE TABLE IF NOT EXISTS accreditations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    badge_key       text NOT NULL DEFAULT '',
    course_ids      bigint[] NOT NULL CHECK (cardinality(course_ids) >= 1),
    valid_months    integer NOT NULL DEFAULT 0 CHECK (valid_months BETWEEN 0 AND 120),
    bonus_minor     bigint NOT NULL DEFAULT 0 CHECK (bonus_minor >= 0),
    bonus_currency  char(3) NOT NULL DEFAULT 'USD' CHECK (bonus_currency ~ '^[A-Z]{3}$'),
    bonus_per       text NOT NULL DEFAULT 'company' CHECK (bonus_per IN ('company', 'person')),
    upgrade_tier_id bigint,
    upgrade_holders integer NOT NULL DEFAULT 1 CHECK (upgrade_holders BETWEEN 1 AND 1000),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL,
    UNIQUE (organization_id, name),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, upgrade_tier_id) REFERENCES tiers (organization_id, id)
);

-- Accreditations held: one per person and accreditation. The daily task
-- warns 30 days before expires_at (warned_at, once) and marks expired_at.
CREATE TABLE IF NOT EXISTS accreditation_awards (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  bigint NOT NULL,
    partner_id       bigint NOT NULL,
    user_id          bigint NOT NULL,
    accreditation_id bigint NOT NULL,
    awarded_at       timestamptz NOT NULL,
    expires_at       timestamptz,
    warned_at        timestamptz,
    expired_at       timestamptz,
    UNIQUE (organization_id, accreditation_id, user_id),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, accreditation_id) REFERENCES accreditations (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS accreditation_awards_partner_idx ON accreditation_awards (organization_id, partner_id, accreditation_id);
CREATE INDEX IF NOT EXISTS accreditation_awards_expiry_idx ON accreditation_awards (expires_at) WHERE expired_at IS NULL AND expires_at IS NOT NULL;
-- Invoicing (issue 9). The program's invoice settings, one row per
-- organization (absent: monthly, NET 30, no minimum, prefix INV).
CREATE TABLE IF NOT EXISTS invoice_settings (
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
CREATE TABLE IF NOT EXISTS invoice_minimums (
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor    bigint NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (organization_id, currency)
);

-- The partner's legal details printed on its self-billing invoices.
CREATE TABLE IF NOT EXISTS partner_billing_details (
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
CREATE TABLE IF NOT EXISTS invoice_counters (
    organization_id bigint PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    last_sequence   bigint NOT NULL DEFAULT 0 CHECK (last_sequence >= 0)
);

-- One run per organization and period: started, finished, what it made.
CREATE TABLE IF NOT EXISTS invoice_runs (
    organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    period_key      text NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    invoices        integer NOT NULL DEFAULT 0,
    carried_over    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, period_key)
);

-- Payout batches: due invoices picked by staff, paid together.
CREATE TABLE IF NOT EXISTS payout_batches (
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
CREATE TABLE IF NOT EXISTS invoices (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    kind            text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
    credits_invoice_id bigint,
    sequence        bigint NOT NULL,
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
    CHECK ((kind = 'invoice') = (total_minor > 0)),
    -- A run writes the invoice and its lines as a draft (negative sequence,
    -- number 'draft-…') and numbers it last, so the organization's counter
    -- row is held only for the numbering and the commit; a draft can never
    -- be committed (invoices_numbered below).
    CONSTRAINT invoices_sequence_check CHECK (sequence > 0 OR (sequence < 0 AND number LIKE 'draft-%'))
);
CREATE OR REPLACE FUNCTION invoices_numbered() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM invoices WHERE id = NEW.id AND sequence < 0) THEN
        RAISE EXCEPTION 'invoice % was not numbered before commit', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS invoices_numbered ON invoices;
CREATE CONSTRAINT TRIGGER invoices_numbered AFTER INSERT ON invoices DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION invoices_numbered();
-- The console list by status in number order, and its period filter.
CREATE INDEX IF NOT EXISTS invoices_org_status_seq_idx ON invoices (organization_id, status, sequence DESC);
CREATE INDEX IF NOT EXISTS invoices_org_period_idx ON invoices (organization_id, period_key DESC, period_label);
-- One live invoice per partner, currency and period.
CREATE UNIQUE INDEX IF NOT EXISTS invoices_one_per_period
    ON invoices (organization_id, partner_id, currency, period_key) WHERE status <> 'void';
CREATE INDEX IF NOT EXISTS invoices_partner_idx ON invoices (organization_id, partner_id, issued_on DESC, id DESC);
CREATE INDEX IF NOT EXISTS invoices_org_idx ON invoices (organization_id, status, issued_on DESC, id DESC);
CREATE INDEX IF NOT EXISTS invoices_no_pdf_idx ON invoices (organization_id, id) WHERE pdf_key = '';

-- One line per commission. A line is live while its invoice is not void: a
-- commission is on exactly one live invoice (a void invoice's lines stay, as
-- history, and its commissions are invoiced again).
CREATE TABLE IF NOT EXISTS invoice_lines (
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
CREATE UNIQUE INDEX IF NOT EXISTS invoice_lines_one_live ON invoice_lines (organization_id, commission_id) WHERE live;
CREATE INDEX IF NOT EXISTS invoice_lines_invoice_idx ON invoice_lines (organization_id, invoice_id, id);

-- What happened to an invoice, for its history.
CREATE TABLE IF NOT EXISTS invoice_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    invoice_id      bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('issued', 'paid', 'voided', 'batched', 'emailed')),
    detail          text NOT NULL DEFAULT '',
    user_id         bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    FOREIGN KEY (organization_id, invoice_id) REFERENCES invoices (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS invoice_events_invoice_idx ON invoice_events (organization_id, invoice_id, id);

-- Fill the day rows and status totals of organizations whose leads predate
-- them (idempotent: an organization that has both is left alone).
SELECT lead_daily_rebuild(o.id) FROM organizations o
WHERE EXISTS (SELECT 1 FROM leads l WHERE l.organization_id = o.id)
  AND (NOT EXISTS (SELECT 1 FROM lead_daily_counts d WHERE d.organization_id = o.id)
       OR NOT EXISTS (SELECT 1 FROM lead_status_totals s WHERE s.organization_id = o.id));

-- Spotlight: the organization's public partner directory and the profiles
-- partners publish in it (issue 13). One settings row per organization;
-- form_key signs the contact form's timestamp (spam check, app/spotlight).
CREATE TABLE IF NOT EXISTS directory_settings (
    organization_id   bigint PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    enabled           boolean NOT NULL DEFAULT false,
    slug              text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    specialties       text[] NOT NULL DEFAULT '{}',
    platforms         text[] NOT NULL DEFAULT '{}',
    budget_bands      text[] NOT NULL DEFAULT '{}',
    approval_required boolean NOT NULL DEFAULT false,
    -- Featured partners, in the order the directory shows them first.
    featured_partner_ids bigint[] NOT NULL DEFAULT '{}',
    -- Origins that may frame the directory pages (CSP frame-ancestors).
    frame_origins     text[] NOT NULL DEFAULT '{}',
    form_key          bytea NOT NULL CHECK (length(form_key) = 32),
    updated_at        timestamptz NOT NULL
);

-- array_to_string is STABLE in general (element output functions may
-- depend on settings); for text[] it is not, and a generated column needs it
-- IMMUTABLE.
CREATE OR REPLACE FUNCTION spotlight_words(a text[]) RETURNS text
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $fn$ SELECT array_to_string(a, ' ') $fn$;

CREATE TABLE IF NOT EXISTS partner_profiles (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    company_name    text NOT NULL CHECK (length(company_name) BETWEEN 1 AND 200),
    website         text NOT NULL DEFAULT '',
    tagline         text NOT NULL DEFAULT '' CHECK (length(tagline) <= 160),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    logo_key        text NOT NULL DEFAULT '',
    specialties     text[] NOT NULL DEFAULT '{}',
    free_specialty  text NOT NULL DEFAULT '' CHECK (length(free_specialty) <= 40),
    areas           text[] NOT NULL DEFAULT '{}', -- ISO 3166-1 alpha-2 codes and R-… regions
    platforms       text[] NOT NULL DEFAULT '{}',
    budget_band     text NOT NULL DEFAULT '',
    languages       text[] NOT NULL DEFAULT '{}', -- ISO 639-1
    contact_email   text NOT NULL DEFAULT '',
    -- What the filters match (app/spotlight Facets): s:, p:, g:, b:, l: keys.
    facets          text[] NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'pending', 'published', 'declined')),
    -- Position among the featured partners (directory_settings), else last:
    -- kept here so the "featured first" order is an index scan.
    featured_rank   integer NOT NULL DEFAULT 2147483647,
    decline_reason  text NOT NULL DEFAULT '',
    submitted_at    timestamptz,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    search          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', company_name), 'A') ||
        setweight(to_tsvector('simple', tagline || ' ' || free_specialty || ' ' || spotlight_words(specialties) || ' ' || spotlight_words(platforms)), 'B') ||
        setweight(to_tsvector('simple', description), 'C')) STORED,
    PRIMARY KEY (organization_id, partner_id),
    UNIQUE (organization_id, slug),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
-- The directory reads published profiles only: filters through the facets,
-- text search through the tsvector, sorted by name or publication. The GIN
-- indexes take each change at once (fastupdate off): profiles change
-- seldom, and a pending list, read in full by every search until a vacuum
-- merges it, made a filtered page read ~500 pages at 10,000 profiles
-- instead of ~10 (docs/BENCHMARKS.md, "Partner directory").
CREATE INDEX IF NOT EXISTS partner_profiles_facets_idx ON partner_profiles USING gin (facets) WITH (fastupdate = off) WHERE state = 'published';
CREATE INDEX IF NOT EXISTS partner_profiles_search_idx ON partner_profiles USING gin (search) WITH (fastupdate = off) WHERE state = 'published';
-- The sitemap: every published slug read from the index alone.
CREATE INDEX IF NOT EXISTS partner_profiles_sitemap_idx ON partner_profiles (organization_id, partner_id) INCLUDE (slug, updated_at) WHERE state = 'published';
CREATE INDEX IF NOT EXISTS partner_profiles_name_idx ON partner_profiles (organization_id, lower(company_name), partner_id) WHERE state = 'published';
CREATE INDEX IF NOT EXISTS partner_profiles_featured_idx ON partner_profiles (organization_id, featured_rank, lower(company_name), partner_id) WHERE state = 'published';
CREATE INDEX IF NOT EXISTS partner_profiles_newest_idx ON partner_profiles (organization_id, published_at DESC, partner_id) WHERE state = 'published';
CREATE INDEX IF NOT EXISTS partner_profiles_pending_idx ON partner_profiles (organization_id, submitted_at) WHERE state = 'pending';
