-- +goose Up
-- Month rows beside the day rows (docs/BENCHMARKS.md, issue 10): the
-- Dashboard's month charts read lead_monthly_counts / lead_monthly_wins
-- for whole months. The trigger function and the rebuild keep them from now
-- on; the rows of existing leads are the day rows summed per month (the day
-- rows are exact, so these are too). Writes to leads wait until this step
-- commits, so none is counted in the day rows and missed in the months.
LOCK TABLE leads IN SHARE MODE;
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
-- +goose StatementBegin
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
-- +goose StatementEnd
-- +goose StatementBegin
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
-- +goose StatementEnd
INSERT INTO lead_monthly_counts (organization_id, partner_id, own, month, status, leads)
SELECT organization_id, partner_id, own, date_trunc('month', day::timestamp)::date, status, sum(leads)
FROM lead_daily_counts
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5;
INSERT INTO lead_monthly_wins (organization_id, partner_id, own, month, currency, won, revenue_minor)
SELECT organization_id, partner_id, own, date_trunc('month', day::timestamp)::date, currency, sum(won), sum(revenue_minor)
FROM lead_daily_wins
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5;
