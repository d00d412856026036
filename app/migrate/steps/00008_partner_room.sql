-- +goose Up
-- Partner Room (issue 11): resource library, versions, search, events.
-- +goose StatementBegin

-- Partner Room: the resource library. Categories are a staff-managed list;
-- a resource is either an uploaded file (its versions below; replacing a file
-- adds a version, the old ones stay) or an external link. Visibility is all
-- partners or the tiers listed in resource_tiers. `search` is the full-text
-- document (title A, tags B, description C, text extracted from the current
-- file D), kept by a trigger; the worker fills body_text.
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
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, category_id) REFERENCES resource_categories (organization_id, id)
);
CREATE INDEX IF NOT EXISTS resources_search_idx ON resources USING gin (search);
CREATE INDEX IF NOT EXISTS resources_list_idx ON resources (organization_id, featured DESC, created_at DESC, id DESC) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS resources_tags_idx ON resources USING gin (tags);

CREATE OR REPLACE FUNCTION resources_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := setweight(to_tsvector('english', NEW.title), 'A')
               || setweight(to_tsvector('english', array_to_string(NEW.tags, ' ')), 'B')
               || setweight(to_tsvector('english', NEW.description), 'C')
               || setweight(to_tsvector('english', left(NEW.body_text, 500000)), 'D');
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
-- +goose StatementEnd
