// Package migrate brings a database to the schema this binary expects.
//
// schema.sql (at the module root) is the whole current schema: sqlc reads it
// and a fresh database gets it in one go. An existing database is brought to
// it by the numbered upgrade steps in steps/ (goose SQL files,
// NNNNN_name.sql), each run once, in its own transaction, and recorded in
// goose's table goose_db_version. Everything runs under one PostgreSQL
// advisory lock, so two `portal migrate` started at once run one after the
// other and the second finds nothing left to do.
//
// The states a database can be in, and what Up does with each:
//   - empty: schema.sql is applied and every step is recorded as applied,
//     in one transaction (the schema already contains what the steps do);
//   - the previous release (no goose table; schema_migrations says 1, the
//     marker of the runner before steps existed): recorded as the baseline,
//     step 0, then every step runs;
//   - at step k of this binary's steps: steps k+1… run;
//   - anything else (a step this binary does not know, a legacy version other
//     than 1, tables but no version record): refused with a message and
//     nothing changed.
package migrate

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

//go:embed steps/*.sql
var embedded embed.FS

// Steps are the upgrade steps built into the binary.
func Steps() fs.FS {
	sub, err := fs.Sub(embedded, "steps")
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return sub
}

// LockKey is the advisory lock every migration run holds. It is the key the
// runner before goose used, so an old and a new `migrate` exclude each other.
const LockKey = 727274

// VersionTable is goose's record of the steps applied.
const VersionTable = goose.DefaultTablename

// legacyTable is where the runner before goose recorded schema version 1.
const legacyTable = "schema_migrations"

// legacyBaseline is the only version schema_migrations ever held: a database
// with it has the schema of the last release before the steps.
const legacyBaseline = 1

// Kind says what Inspect found in a database.
type Kind string

const (
	KindEmpty    Kind = "empty"    // no tables: Up installs schema.sql
	KindBaseline Kind = "baseline" // the previous release (schema_migrations = 1)
	KindSteps    Kind = "steps"    // managed by the steps (goose_db_version)
	KindUnknown  Kind = "unknown"  // refused; State.Problem says why
)

// Step is one upgrade step and whether the database has it.
type Step struct {
	Version   int64
	Name      string // file name
	Applied   bool
	AppliedAt time.Time // zero when not applied (or recorded without a time)
}

// State is what a database holds compared with this binary's steps.
type State struct {
	Kind    Kind
	Current int64  // highest step recorded (0 for the baseline or empty)
	Latest  int64  // highest step this binary knows
	Steps   []Step // this binary's steps, in order
	Unknown []int64
	Problem string // set when Kind is KindUnknown
}

// Pending counts the steps Up would run.
func (s State) Pending() int {
	n := 0
	for _, st := range s.Steps {
		if !st.Applied {
			n++
		}
	}
	return n
}

// UpToDate is true when the database has exactly this binary's steps.
func (s State) UpToDate() bool {
	return s.Kind == KindSteps && s.Pending() == 0 && len(s.Unknown) == 0
}

// Migrator runs the steps against one database.
type Migrator struct {
	db       *sql.DB
	schema   string
	steps    fs.FS
	provider *goose.Provider
	store    database.StoreExtender
	log      *slog.Logger
}

// Option changes a Migrator.
type Option func(*Migrator)

// WithSteps replaces the built-in steps (tests add a fixture step).
func WithSteps(steps fs.FS) Option { return func(m *Migrator) { m.steps = steps } }

// WithLogger logs each step applied and waits for the lock.
func WithLogger(log *slog.Logger) Option { return func(m *Migrator) { m.log = log } }

// New prepares a Migrator for the database behind pool; schemaSQL is the
// content of schema.sql. Close it when done (the pool stays open).
func New(pool *pgxpool.Pool, schemaSQL string, opts ...Option) (*Migrator, error) {
	m := &Migrator{schema: schemaSQL, steps: Steps(), log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(m)
	}
	if pool.Config().MaxConns < 2 {
		// One connection holds the lock while goose runs the steps on another.
		return nil, fmt.Errorf("migrate needs at least 2 database connections, pool_max_conns is %d", pool.Config().MaxConns)
	}
	m.db = stdlib.OpenDBFromPool(pool)
	store, err := database.NewStore(database.DialectPostgres, VersionTable)
	if err != nil {
		m.db.Close()
		return nil, err
	}
	m.store = store.(database.StoreExtender) // goose's postgres store is one
	m.provider, err = goose.NewProvider(goose.DialectPostgres, m.db, m.steps,
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		m.db.Close()
		return nil, fmt.Errorf("upgrade steps: %w", err)
	}
	return m, nil
}

