package migrate_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"partnerportal/app/apptest"
	"partnerportal/app/migrate"
)

func schemaSQL(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(apptest.Root(t), "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newPool is a pool of its own on url: a separate session, like a separate
// `portal migrate` process.
func newPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func newMigrator(t *testing.T, pool *pgxpool.Pool, opts ...migrate.Option) *migrate.Migrator {
	t.Helper()
	m, err := migrate.New(pool, schemaSQL(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func builtinSteps(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(migrate.Steps(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no built-in steps: %v", err)
	}
	return names
}

// latestStep is the highest step number built in.
func latestStep(t *testing.T) int64 {
	t.Helper()
	names := builtinSteps(t)
	var v int64
	if _, err := fmt.Sscanf(names[len(names)-1], "%d_", &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// withFixture is the built-in steps plus one more, numbered after them.
func withFixture(t *testing.T, name, sql string) (fs.FS, int64) {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, n := range builtinSteps(t) {
		b, err := fs.ReadFile(migrate.Steps(), n)
		if err != nil {
			t.Fatal(err)
		}
		fsys[n] = &fstest.MapFile{Data: b}
	}
	v := latestStep(t) + 1
	fsys[fmt.Sprintf("%05d_%s.sql", v, name)] = &fstest.MapFile{Data: []byte("-- +goose Up\n" + sql + "\n")}
	return fsys, v
}

func queryInt(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// versionRows counts goose's records of one step.
func versionRows(t *testing.T, pool *pgxpool.Pool, v int64) int64 {
	t.Helper()
	return queryInt(t, pool, "SELECT count(*) FROM goose_db_version WHERE version_id = $1 AND is_applied", v)
}

// installPrevious gives a database the previous release's schema.sql (from
// git), as its `portal migrate` left it: schema_migrations says 1.
func installPrevious(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), apptest.PreviousReleaseSchema(t)); err != nil {
		t.Fatalf("previous release's schema.sql: %v", err)
	}
	if v := queryInt(t, pool, "SELECT max(version) FROM schema_migrations"); v != 1 {
		t.Fatalf("previous release recorded version %d, want 1", v)
	}
}

func TestFreshDatabaseGetsSchemaAndIsAtLatestStep(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, apptest.EmptyDatabase(t))
	m := newMigrator(t, pool)
	if st, err := m.Inspect(ctx); err != nil || st.Kind != migrate.KindEmpty {
		t.Fatalf("empty database inspected as %+v, %v", st, err)
	}
	if err := m.Check(ctx); err == nil || !strings.Contains(err.Error(), "portal migrate") {
		t.Fatalf("web/worker check on an empty database: %v", err)
	}
	ran, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 0 {
		t.Fatalf("a fresh install ran steps %v; schema.sql already holds them", ran)
	}
	st, err := m.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.UpToDate() || st.Current != latestStep(t) || st.Latest != latestStep(t) {
		t.Fatalf("after install: %+v", st)
	}
	for _, s := range st.Steps {
		if n := versionRows(t, pool, s.Version); n != 1 {
			t.Errorf("step %d recorded %d times", s.Version, n)
		}
	}
	if n := queryInt(t, pool, "SELECT count(*) FROM pg_tables WHERE tablename = 'leads'"); n != 1 {
		t.Fatalf("schema.sql not applied (leads: %d)", n)
	}
	if err := m.Check(ctx); err != nil {
		t.Fatalf("check after install: %v", err)
	}
	// A second run changes nothing.
	before := queryInt(t, pool, "SELECT count(*) FROM goose_db_version")
	if ran, err := m.Up(ctx); err != nil || len(ran) != 0 {
		t.Fatalf("second run: %v %v", ran, err)
	}
	if after := queryInt(t, pool, "SELECT count(*) FROM goose_db_version"); after != before {
		t.Fatalf("second run recorded %d more rows", after-before)
	}
}

func TestPreviousReleaseIsBaselineAndStepsRun(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, apptest.EmptyDatabase(t))
	installPrevious(t, pool)
	m := newMigrator(t, pool)
	st, err := m.Inspect(ctx)
	if err != nil || st.Kind != migrate.KindBaseline || st.Pending() != len(builtinSteps(t)) {
		t.Fatalf("previous release inspected as %+v, %v", st, err)
	}
	if err := m.Check(ctx); err == nil || !strings.Contains(err.Error(), "portal migrate") {
		t.Fatalf("web/worker check on the previous release: %v", err)
	}
	ran, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != len(builtinSteps(t)) {
		t.Fatalf("ran %v, want every built-in step", ran)
	}
	if err := m.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, pool, "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations'"); n != 0 {
		t.Fatal("step 1 did not drop schema_migrations")
	}
}

// A step runs under the lock, in a transaction, and is recorded once; a
// second migrate started at the same time waits for the first and then
// finds nothing to do.
func TestTwoMigratesAtOnceApplyAStepOnce(t *testing.T) {
	ctx := context.Background()
	url := apptest.EmptyDatabase(t)
	if _, err := newMigrator(t, newPool(t, url)).Up(ctx); err != nil {
		t.Fatal(err)
	}
	steps, fixture := withFixture(t, "fixture_once", fmt.Sprintf(`
CREATE TABLE migrate_fixture (pid integer NOT NULL, lock_holders integer NOT NULL);
INSERT INTO migrate_fixture
SELECT pg_backend_pid(), count(*) FROM pg_locks
WHERE locktype = 'advisory' AND objid = %d AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database());`, migrate.LockKey))

	// Hold the lock, start two migrates, and let go once both wait on it.
	holder := newPool(t, url)
	hc, err := holder.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Release()
	if _, err := hc.Exec(ctx, "SELECT pg_advisory_lock($1)", migrate.LockKey); err != nil {
		t.Fatal(err)
	}
	type result struct {
		ran []migrate.Step
		err error
	}
	results := make(chan result, 2)
	var wg sync.WaitGroup
	for range 2 {
		m := newMigrator(t, newPool(t, url), migrate.WithSteps(steps))
		wg.Go(func() {
			ran, err := m.Up(ctx)
			results <- result{ran, err}
		})
	}
	waitForWaiters(t, holder, 2)
	if _, err := hc.Exec(ctx, "SELECT pg_advisory_unlock($1)", migrate.LockKey); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)
	var applied int
	for r := range results {
		if r.err != nil {
			t.Fatalf("a migrate failed: %v", r.err)
		}
		applied += len(r.ran)
	}
	if applied != 1 {
		t.Fatalf("the fixture step ran %d times in all, want 1", applied)
	}
	if n := queryInt(t, holder, "SELECT count(*) FROM migrate_fixture"); n != 1 {
		t.Fatalf("fixture rows: %d, want 1", n)
	}
	if n := queryInt(t, holder, "SELECT lock_holders FROM migrate_fixture"); n != 1 {
		t.Fatalf("the step ran while %d sessions held the migration lock, want 1", n)
	}
	if n := versionRows(t, holder, fixture); n != 1 {
		t.Fatalf("fixture step recorded %d times, want 1", n)
	}
}

// waitForWaiters returns once n sessions wait for the migration lock.
func waitForWaiters(t *testing.T, pool *pgxpool.Pool, n int64) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		got := queryInt(t, pool, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, migrate.LockKey)
		if got == n {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%d sessions wait for the migration lock, want %d", got, n)
		}
	}
}

func TestFailingStepChangesNothingAndIsNotRecorded(t *testing.T) {
	ctx := context.Background()
	url := apptest.EmptyDatabase(t)
	pool := newPool(t, url)
	if _, err := newMigrator(t, pool).Up(ctx); err != nil {
		t.Fatal(err)
	}
	steps, fixture := withFixture(t, "fixture_fails", "CREATE TABLE migrate_half (id integer);\nSELECT 1/0;")
	m := newMigrator(t, pool, migrate.WithSteps(steps))
	if _, err := m.Up(ctx); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("a failing step: %v", err)
	}
	if n := queryInt(t, pool, "SELECT count(*) FROM pg_tables WHERE tablename = 'migrate_half'"); n != 0 {
		t.Fatal("the failed step's first statement was kept: not run in a transaction")
	}
	if n := versionRows(t, pool, fixture); n != 0 {
		t.Fatal("the failed step was recorded")
	}
	if n := queryInt(t, pool, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1", migrate.LockKey); n != 0 {
		t.Fatal("the lock was kept after the failure")
	}
}

