// Package devenv makes `portal dev` work on a laptop with nothing running:
// it checks the PostgreSQL and Redis named by the configuration and, when
// they do not answer, starts local stand-ins and says so in the log.
//
// It is only used by the `dev` command. The production commands (web,
// worker, scheduler, migrate) never start anything: a missing service there
// is an error the operator must see.
package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"
)

// EnsurePostgres makes sure the PostgreSQL at databaseURL answers and the
// database named in the URL exists, creating it if needed.
//
// When nothing listens at a local address (127.0.0.1, localhost, ::1) it
// starts a project-local cluster in dataDir from the installed PostgreSQL
// binaries; the returned stop shuts that cluster down. For a remote host, or
// any error other than "connection refused", it returns the error: starting
// a local server would hide a configuration mistake.
func EnsurePostgres(ctx context.Context, log *slog.Logger, databaseURL, dataDir string) (string, func(), error) {
	noop := func() {}
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", noop, errors.New("DATABASE_URL: want postgres://user@host:port/db")
	}
	err = ensureDatabase(ctx, u)
	if err == nil {
		return databaseURL, noop, nil
	}
	if !errors.Is(err, syscall.ECONNREFUSED) || !isLocal(u.Hostname()) {
		return "", noop, fmt.Errorf("postgres at %s: %w", u.Redacted(), err)
	}

	bin, err := findBinDir()
	if err != nil {
		return "", noop, fmt.Errorf("PostgreSQL at %s does not answer and no PostgreSQL server binaries are installed "+
			"to start a project-local one: run `sudo apt-get install -y postgresql`, then the same command again "+
			"(it starts PostgreSQL in %s by itself)", u.Redacted(), dataDir)
	}
	c, err := newCluster(bin, dataDir, u)
	if err != nil {
		return "", noop, err
	}
	if err := c.start(); err != nil {
		return "", noop, err
	}
	log.Info("PostgreSQL at "+u.Redacted()+" does not answer: started a project-local PostgreSQL in "+dataDir,
		"dir", c.dir, "bin", bin, "log", filepath.Join(c.dir, "server.log"))
	stop := sync.OnceFunc(func() {
		if err := c.stop(); err != nil {
			log.Warn("stopping the project-local PostgreSQL", "err", err)
		}
	})
	if err := ensureDatabase(ctx, u); err != nil {
		stop()
		return "", noop, fmt.Errorf("project-local postgres at %s: %w", u.Redacted(), err)
	}
	return databaseURL, stop, nil
}

// ensureDatabase connects to the database in u. If the server says that
// database does not exist, it creates it through the `postgres` maintenance
// database on the same server. Trying the target first means a user who may
// not connect to `postgres` still works once the database is there.
func ensureDatabase(ctx context.Context, u *url.URL) error {
	conn, err := connect(ctx, u.String())
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return err
	}
	maint := *u
	maint.Path = "/postgres"
	conn, err = connect(ctx, maint.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	name := strings.TrimPrefix(u.Path, "/")
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: another process won the race
		return nil
	}
	return err
}

func connect(ctx context.Context, connString string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return pgx.Connect(ctx, connString)
}

func isLocal(host string) bool {
	return host == "127.0.0.1" || host == "localhost" || host == "::1"
}

// findBinDir returns the directory holding pg_ctl and initdb: the highest
// version under /usr/lib/postgresql (Debian/Ubuntu keep them off PATH), else
// pg_config --bindir, else wherever pg_ctl is on PATH (Homebrew, Fedora).
func findBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isFile(filepath.Join(d, "pg_ctl")) && isFile(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", errors.New("pg_ctl and initdb not found")
}

// pgVersion turns /usr/lib/postgresql/15/bin into 15 (9.6 into 9.6).
func pgVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// cluster is a PostgreSQL data directory run with pg_ctl. PostgreSQL refuses
// to run as root, so as root every command runs as the `postgres` system
// user (created by the distribution's package) and the directory is its own.
type cluster struct {
	bin, dir, port, superuser string
	asPostgres                bool
}