// Close releases the Migrator's connections.
func (m *Migrator) Close() error { return m.db.Close() }

// Up brings the database to schema.sql and the latest step, under the lock.
// It returns the steps it ran (none for a fresh install or an up-to-date
// database).
func (m *Migrator) Up(ctx context.Context) ([]Step, error) {
	conn, unlock, err := m.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := m.inspect(ctx, conn)
	if err != nil {
		return nil, err
	}
	switch st.Kind {
	case KindUnknown:
		return nil, errors.New(st.Problem)
	case KindEmpty:
		if err := m.install(ctx, conn, st); err != nil {
			return nil, err
		}
		m.log.Info("schema installed", "step", st.Latest)
		return nil, nil
	case KindBaseline:
		if err := m.markBaseline(ctx, conn); err != nil {
			return nil, err
		}
		m.log.Info("previous release recognised: upgrading", "steps", st.Pending())
	}
	if st.Pending() == 0 {
		return nil, nil
	}
	results, err := m.provider.Up(ctx)
	var ran []Step
	for _, r := range results {
		if r.Error == nil {
			s := Step{Version: r.Source.Version, Name: baseName(r.Source.Path), Applied: true}
			ran = append(ran, s)
			m.log.Info("upgrade step applied", "step", s.Version, "name", s.Name, "duration", r.Duration)
		}
	}
	if err != nil {
		return ran, fmt.Errorf("upgrade step failed (the steps before it are kept; fix it and run migrate again): %w", err)
	}
	return ran, nil
}

// Inspect reports the database's state without changing anything.
func (m *Migrator) Inspect(ctx context.Context) (State, error) {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return State{}, err
	}
	defer conn.Close()
	return m.inspect(ctx, conn)
}

// Check is what the web tier and the workers run at start: nil only when
// the database has exactly this binary's steps.
func (m *Migrator) Check(ctx context.Context) error {
	st, err := m.Inspect(ctx)
	if err != nil {
		return err
	}
	return st.Err()
}

// Err explains why a database is not ready for this binary, or is nil.
func (s State) Err() error {
	switch {
	case s.UpToDate():
		return nil
	case s.Kind == KindUnknown:
		return errors.New(s.Problem)
	case s.Kind == KindEmpty:
		return errors.New("the database has no schema yet: run `portal migrate` first")
	case s.Kind == KindBaseline:
		return errors.New("the database is at the release before upgrade steps: run `portal migrate` first")
	default:
		return fmt.Errorf("the database schema is behind this release (step %d, this release needs step %d): run `portal migrate` first", s.Current, s.Latest)
	}
}

