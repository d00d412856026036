-- +goose Up
-- Commission engine and lists at scale (branch perf8, docs/BENCHMARKS.md,
-- "Commission engine" and "Commission lists"): the lead's company on each
-- commission row with a partner-scoped search index over it, and a
-- per-partner totals table kept by triggers for the Payments figures.
ALTER TABLE commissions ADD COLUMN lead_company text NOT NULL DEFAULT '';
UPDATE commissions c SET lead_company = l.company
FROM leads l WHERE l.organization_id = c.organization_id AND l.id = c.lead_id;
CREATE INDEX commissions_partner_search_keys_idx ON commissions
    USING gin (lead_search_keys(partner_id, lower(lead_company))) WHERE lead_company <> '';
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION commissions_lead_company() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.lead_id IS NOT NULL AND NEW.lead_company = '' THEN
        NEW.lead_company := coalesce((SELECT l.company FROM leads l
                                      WHERE l.organization_id = NEW.organization_id AND l.id = NEW.lead_id), '');
    END IF;
    RETURN NEW;
END
$fn$;
-- +goose StatementEnd
CREATE OR REPLACE TRIGGER commissions_lead_company BEFORE INSERT ON commissions
    FOR EACH ROW EXECUTE FUNCTION commissions_lead_company();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION leads_company_to_commissions() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE commissions SET lead_company = NEW.company
    WHERE organization_id = NEW.organization_id AND lead_id = NEW.id AND lead_company <> NEW.company;
    RETURN NULL;
END
$fn$;
-- +goose StatementEnd
CREATE OR REPLACE TRIGGER leads_company_to_commissions AFTER UPDATE OF company ON leads
    FOR EACH ROW WHEN (OLD.company IS DISTINCT FROM NEW.company) EXECUTE FUNCTION leads_company_to_commissions();
CREATE TABLE commission_totals (
    organization_id bigint NOT NULL,
    partner_id      bigint NOT NULL,
    currency        char(3) NOT NULL,
    status          text NOT NULL,
    amount_minor    bigint NOT NULL DEFAULT 0,
    n               bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, partner_id, currency, status),
    FOREIGN KEY (organization_id, partner_id) REFERENCES partners (organization_id, id) ON DELETE CASCADE
);
INSERT INTO commission_totals (organization_id, partner_id, currency, status, amount_minor, n)
SELECT organization_id, partner_id, currency, status, sum(amount_minor), count(*)
FROM commissions GROUP BY 1, 2, 3, 4;
-- +goose StatementBegin
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
-- +goose StatementEnd
CREATE OR REPLACE TRIGGER commission_totals_insert AFTER INSERT ON commissions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION commission_totals_apply();
CREATE OR REPLACE TRIGGER commission_totals_update AFTER UPDATE ON commissions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION commission_totals_apply();
CREATE OR REPLACE TRIGGER commission_totals_delete AFTER DELETE ON commissions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION commission_totals_apply();