func TestUnknownDatabasesAreRefusedUnchanged(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(t *testing.T, pool *pgxpool.Pool)
		want  string
	}{
		{"newer release", func(t *testing.T, pool *pgxpool.Pool) {
			if _, err := newMigrator(t, pool).Up(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)", latestStep(t)+1); err != nil {
				t.Fatal(err)
			}
		}, "newer release"},
		{"legacy version other than 1", func(t *testing.T, pool *pgxpool.Pool) {
			installPrevious(t, pool)
			if _, err := pool.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES (2)"); err != nil {
				t.Fatal(err)
			}
		}, "version 2 in schema_migrations"},
		{"tables without a version", func(t *testing.T, pool *pgxpool.Pool) {
			if _, err := pool.Exec(ctx, "CREATE TABLE someone_elses (id integer)"); err != nil {
				t.Fatal(err)
			}
		}, "no schema version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool := newPool(t, apptest.EmptyDatabase(t))
			c.setup(t, pool)
			before := dumpSchema(t, pool.Config().ConnString())
			m := newMigrator(t, pool)
			_, err := m.Up(ctx)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Nothing was changed") && !strings.Contains(err.Error(), "nothing was changed") {
				t.Fatalf("Up: %v, want a refusal saying %q", err, c.want)
			}
			if cerr := m.Check(ctx); cerr == nil || cerr.Error() != err.Error() {
				t.Fatalf("web/worker check: %v, want %v", cerr, err)
			}
			if after := dumpSchema(t, pool.Config().ConnString()); after != before {
				t.Fatal("a refused database was changed")
			}
			var b strings.Builder
			st, ierr := m.Inspect(ctx)
			if ierr != nil {
				t.Fatal(ierr)
			}
			if serr := migrate.WriteStatus(&b, st); serr == nil || !strings.Contains(b.String(), "cannot be upgraded") {
				t.Fatalf("status: %v\n%s", serr, b.String())
			}
		})
	}
}