func newCluster(bin, dataDir string, u *url.URL) (*cluster, error) {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir, port: u.Port(), superuser: u.User.Username(), asPostgres: os.Geteuid() == 0}
	if c.port == "" {
		c.port = "5432"
	}
	if c.superuser == "" {
		c.superuser = "postgres"
	}
	if err := c.prepareDir(); err != nil {
		return nil, fmt.Errorf("preparing %s for PostgreSQL: %w", dir, err)
	}
	return c, nil
}

// prepareDir creates the data directory (0700, as initdb wants). As root it
// hands the directories it created, e.g. .data and .data/postgres, to the
// postgres user, and checks that user can reach the directory at all: a
// project under /root is out of its reach.
func (c *cluster) prepareDir() error {
	var created []string
	for d := c.dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		created = append(created, d)
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	if !c.asPostgres {
		return nil
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root, PostgreSQL must run as the postgres system user: %w", err)
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	for _, d := range append(created, c.dir) {
		if err := os.Chown(d, uid, gid); err != nil {
			return err
		}
	}
	if out, err := c.command("test", "-w", c.dir).CombinedOutput(); err != nil {
		return fmt.Errorf("the postgres user cannot write to %s (is a parent directory private to root?): %v %s", c.dir, err, out)
	}
	return nil
}

// command runs name as the postgres user when we are root. The working
// directory is / because initdb fails when it cannot read the current one.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	if c.asPostgres {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = "/"
	return cmd
}

func (c *cluster) run(name string, args ...string) error {
	out, err := c.command(filepath.Join(c.bin, name), args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

// start initialises the directory on first use, then starts the server on
// 127.0.0.1 only, with its Unix socket in the data directory so nothing
// needs /var/run/postgresql. The superuser initdb creates is the URL's user
// (postgres unless the URL names another), so the URL works unchanged.
func (c *cluster) start() error {
	if !isFile(filepath.Join(c.dir, "PG_VERSION")) {
		if err := c.run("initdb", "-D", c.dir, "-A", "trust", "-U", c.superuser, "--encoding=UTF8"); err != nil {
			return err
		}
	}
	logFile := filepath.Join(c.dir, "server.log")
	opts := fmt.Sprintf("-k %s -p %s -c listen_addresses=127.0.0.1", shellQuote(c.dir), c.port)
	if err := c.run("pg_ctl", "-D", c.dir, "-l", logFile, "-w", "-o", opts, "start"); err != nil {
		return fmt.Errorf("%w\nlast lines of %s:\n%s", err, logFile, tail(logFile, 15))
	}
	return nil
}

func (c *cluster) stop() error {
	return c.run("pg_ctl", "-D", c.dir, "-m", "fast", "-w", "stop")
}

// shellQuote quotes s for the shell through which pg_ctl launches postgres.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// EnsureRedis returns redisURL if that Redis answers PING within 2 s.
// Otherwise it starts an in-process Redis (miniredis) and returns its URL:
// enough for asynq and rate limits on a laptop, but the data lives in memory
// and is gone when the process exits, so it is never used in production.
func EnsureRedis(ctx context.Context, log *slog.Logger, redisURL string) (string, func(), error) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return "", func() {}, fmt.Errorf("REDIS_URL: %w", err)
	}
	// One quick attempt: the answer is either "yes" or "start a stand-in".
	opt.DialTimeout, opt.MaxRetries, opt.DialerRetries = 2*time.Second, -1, 1
	rdb := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	err = rdb.Ping(pctx).Err()
	cancel()
	rdb.Close()
	if err == nil {
		return redisURL, func() {}, nil
	}
	mr, startErr := miniredis.Run()
	if startErr != nil {
		return "", func() {}, fmt.Errorf("redis at %s does not answer (%v) and the in-process Redis did not start: %w", redactedURL(redisURL), err, startErr)
	}
	log.Warn("Redis at "+redactedURL(redisURL)+" does not answer: dev falls back to an in-process Redis "+
		"(queued tasks and rate limits are lost on exit; fine for a laptop, never for production)",
		"addr", mr.Addr(), "err", err)
	return "redis://" + mr.Addr() + "/0", mr.Close, nil
}

func redactedURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparseable URL)"
}
