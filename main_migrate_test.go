package main

// `portal migrate` as real processes: two at once on a database of the
// previous release, --status, and web/worker refusing a database that is not
// at this release's step.

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerportal/app/apptest"
	"partnerportal/app/migrate"
)

func TestTwoMigrateProcessesAtOnceOnThePreviousRelease(t *testing.T) {
	ctx := context.Background()
	bin := buildBinary(t)
	dbURL := emptyDatabase(t)
	env := []string{"DATABASE_URL=" + dbURL}
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, apptest.PreviousReleaseSchema(t)); err != nil {
		t.Fatalf("previous release's schema.sql: %v", err)
	}

	// The web tier and the worker refuse the old schema and say what to do.
	for _, cmd := range []string{"web", "worker"} {
		out, err := run(t, bin, append(env, "SMTP_URL=smtp://127.0.0.1:1", "REDIS_URL=redis://127.0.0.1:1/0"), cmd)
		if err == nil || !strings.Contains(out, "run `portal migrate` first") {
			t.Fatalf("%s on the previous release's database: err=%v\n%s", cmd, err, out)
		}
	}
	out, err := run(t, bin, env, "migrate", "--status")
	if err != nil || !strings.Contains(out, "release before upgrade steps") || !strings.Contains(out, "pending") {
		t.Fatalf("migrate --status before: %v\n%s", err, out)
	}

	// Hold the migration lock, start two migrate processes, let go once
	// both wait for it.
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock($1)", migrate.LockKey); err != nil {
		t.Fatal(err)
	}
	type result struct {
		out string
		err error
	}
	results := make(chan result, 2)
	for range 2 {
		cmd := exec.Command(bin, "migrate")
		cmd.Env = append(os.Environ(), env...)
		go func() {
			out, err := cmd.CombinedOutput()
			results <- result{string(out), err}
		}()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var waiting int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, migrate.LockKey).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d migrate processes wait for the lock, want 2", waiting)
		}
		time.Sleep(20 * time.Millisecond) // polling for the processes to reach the lock, not for time to pass
	}
	if _, err := c.Exec(ctx, "SELECT pg_advisory_unlock($1)", migrate.LockKey); err != nil {
		t.Fatal(err)
	}
	var logs []string
	applied := 0
	for range 2 {
		r := <-results
		if r.err != nil {
			t.Fatalf("a migrate process failed: %v\n%s", r.err, r.out)
		}
		if !strings.Contains(r.out, "another migrate holds the lock: waiting") {
			t.Errorf("a migrate process did not say it waited:\n%s", r.out)
		}
		applied += strings.Count(r.out, "upgrade step applied")
		logs = append(logs, r.out)
	}
	var steps, dup int
	if err := c.QueryRow(ctx, `SELECT count(DISTINCT version_id), count(*) - count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&steps, &dup); err != nil {
		t.Fatal(err)
	}
	if applied != steps || dup != 0 {
		t.Fatalf("%d steps recorded, %d applied by the two processes, %d recorded twice:\n%s", steps, applied, dup, strings.Join(logs, "\n---\n"))
	}
	out, err = run(t, bin, env, "migrate", "--status")
	if err != nil || !strings.Contains(out, "up to date") || strings.Contains(out, "pending") {
		t.Fatalf("migrate --status after: %v\n%s", err, out)
	}

	// A step this binary does not know (a newer release migrated the
	// database): migrate and --status refuse, the web tier too.
	if _, err := c.Exec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"migrate"}, {"migrate", "--status"}, {"web"}} {
		out, err := run(t, bin, append(env, "REDIS_URL=redis://127.0.0.1:1/0"), args...)
		if err == nil || !strings.Contains(out, "newer release") {
			t.Fatalf("%v on a newer database: err=%v\n%s", args, err, out)
		}
	}
}
