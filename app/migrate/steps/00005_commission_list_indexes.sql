-- +goose Up
-- The commission lists filtered by status, in the order they sort
-- (docs/BENCHMARKS.md, finding 10).
CREATE INDEX commissions_org_status_earned_idx ON commissions (organization_id, status, earned_at DESC, id DESC);
CREATE INDEX commissions_partner_status_earned_idx ON commissions (organization_id, partner_id, status, earned_at DESC, id DESC)
    INCLUDE (amount_minor, currency);
