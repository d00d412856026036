// Package apptest gives tests the real parts: a fresh PostgreSQL database per
// test (cloned from a template holding schema.sql and the demo data), a Redis
// database of its own, a real SMTP server, and the portal's web tier and
// worker running against them.
package apptest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerportal/app/clock"
	"partnerportal/app/migrate"
	"partnerportal/app/secret"
	"partnerportal/app/seed"
	"partnerportal/queries"
)

// AdminURL is the PostgreSQL server tests create their databases on.
func AdminURL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Root is the module root (where go.mod is).
func Root(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// SeedTime is the "now" the demo data of the test databases was made at: the
// start of the suite clock's day (UTC), so a template serves a whole day.
func SeedTime() time.Time {
	return clock.SuiteNow().UTC().Truncate(24 * time.Hour)
}

func dbURL(name string) string {
	u := AdminURL()
	i := strings.LastIndex(u, "/")
	rest := ""
	if q := strings.Index(u[i:], "?"); q >= 0 {
		rest = u[i+q:]
	}
	return u[:i+1] + name + rest
}

var templateOnce sync.Map // name → *sync.Once

// templateDB builds (once per schema+steps+seed version and day of the
// suite's clock, shared by every package and run) a database holding
// schema.sql and the demo data, whose leads spread over the year before that
// day.
func templateDB(t testing.TB) string {
	root := Root(t)
	seedDay := SeedTime()
	h := sha256.New()
	h.Write([]byte(seedDay.Format(time.RFC3339)))
	steps, err := filepath.Glob(filepath.Join(root, "app/migrate/steps/*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range steps {
		steps[i], _ = filepath.Rel(root, steps[i])
	}
	seedFiles, err := filepath.Glob(filepath.Join(root, "app/seed/*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range seedFiles {
		seedFiles[i], _ = filepath.Rel(root, seedFiles[i])
	}
	for _, f := range append(append([]string{"schema.sql"}, seedFiles...), steps...) {
		h.Write([]byte(f))
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	name := "pp_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
	once, _ := templateOnce.LoadOrStore(name, new(sync.Once))
	var ferr error
	once.(*sync.Once).Do(func() { ferr = buildTemplate(root, name, seedDay) })
	if ferr != nil {
		templateOnce.Delete(name)
		t.Fatalf("template database: %v", ferr)
	}
	return name
}

func buildTemplate(root, name string, seedDay time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w (is it running? see README)", AdminURL(), err)
	}
	defer admin.Close(ctx)
	// Packages run in parallel processes: one builds, the others wait.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		return err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(4242)") //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return err
	}
	schema, err := os.ReadFile(filepath.Join(root, "schema.sql"))
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, dbURL(name))
	if err != nil {
		return err
	}
	store := queries.NewStore(pool)
	err = migrate.Up(ctx, pool, string(schema), slog.New(slog.DiscardHandler))
	if err == nil {
		err = seed.Demo(ctx, store, slog.New(slog.DiscardHandler), seedDay)
	}
	pool.Close()
	if err != nil {
		return err
	}
	if _, err = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH is_template = true"); err != nil {
		return err
	}
	// Templates of earlier schema versions are no longer needed.
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'pp\\_tmpl\\_%' AND datname <> $1", name)
	if err != nil {
		return err
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, o := range old {
		id := pgx.Identifier{o}.Sanitize()
		_, _ = admin.Exec(ctx, "ALTER DATABASE "+id+" WITH is_template = false")
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+id) // in use by a running test: left for next time
	}
	return nil
}

// NewStore returns a fresh database with the schema and the demo data, dropped
// when the test ends.
func NewStore(t testing.TB) *queries.Store {
	t.Helper()
	tmpl := templateDB(t)
	name := "pp_test_" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(secret.New()[:16]))
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{tmpl}.Sanitize())); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dbURL(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		c, err := pgx.Connect(context.Background(), AdminURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	return queries.NewStore(pool)
}

// OpenStore connects to an existing database, closed (not dropped) when the
// test ends. See Options.DatabaseURL.
func OpenStore(t testing.TB, url string) *queries.Store {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(context.Background()); err != nil {
		pool.Close()
		t.Fatalf("database at %s: %v", url, err)
	}
	t.Cleanup(pool.Close)
	return queries.NewStore(pool)
}
