-- +goose Up
-- The click rollup adds each batch's new visitors to a day's unique visitors
-- instead of counting the whole day again per batch (which made a busy
-- link's rollup slower with every click of the day: docs/BENCHMARKS.md,
-- issue 10). It asks whether a visitor clicked the link that day before:
-- the link-day index gains the visitor id. The counts already stored are
-- exact and stay.
CREATE INDEX IF NOT EXISTS clicks_link_day_visitor_idx ON clicks (organization_id, link_id, day, visitor_id);
DROP INDEX IF EXISTS clicks_link_day_idx;
