-- +goose Up
-- Sign-in requests made while Redis did not answer (outbox for the login email).
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