func TestStatusListsStepsAndPending(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t, apptest.EmptyDatabase(t))
	installPrevious(t, pool)
	m := newMigrator(t, pool)
	status := func() string {
		st, err := m.Inspect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := migrate.WriteStatus(&b, st); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	first := builtinSteps(t)[0]
	if s := status(); !strings.Contains(s, "release before upgrade steps") || !strings.Contains(s, first) || !strings.Contains(s, "pending") {
		t.Fatalf("status of the previous release:\n%s", s)
	}
	if n := queryInt(t, pool, "SELECT count(*) FROM pg_tables WHERE tablename = 'goose_db_version'"); n != 0 {
		t.Fatal("--status changed the database")
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if s := status(); !strings.Contains(s, "up to date") || strings.Contains(s, "pending") {
		t.Fatalf("status after migrate:\n%s", s)
	}
}

// Steps are goose SQL files named NNNNN_name.sql with an Up section.
func TestBuiltinStepsAreWellFormed(t *testing.T) {
	for _, n := range builtinSteps(t) {
		var v int64
		var rest string
		if _, err := fmt.Sscanf(n, "%05d_%s", &v, &rest); err != nil || len(n) < 7 || n[5] != '_' || v < 1 {
			t.Errorf("%s: name it NNNNN_name.sql", n)
		}
		b, err := fs.ReadFile(migrate.Steps(), n)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "-- +goose Up") {
			t.Errorf("%s: no `-- +goose Up` line", n)
		}
	}
}
