package seed

// Bulk-load settings for the scale seed, all local to its transaction:
// foreign-key triggers off (when the role may) with one set-based check of
// the same keys at the end, and secondary indexes of leads and lead_events
// built once after the COPY instead of maintained row by row. At 1M leads this
// turns ~70 s into ~25 s.

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// keepTriggers makes fastLoad leave foreign-key triggers on even for a
// superuser, as for any other role (a test runs the generator against them).
var keepTriggers = false

type bulkLoad struct {
	noTriggers bool
	indexes    []string // CREATE INDEX statements to run after the COPY
}

// fastLoad prepares the transaction. Secondary indexes are dropped only when
// the table holds fewer rows than the load adds: then one build is cheaper
// than n insertions (the GIN trigram index: 13 s built vs 30 s maintained
// for 1M leads). DROP INDEX holds an exclusive lock on the table until
// commit, so other sessions reading leads wait for the seed to finish.
func fastLoad(ctx context.Context, tx pgx.Tx, log *slog.Logger, n int) (*bulkLoad, error) {
	b := &bulkLoad{}
	var super string
	if err := tx.QueryRow(ctx, "SELECT current_setting('is_superuser')").Scan(&super); err != nil {
		return nil, err
	}
	if super == "on" && !keepTriggers {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return nil, err
		}
		b.noTriggers = true
	} else {
		log.Info("scale: not a superuser, foreign keys are checked row by row (slower)")
	}
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
		return nil, err
	}
	for _, table := range []string{"leads", "lead_events"} {
		var existing int
		if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT $1) s",
			pgx.Identifier{table}.Sanitize()), n).Scan(&existing); err != nil {
			return nil, err
		}
		if existing >= n {
			continue
		}
		// Indexes that back no constraint (primary key, unique constraint,
		// the target of a foreign key) are safe to drop and re-create.
		rows, err := tx.Query(ctx, `
			SELECT c.relname, pg_get_indexdef(i.indexrelid)
			FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			WHERE i.indrelid = $1::regclass
			  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
			ORDER BY c.relname`, table)
		if err != nil {
			return nil, err
		}
		var names, defs []string
		var name, def string
		if _, err := pgx.ForEachRow(rows, []any{&name, &def}, func() error {
			names, defs = append(names, name), append(defs, def)
			return nil
		}); err != nil {
			return nil, err
		}
		for i, name := range names {
			if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{name}.Sanitize()); err != nil {
				return nil, fmt.Errorf("drop index %s: %w", name, err)
			}
			b.indexes = append(b.indexes, defs[i])
		}
	}
	return b, nil
}

// finish re-creates the dropped indexes and, when the foreign-key triggers
// were off, checks every key the triggers would have checked, in one pass per
// key (an anti-join), so a bug in the generator fails the load instead of
// leaving dangling rows.
func (b *bulkLoad) finish(ctx context.Context, tx pgx.Tx, log *slog.Logger, orgID int64) error {
	if b.noTriggers {
		start := time.Now()
		// Statistics from before the load would plan these as nested loops.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '256MB'"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ANALYZE partners, users, tracking_links, leads, lead_events, commissions"); err != nil {
			return err
		}
		for _, c := range scaleKeyChecks {
			var bad int64
			if err := tx.QueryRow(ctx, c.sql, orgID).Scan(&bad); err != nil {
				return fmt.Errorf("check %s: %w", c.name, err)
			}
			if bad > 0 {
				return fmt.Errorf("scale seed bug: %d rows violate %s", bad, c.name)
			}
		}
		log.Info("scale: foreign keys checked", "took", time.Since(start).Round(time.Millisecond))
	}
	for _, def := range b.indexes {
		start := time.Now()
		if _, err := tx.Exec(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
		log.Info("scale: index built", "index", def, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// scaleKeyChecks are the foreign keys of the rows the seed writes, each as a
// count of the organization's rows without a match.
var scaleKeyChecks = []struct{ name, sql string }{
	{"partners → tiers", `SELECT count(*) FROM partners p WHERE p.organization_id = $1 AND p.tier_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM tiers t WHERE t.organization_id = p.organization_id AND t.id = p.tier_id)`},
	{"users → partners", `SELECT count(*) FROM users u WHERE u.organization_id = $1 AND u.partner_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM partners p WHERE p.organization_id = u.organization_id AND p.id = u.partner_id)`},
	{"tracking_links → partners", `SELECT count(*) FROM tracking_links l WHERE l.organization_id = $1
		AND NOT EXISTS (SELECT 1 FROM partners p WHERE p.organization_id = l.organization_id AND p.id = l.partner_id)`},
	{"leads → partners", `SELECT count(*) FROM leads l WHERE l.organization_id = $1
		AND NOT EXISTS (SELECT 1 FROM partners p WHERE p.organization_id = l.organization_id AND p.id = l.partner_id)`},
	{"leads → users", `SELECT count(*) FROM leads l WHERE l.organization_id = $1 AND l.created_by_user_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = l.created_by_user_id)`},
	{"leads → tracking_links", `SELECT count(*) FROM leads l WHERE l.organization_id = $1 AND l.tracking_link_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM tracking_links t WHERE t.organization_id = l.organization_id AND t.id = l.tracking_link_id)`},
	{"lead_events → leads", `SELECT count(*) FROM lead_events e WHERE e.organization_id = $1
		AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.organization_id = e.organization_id AND l.id = e.lead_id)`},
	{"lead_events → users", `SELECT count(*) FROM lead_events e WHERE e.organization_id = $1 AND e.actor_user_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.actor_user_id)`},
	{"commissions → partners", `SELECT count(*) FROM commissions c WHERE c.organization_id = $1
		AND NOT EXISTS (SELECT 1 FROM partners p WHERE p.organization_id = c.organization_id AND p.id = c.partner_id)`},
}
