-- +goose Up
-- A change of a user's sign-in address waits until the new address confirms
-- it (confirm link, to the new address); the old address is told, with a
-- link that cancels the change (or undoes it) and ends every session. Only
-- SHA-256 hashes of both tokens are stored; the worker mints them while the
-- email is unsent (a retry replaces them), so each email goes out once.
CREATE TABLE email_changes (
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
CREATE UNIQUE INDEX email_changes_one_pending
    ON email_changes (user_id) WHERE confirmed_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX email_changes_unsent_idx
    ON email_changes (id) WHERE confirm_sent_at IS NULL OR notice_sent_at IS NULL;

-- Invitations into a partner company. The account is created only when the
-- invited person accepts, so inviting an address says nothing about whether
-- it already has an account. Each send (first or resend) has its own
-- request id; the worker mints the token (stored hashed) while unsent.
CREATE TABLE invitations (
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
CREATE UNIQUE INDEX invitations_one_open
    ON invitations (partner_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_partner_idx ON invitations (organization_id, partner_id, created_at);
CREATE INDEX invitations_unsent_idx ON invitations (id) WHERE sent_at IS NULL;

