-- +goose Up
-- Spotlight (issue 13): the public partner directory's settings, partner
-- profiles, and the channel of a lead a directory visitor sent.
ALTER TABLE leads
    ADD COLUMN channel text NOT NULL DEFAULT '' CHECK (channel IN ('', 'directory'));

-- Spotlight: the organization's public partner directory and the profiles
-- partners publish in it (issue 13). One settings row per organization;
-- form_key signs the contact form's timestamp (spam check, app/spotlight).
CREATE TABLE directory_settings (
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

CREATE TABLE partner_profiles (
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
-- text search through the tsvector, sorted by name or publication.
CREATE INDEX partner_profiles_facets_idx ON partner_profiles USING gin (facets) WHERE state = 'published';
CREATE INDEX partner_profiles_search_idx ON partner_profiles USING gin (search) WHERE state = 'published';
CREATE INDEX partner_profiles_name_idx ON partner_profiles (organization_id, lower(company_name), partner_id) WHERE state = 'published';
CREATE INDEX partner_profiles_featured_idx ON partner_profiles (organization_id, featured_rank, lower(company_name), partner_id) WHERE state = 'published';
CREATE INDEX partner_profiles_newest_idx ON partner_profiles (organization_id, published_at DESC, partner_id) WHERE state = 'published';
CREATE INDEX partner_profiles_pending_idx ON partner_profiles (organization_id, submitted_at) WHERE state = 'pending';
