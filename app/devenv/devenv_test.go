package devenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// These tests use real services: the PostgreSQL (127.0.0.1:5432, trust) and
// Redis (127.0.0.1:6379) that .ci/run starts, and the installed PostgreSQL
// binaries for the project-local cluster.

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func pgURL(port int, db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: "127.0.0.1:" + strconv.Itoa(port),
		Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

func randomHex(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func TestEnsurePostgresCreatesMissingDatabase(t *testing.T) {
	ctx := context.Background()
	// Upper case, a space and a hyphen: the name must be quoted as an identifier.
	name := "devenv Test-" + randomHex(t)
	dbURL := pgURL(5432, name)

	got, stop, err := EnsurePostgres(ctx, testLogger(t), dbURL, t.TempDir())
	if err != nil {
		t.Fatalf("EnsurePostgres against 127.0.0.1:5432: %v", err)
	}
	stop()
	if got != dbURL {
		t.Errorf("url = %q, want it unchanged %q", got, dbURL)
	}

	admin, err := pgx.Connect(ctx, pgURL(5432, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
			t.Errorf("drop %q: %v", name, err)
		}
	})
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		t.Fatalf("database %q was not created", name)
	}

	// A second call finds the database and changes nothing.
	if _, stop, err := EnsurePostgres(ctx, testLogger(t), dbURL, t.TempDir()); err != nil {
		t.Fatalf("second EnsurePostgres: %v", err)
	} else {
		stop()
	}
}

func TestEnsurePostgresStartsProjectLocalCluster(t *testing.T) {
	if _, err := findBinDir(); err != nil {
		t.Skip("no PostgreSQL server binaries installed (apt-get install -y postgresql):", err)
	}
	ctx := context.Background()
	// As root the cluster runs as the postgres user, which must be able to
	// reach the directory: MkdirTemp makes it 0700, so open it up.
	root, err := os.MkdirTemp("", "devenv-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// A space in the path checks the quoting of the socket directory.
	dataDir := filepath.Join(root, "my project", ".data", "postgres")
	dbURL := pgURL(freePort(t), "partnerportal")

	got, stop, err := EnsurePostgres(ctx, testLogger(t), dbURL, dataDir)
	if err != nil {
		t.Fatalf("EnsurePostgres on a free port: %v", err)
	}
	t.Cleanup(stop)
	if got != dbURL {
		t.Errorf("url = %q, want %q", got, dbURL)
	}
	conn, err := pgx.Connect(ctx, got)
	if err != nil {
		t.Fatalf("connect to the project-local cluster: %v", err)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	conn.Close(ctx)

	stop()
	if conn, err := connect(ctx, got); err == nil {
		conn.Close(ctx)
		t.Fatal("the cluster still answers after stop()")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("after stop(): want connection refused, got %v", err)
	}

	// The data directory survives: a second start reuses it without initdb.
	if _, stop2, err := EnsurePostgres(ctx, testLogger(t), dbURL, dataDir); err != nil {
		t.Fatalf("restart on the existing data directory: %v", err)
	} else {
		stop2()
	}
}

func TestEnsurePostgresRemoteHostIsNotStarted(t *testing.T) {
	// 192.0.2.0/24 is TEST-NET-1: never routed. Nothing may be started for a
	// non-local host, whatever the error.
	_, _, err := EnsurePostgres(context.Background(), testLogger(t),
		"postgres://postgres@192.0.2.1:5432/x?sslmode=disable&connect_timeout=1", t.TempDir())
	if err == nil {
		t.Fatal("want an error for an unreachable remote host")
	}
}

func TestRefusedIsRecognised(t *testing.T) {
	// localhost resolves to ::1 and 127.0.0.1; pgx tries both and the
	// refusal must still be recognised, or dev would not start a cluster.
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u, _ := url.Parse("postgres://postgres@" + host + ":" + strconv.Itoa(freePort(t)) + "/x?sslmode=disable")
		err := ensureDatabase(context.Background(), u)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: want ECONNREFUSED in the chain, got %v", host, err)
		}
	}
}

func TestEnsureRedis(t *testing.T) {
	ctx := context.Background()

	t.Run("unreachable falls back to miniredis", func(t *testing.T) {
		down := "redis://127.0.0.1:" + strconv.Itoa(freePort(t)) + "/0"
		got, stop, err := EnsureRedis(ctx, testLogger(t), down)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		if got == down {
			t.Fatalf("url unchanged (%s), want the in-process Redis", got)
		}
		opt, err := redis.ParseURL(got)
		if err != nil {
			t.Fatalf("returned url %q: %v", got, err)
		}
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		if err := rdb.Ping(ctx).Err(); err != nil {
			t.Fatalf("PING %s: %v", got, err)
		}
	})

	t.Run("running Redis is used as is", func(t *testing.T) {
		const up = "redis://127.0.0.1:6379/0"
		got, stop, err := EnsureRedis(ctx, testLogger(t), up)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		if got != up {
			t.Fatalf("url = %q, want %q unchanged (is redis-server running on 127.0.0.1:6379?)", got, up)
		}
	})
}
