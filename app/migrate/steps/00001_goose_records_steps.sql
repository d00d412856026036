-- The first upgrade step. Until now `migrate` recorded one schema version (1)
-- in schema_migrations; from here on goose records every step in
-- goose_db_version, and the old single number would only mislead.
-- +goose Up
DROP TABLE schema_migrations;
