package apptest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"partnerportal/app/secret"
)

// PreviousRelease is the last commit of main before the upgrade steps
// (app/migrate/steps) existed: its schema.sql, recorded as version 1 in
// schema_migrations, is the baseline `migrate` upgrades from. It stays
// pinned: every later schema is reached from it by the steps.
const PreviousRelease = "68b79de5023f0d9ffaae122e79ff6d601ad18a6e"

// PreviousReleaseSchema is schema.sql as of PreviousRelease, read from git.
func PreviousReleaseSchema(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("git", "-C", Root(t), "show", PreviousRelease+":schema.sql").Output()
	if err != nil {
		t.Fatalf("git show %s:schema.sql: %v (the test needs the repository's history: in a shallow clone run `git fetch --unshallow`)", PreviousRelease[:7], err)
	}
	return string(out)
}

// PreviousReleaseBinary builds the portal binary of PreviousRelease from git
// (once per machine: it is kept in the user cache directory under the commit
// hash, which never changes) and returns its path.
func PreviousReleaseBinary(t testing.TB) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "partnerportal-release", PreviousRelease)
	bin := filepath.Join(dir, "portal")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.MkdirTemp(dir, "src-") // its own, if two test processes build at once
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(src)
	tarball := filepath.Join(src, "release.tar")
	if out, err := exec.Command("git", "-C", Root(t), "archive", "-o", tarball, PreviousRelease).CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v\n%s (the test needs the repository's history: in a shallow clone run `git fetch --unshallow`)", PreviousRelease[:7], err, out)
	}
	if out, err := exec.Command("tar", "-xf", tarball, "-C", src).CombinedOutput(); err != nil {
		t.Fatalf("unpack the previous release: %v\n%s", err, out)
	}
	build := exec.Command("go", "build", "-o", "portal", ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the previous release: %v\n%s", err, out)
	}
	if err := os.Rename(filepath.Join(src, "portal"), bin); err != nil { // whole or absent
		t.Fatal(err)
	}
	return bin
}

// EmptyDatabase creates a database with nothing in it, dropped when the test
// ends, and returns its URL.
func EmptyDatabase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := "pp_mig_" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(secret.New()[:12]))
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
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
	return dbURL(name)
}
