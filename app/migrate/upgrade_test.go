package migrate_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerportal/app/apptest"
)

// An install of the previous release, with its demo data, upgraded by
// migrate has exactly the schema of a fresh install and keeps every row.
//
// The previous release is built from git (apptest.PreviousRelease) and runs
// its own `migrate` (which applies that commit's schema.sql, as `git show
// <commit>:schema.sql` prints it) and its own `seed`, so the data is what
// that release wrote, whatever later steps change.
func TestPreviousReleaseWithDataUpgradesToTheFreshSchema(t *testing.T) {
	ctx := context.Background()
	old := apptest.PreviousReleaseBinary(t)
	upgradedURL := apptest.EmptyDatabase(t)
	for _, cmd := range []string{"migrate", "seed"} {
		c := exec.Command(old, cmd)
		c.Env = append(os.Environ(), "DATABASE_URL="+upgradedURL)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("previous release's %s: %v\n%s", cmd, err, out)
		}
	}
	upgraded := newPool(t, upgradedURL)
	if v := queryInt(t, upgraded, "SELECT max(version) FROM schema_migrations"); v != 1 {
		t.Fatalf("previous release recorded version %d", v)
	}
	before := fingerprint(t, upgraded)
	if before["leads"].rows == 0 || before["users"].rows == 0 {
		t.Fatalf("the previous release's demo data is missing: %v", before)
	}

	ran, err := newMigrator(t, upgraded).Up(ctx)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if len(ran) != len(builtinSteps(t)) {
		t.Fatalf("upgrade ran %v, want every built-in step", ran)
	}

	freshURL := apptest.EmptyDatabase(t)
	if _, err := newMigrator(t, newPool(t, freshURL)).Up(ctx); err != nil {
		t.Fatalf("fresh install: %v", err)
	}
	want, got := dumpSchema(t, freshURL), dumpSchema(t, upgradedURL)
	if got != want {
		t.Fatalf("upgraded schema differs from a fresh install (- fresh, + upgraded):\n%s", lineDiff(want, got))
	}

	after := fingerprint(t, upgraded)
	for table, b := range before {
		a, ok := after[table]
		if !ok {
			t.Errorf("table %s is gone after the upgrade", table)
			continue
		}
		if a.rows != b.rows {
			t.Errorf("%s: %d rows before, %d after", table, b.rows, a.rows)
		}
		for col, sum := range b.columns {
			if asum, ok := a.columns[col]; !ok {
				t.Logf("%s.%s was dropped by a step", table, col)
			} else if asum != sum {
				t.Errorf("%s.%s: values changed by the upgrade", table, col)
			}
		}
	}
	t.Logf("%d tables, %d rows kept", len(before), totalRows(before))
}

type tablePrint struct {
	rows    int64
	columns map[string]string // column → md5 of its sorted values
}

func totalRows(m map[string]tablePrint) int64 {
	var n int64
	for _, p := range m {
		n += p.rows
	}
	return n
}

// fingerprint counts every table's rows and hashes each column's values
// (the version records excepted: the steps change them by design).
func fingerprint(t *testing.T, pool *pgxpool.Pool) map[string]tablePrint {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN pg_tables p ON p.schemaname = c.table_schema AND p.tablename = c.table_name
		WHERE c.table_schema = current_schema() AND c.table_name NOT IN ('schema_migrations', 'goose_db_version')
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		cols[table] = append(cols[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]tablePrint{}
	for table, cs := range cols {
		exprs := []string{"count(*)"}
		for _, c := range cs {
			id := "t." + pgx.Identifier{c}.Sanitize()
			exprs = append(exprs, fmt.Sprintf("coalesce(md5(string_agg(coalesce(%s::text, '<null>'), '|' ORDER BY %s::text)), '')", id, id))
		}
		vals := make([]any, len(exprs))
		var n int64
		sums := make([]string, len(cs))
		vals[0] = &n
		for i := range sums {
			vals[i+1] = &sums[i]
		}
		q := "SELECT " + strings.Join(exprs, ", ") + " FROM " + pgx.Identifier{table}.Sanitize() + " t"
		if err := pool.QueryRow(ctx, q).Scan(vals...); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		p := tablePrint{rows: n, columns: map[string]string{}}
		for i, c := range cs {
			p.columns[c] = sums[i]
		}
		out[table] = p
	}
	return out
}

// dumpSchema is `pg_dump --schema-only` without what differs between two
// dumps of the same schema (comments, session settings, the random
// \restrict key of recent pg_dump versions).
func dumpSchema(t *testing.T, url string) string {
	t.Helper()
	out, err := exec.Command(pgDump(t), "--schema-only", "--no-owner", "--no-privileges", url).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("pg_dump: %v\n%s", err, msg)
	}
	var keep []string
	for line := range strings.SplitSeq(string(out), "\n") {
		switch {
		case strings.TrimSpace(line) == "",
			strings.HasPrefix(line, "--"),
			strings.HasPrefix(line, `\restrict`), strings.HasPrefix(line, `\unrestrict`),
			strings.HasPrefix(line, "SET "),
			strings.HasPrefix(line, "SELECT pg_catalog.set_config"):
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// pgDump finds pg_dump on PATH or in Debian's versioned directories.
func pgDump(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	if len(found) == 0 {
		t.Fatal("pg_dump not found (Debian: apt-get install postgresql-client)")
	}
	slices.Sort(found)
	return found[len(found)-1]
}

// lineDiff lists the lines only in a (-) or only in b (+).
func lineDiff(a, b string) string {
	count := map[string]int{}
	for l := range strings.SplitSeq(a, "\n") {
		count[l]++
	}
	for l := range strings.SplitSeq(b, "\n") {
		count[l]--
	}
	var out []string
	for l, n := range count {
		for ; n > 0; n-- {
			out = append(out, "- "+l)
		}
		for ; n < 0; n++ {
			out = append(out, "+ "+l)
		}
	}
	if len(out) == 0 {
		return "(the same lines in another order: a column added by a step goes at the end of its table, so put it last in schema.sql too)"
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