// lock takes the advisory lock on a connection of its own; unlock releases
// both. A second migrate waits here (and says so) until the first is done.
func (m *Migrator) lock(ctx context.Context) (*sql.Conn, func(), error) {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", LockKey).Scan(&got); err != nil {
		conn.Close()
		return nil, nil, err
	}
	if !got {
		m.log.Info("another migrate holds the lock: waiting for it to finish")
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", LockKey); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("waiting for the migration lock: %w", err)
		}
	}
	return conn, func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", LockKey)
		conn.Close()
	}, nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func (m *Migrator) inspect(ctx context.Context, conn *sql.Conn) (State, error) {
	st := State{}
	known := map[int64]bool{}
	for _, src := range m.provider.ListSources() {
		st.Steps = append(st.Steps, Step{Version: src.Version, Name: baseName(src.Path)})
		known[src.Version] = true
		st.Latest = max(st.Latest, src.Version)
	}
	var hasGoose, hasLegacy bool
	var others int
	if err := conn.QueryRowContext(ctx, `
		SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL,
		       (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT IN ($1, $2))`,
		VersionTable, legacyTable).Scan(&hasGoose, &hasLegacy, &others); err != nil {
		return st, fmt.Errorf("inspect the database: %w", err)
	}
	if hasGoose {
		recs, err := m.store.ListMigrations(ctx, conn)
		if err != nil {
			return st, fmt.Errorf("read %s: %w", VersionTable, err)
		}
		applied := map[int64]bool{}
		for _, r := range recs {
			if r.IsApplied {
				applied[r.Version] = true
			}
		}
		for v := range applied {
			st.Current = max(st.Current, v)
			if v != 0 && !known[v] {
				st.Unknown = append(st.Unknown, v)
			}
		}
		slices.Sort(st.Unknown)
		for i := range st.Steps {
			s := &st.Steps[i]
			if applied[s.Version] {
				s.Applied = true
				if r, err := m.store.GetMigration(ctx, conn, s.Version); err == nil {
					s.AppliedAt = r.Timestamp
				}
			}
		}
		switch {
		case len(st.Unknown) > 0:
			st.Kind = KindUnknown
			st.Problem = fmt.Sprintf("the database has upgrade step %d, which this release does not know (it knows steps up to %d): "+
				"it was migrated by a newer release. Run that release or a newer one; nothing was changed", st.Unknown[len(st.Unknown)-1], st.Latest)
			return st, nil
		case st.Current > 0:
			st.Kind = KindSteps
			return st, nil
		}
		// Only goose's step 0: recorded as the baseline but no step ran
		// yet (or goose made its table on an empty database). Decide from
		// the rest as if the table were not there.
	}
	switch {
	case hasLegacy:
		var v *int64
		if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM "+legacyTable).Scan(&v); err != nil {
			return st, fmt.Errorf("read %s: %w", legacyTable, err)
		}
		if v == nil || *v != legacyBaseline {
			got := "no version"
			if v != nil {
				got = fmt.Sprintf("version %d", *v)
			}
			st.Kind = KindUnknown
			st.Problem = fmt.Sprintf("the database records %s in %s; this release upgrades only version %d (the release before upgrade steps). Nothing was changed", got, legacyTable, legacyBaseline)
			return st, nil
		}
		st.Kind = KindBaseline
	case others == 0:
		st.Kind = KindEmpty
	default:
		st.Kind = KindUnknown
		st.Problem = fmt.Sprintf("the database has %d tables but no schema version (neither %s nor %s): it is not a portal database, or not one this release can upgrade. Nothing was changed", others, VersionTable, legacyTable)
	}
	if st.Kind == KindEmpty || st.Kind == KindBaseline {
		for i := range st.Steps {
			st.Steps[i].Applied, st.Steps[i].AppliedAt = false, time.Time{}
		}
	}
	return st, nil
}

// install applies schema.sql to an empty database and records every step as
// applied, in one transaction: the schema already holds what they do.
func (m *Migrator) install(ctx context.Context, conn *sql.Conn, st State) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, m.schema); err != nil {
		return fmt.Errorf("apply schema.sql: %w", err)
	}
	if err := m.ensureVersionTable(ctx, tx); err != nil {
		return err
	}
	for _, s := range st.Steps {
		if err := m.store.Insert(ctx, tx, database.InsertRequest{Version: s.Version}); err != nil {
			return fmt.Errorf("record step %d: %w", s.Version, err)
		}
	}
	return tx.Commit()
}

// markBaseline records step 0 for a database of the previous release, so the
// steps run from the first.
func (m *Migrator) markBaseline(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := m.ensureVersionTable(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// ensureVersionTable creates goose's table with its step 0 unless it exists
// (it may, holding only step 0, when goose saw the database before).
func (m *Migrator) ensureVersionTable(ctx context.Context, tx *sql.Tx) error {
	exists, err := m.store.(database.StoreExtender).TableExists(ctx, tx)
	if err != nil {
		return err
	}
	if exists {
		return nil
	}
	if err := m.store.CreateVersionTable(ctx, tx); err != nil {
		return fmt.Errorf("create %s: %w", VersionTable, err)
	}
	return m.store.Insert(ctx, tx, database.InsertRequest{Version: 0})
}

// Up is the one call most callers need: bring the database behind pool to
// schema.sql and the built-in steps.
func Up(ctx context.Context, pool *pgxpool.Pool, schemaSQL string, log *slog.Logger) error {
	m, err := New(pool, schemaSQL, WithLogger(log))
	if err != nil {
		return err
	}
	defer m.Close()
	_, err = m.Up(ctx)
	return err
}

// Check reports whether the database behind pool has exactly the built-in
// steps (see Migrator.Check).
func Check(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := New(pool, "")
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Check(ctx)
}
