-- +goose Up
-- Partner Room search at 50,000 resources: results are ranked by a small
-- vector of title, tags and description (rank_doc) instead of the whole
-- document with the extracted text (search, kept for matching), so ranking
-- every match no longer detoasts the large vectors; the tier visibility
-- filter reads only the partner's tier's rows.
ALTER TABLE resources ADD COLUMN rank_doc tsvector NOT NULL DEFAULT ''::tsvector;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION resources_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.rank_doc := setweight(to_tsvector('english', NEW.title), 'A')
                 || setweight(to_tsvector('english', array_to_string(NEW.tags, ' ')), 'B')
                 || setweight(to_tsvector('english', NEW.description), 'C');
    NEW.search := NEW.rank_doc || setweight(to_tsvector('english', left(NEW.body_text, 500000)), 'D');
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- Narrow rows: a row with extracted text has body_text and search moved
-- to TOAST; the columns every match reads stay in the row.
ALTER TABLE resources SET (toast_tuple_target = 128);
ALTER TABLE resources ALTER COLUMN title SET STORAGE MAIN, ALTER COLUMN description SET STORAGE MAIN,
    ALTER COLUMN tags SET STORAGE MAIN, ALTER COLUMN rank_doc SET STORAGE MAIN;

-- Fires the trigger for the existing rows (and rewrites them narrow).
UPDATE resources SET title = title;

CREATE INDEX resource_tiers_tier_idx ON resource_tiers (organization_id, tier_id, resource_id);
