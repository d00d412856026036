// Command portal is the self-hostable partner portal: one binary whose
// subcommands run the web tier, the worker pool, the scheduler, migrations,
// the demo seed, or all of it at once for a laptop (dev).
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work in slim containers too

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"partnerportal/app"
	"partnerportal/app/clicks"
	"partnerportal/app/clock"
	"partnerportal/app/config"
	"partnerportal/app/devenv"
	"partnerportal/app/migrate"
	"partnerportal/app/seed"
	"partnerportal/app/storage"
	"partnerportal/app/training"
	"partnerportal/queries"
	"partnerportal/workers"
)

//go:embed schema.sql
var schemaSQL string

const usage = `usage: portal <command> [flags]

commands:
  dev        migrate, seed if empty, then web + worker + scheduler in one process
  web        the HTTP tier only (stateless; run as many as you like)
  worker     the Asynq worker only   (--concurrency N)
  scheduler  enqueues periodic tasks once per period (a second one changes nothing)
             --every D: every task at period D instead of its own (tests)
  migrate    install schema.sql on an empty database, or run the upgrade steps
             an existing one lacks (one at a time, under a lock)
             --status: show the database's steps and change nothing
  invoices run [--org SLUG] [--period YYYY-MM]
             queue the invoice run (the scheduler's task) for one organization
             or all, for that month or the last closed period
  keys rotate  seal every partner's payout details under the first
             PAYOUT_KEYS key (legacy plaintext rows too)
  seed       load the demo data (idempotent)
             --scale N [--reset]: instead, the Scale Corp data set with N leads
             (docs/BENCHMARKS.md); --reset rebuilds it

configuration comes from environment variables; see README.md`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintf(os.Stderr, "configuration error:\n%v\n", err)
		os.Exit(2)
	}
	log := newLogger(cfg.LogLevel)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "dev":
		err = runDev(ctx, cfg, log)
	case "web":
		err = runWeb(ctx, cfg, log)
	case "worker":
		fs := flag.NewFlagSet("worker", flag.ExitOnError)
		n := fs.Int("concurrency", 10, "tasks processed at once by this worker process")
		_ = fs.Parse(args)
		err = runWorker(ctx, cfg, log, *n)
	case "scheduler":
		fs := flag.NewFlagSet("scheduler", flag.ExitOnError)
		every := fs.Duration("every", 0, "run every periodic task at this period instead of its own (tests)")
		_ = fs.Parse(args)
		err = runScheduler(ctx, cfg, log, *every)
	case "migrate":
		fs := flag.NewFlagSet("migrate", flag.ExitOnError)
		status := fs.Bool("status", false, "show which upgrade steps the database has; change nothing")
		_ = fs.Parse(args)
		if *status {
			err = runMigrateStatus(ctx, cfg)
		} else {
			err = runMigrate(ctx, cfg, log)
		}
	case "invoices":
		fs := flag.NewFlagSet("invoices run", flag.ExitOnError)
		org := fs.String("org", "", "only this organization (slug)")
		period := fs.String("period", "", "the month to invoice, YYYY-MM (default: the last closed period)")
		if len(args) == 0 || args[0] != "run" {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		_ = fs.Parse(args[1:])
		err = runInvoices(ctx, cfg, *org, *period)
	case "keys":
		if len(args) != 1 || args[0] != "rotate" {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		err = runKeysRotate(ctx, cfg, log)
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ExitOnError)
		scale := fs.Int("scale", 0, "load the Scale Corp data set with this many leads instead of the demo data")
		reset := fs.Bool("reset", false, "with --scale: delete Scale Corp's data and build it again")
		_ = fs.Parse(args)
		err = runSeed(ctx, cfg, log, *scale, *reset)
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error(cmd+" failed", "err", err)
		os.Exit(1)
	}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func openStore(ctx context.Context, cfg *config.Config) (*queries.Store, error) {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(cfg.DatabaseURL, "pool_max_conns=") { // the URL's own setting wins
		pc.MaxConns = cfg.DBMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres at %s: %w", config.Redacted(cfg.DatabaseURL), err)
	}
	return queries.NewStore(pool), nil
}

func openRedis(ctx context.Context, cfg *config.Config) (*redis.Client, error) {
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis at %s: %w", config.Redacted(cfg.RedisURL), err)
	}
	return rdb, nil
}

func runMigrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	return migrate.Up(ctx, store.Pool, schemaSQL, log)
}

func runMigrateStatus(ctx context.Context, cfg *config.Config) error {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	m, err := migrate.New(store.Pool, schemaSQL)
	if err != nil {
		return err
	}
	defer m.Close()
	st, err := m.Inspect(ctx)
	if err != nil {
		return err
	}
	return migrate.WriteStatus(os.Stdout, st)
}

// openCheckedStore is openStore for the web tier and the workers: they
// refuse to start on a database whose schema is not this release's.
func openCheckedStore(ctx context.Context, cfg *config.Config) (*queries.Store, error) {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := migrate.Check(ctx, store.Pool); err != nil {
		store.Pool.Close()
		return nil, err
	}
	return store, nil
}

func runSeed(ctx context.Context, cfg *config.Config, log *slog.Logger, scale int, reset bool) error {
	if reset && scale == 0 {
		return errors.New("--reset only applies to --scale N")
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	if err := migrate.Up(ctx, store.Pool, schemaSQL, log); err != nil {
		return err
	}
	if scale > 0 {
		return seed.Scale(ctx, store, log, scale, reset, clock.Real{}.Now())
	}
	if err := seed.Demo(ctx, store, log, clock.Real{}.Now()); err != nil {
		return err
	}
	files, err := openFiles(cfg)
	if err != nil {
		return err
	}
	if err := seed.DemoFiles(ctx, store, files); err != nil {
		return err
	}
	if err := seed.Resources(ctx, store, files, log, clock.Real{}.Now()); err != nil {
		return err
	}
	if err := seed.TrainingVideo(ctx, store, files, log); err != nil {
		return err
	}
	return seed.Invoices(ctx, store, files, cfg.PayoutKeys, log, clock.Real{}.Now())
}

// seedInvoices adds the demo invoices (they need the file store and, for
// the partners' payout details, the payout key).
func seedInvoices(ctx context.Context, cfg *config.Config, store *queries.Store, log *slog.Logger) error {
	files, err := openFiles(cfg)
	if err != nil {
		return err
	}
	return seed.Invoices(ctx, store, files, cfg.PayoutKeys, log, clock.Real{}.Now())
}

// web serves HTTP until SIGTERM, then stops accepting and drains in-flight
// requests for up to SHUTDOWN_TIMEOUT.
func serveWeb(ctx context.Context, cfg *config.Config, log *slog.Logger, store *queries.Store, rdb redis.UniversalClient) error {
	queue := asynq.NewClientFromRedisClient(rdb)
	defer queue.Close()
	// The click recorder and the link cache outlive the HTTP server by a
	// moment: after the last request, the recorder flushes its buffer.
	links := clicks.NewCache(store, 5*time.Minute)
	recorder := clicks.NewRecorder(rdb, 50*time.Millisecond)
	bgctx, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	bgDone := make(chan struct{})
	go links.Listen(bgctx, rdb)
	go func() { recorder.Run(bgctx); close(bgDone) }()
	defer func() { stopBG(); <-bgDone }()

	files, err := openFiles(cfg)
	if err != nil {
		return err
	}
	web := app.New(&app.Deps{Config: cfg, Store: store, Redis: rdb, Queue: queue, Log: log, Links: links, Clicks: recorder, Clock: clock.Real{}, Files: files})
	errc := make(chan error, 1)
	go func() { errc <- web.Listen(cfg.Addr) }()
	log.Info("web listening", "addr", cfg.Addr, "base_url", cfg.BaseURL.String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("web draining in-flight requests", "timeout", cfg.ShutdownTimeout)
	return web.ShutdownWithTimeout(cfg.ShutdownTimeout)
}

func runWeb(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if gc := workers.TuneGCTo(workers.WebGCPercent); gc > 0 {
		log.Info("web garbage collector target", "gogc", gc)
	}
	store, err := openCheckedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		// The web tier works without Redis (sign-in requests wait in
		// PostgreSQL, clicks in memory) and the client reconnects on its own,
		// so a web process (re)started during an outage still serves.
		opt, perr := redis.ParseURL(cfg.RedisURL)
		if perr != nil {
			return perr
		}
		log.Warn("web starting without Redis; it reconnects when Redis answers", "err", err)
		rdb = redis.NewClient(opt)
	}
	defer rdb.Close()
	return serveWeb(ctx, cfg, log, store, rdb)
}

func mailerFor(cfg *config.Config, log *slog.Logger, dev bool) (workers.Mailer, error) {
	if cfg.SMTPURL != nil {
		log.Info("email via SMTP", "smtp", cfg.SMTPURL.Redacted())
		return &workers.SMTPMailer{URL: cfg.SMTPURL, From: cfg.SMTPFrom, Clock: clock.Real{}}, nil
	}
	if !dev {
		return nil, errors.New("SMTP_URL is not set: the worker cannot send sign-in emails (only `dev` may write them to the log)")
	}
	log.Warn("SMTP_URL unset: sign-in emails are written to this log (dev only)")
	return workers.LogMailer{Log: log}, nil
}

// worker processes tasks until SIGTERM; then it stops taking new ones and
// gives running tasks SHUTDOWN_TIMEOUT to finish before returning them to the
// queue for another worker.
func serveWorker(ctx context.Context, cfg *config.Config, log *slog.Logger, store *queries.Store, rdb redis.UniversalClient, mailer workers.Mailer, concurrency int) error {
	srv := workers.NewServer(rdb, workers.ServerOptions{
		Concurrency: concurrency, ShutdownTimeout: cfg.ShutdownTimeout,
	}, log)
	files, err := openFiles(cfg)
	if err != nil {
		return err
	}
	mux := workers.NewMux(&workers.Deps{Store: store, Mailer: mailer, Redis: rdb, Config: cfg, Log: log, Clock: clock.Real{}, Files: files})
	if err := srv.Start(mux); err != nil {
		return err
	}
	// Each worker process also relays the outbox into tasks; several
	// relays share the rows safely (see workers.RelayOutbox).
	queue := asynq.NewClientFromRedisClient(rdb)
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan struct{})
	go func() {
		workers.RunOutboxRelay(relayCtx, store, queue, 500*time.Millisecond, clock.Real{}, log)
		close(relayDone)
	}()
	log.Info("worker started", "concurrency", concurrency)
	<-ctx.Done()
	stopRelay()
	<-relayDone
	srv.Shutdown()
	return nil
}

func runWorker(ctx context.Context, cfg *config.Config, log *slog.Logger, concurrency int) error {
	if concurrency < 1 || concurrency > 1000 {
		return fmt.Errorf("--concurrency must be between 1 and 1000, got %d", concurrency)
	}
	if gc := workers.TuneGC(); gc > 0 {
		log.Info("worker garbage collector target", "gogc", gc)
	}
	mailer, err := mailerFor(cfg, log, false)
	if err != nil {
		return err
	}
	store, err := openCheckedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	return serveWorker(ctx, cfg, log, store, rdb, mailer, concurrency)
}

// serveScheduler enqueues each periodic task once per period (see
// workers.Scheduler) until SIGTERM. every, when set, replaces every task's
// period (tests run whole periods in seconds).
func serveScheduler(ctx context.Context, log *slog.Logger, rdb redis.UniversalClient, every time.Duration) error {
	queue := asynq.NewClientFromRedisClient(rdb)
	defer queue.Close()
	tasks := workers.PeriodicTasks()
	check := time.Second
	if every > 0 {
		for i := range tasks {
			tasks[i].Every = every
		}
		check = min(check, every/10)
	}
	s := &workers.Scheduler{Queue: queue, Tasks: tasks, Now: clock.Real{}.Now, Log: log, Check: check}
	log.Info("scheduler started", "tasks", len(tasks))
	s.Run(ctx)
	return nil
}

func runScheduler(ctx context.Context, cfg *config.Config, log *slog.Logger, every time.Duration) error {
	if every != 0 && every < 100*time.Millisecond {
		return fmt.Errorf("--every must be at least 100ms, got %s", every)
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	return serveScheduler(ctx, log, rdb, every)
}

// dev runs everything in one process. When PostgreSQL or Redis do not answer
// at the configured URLs it starts a project-local PostgreSQL (under .data/)
// and an in-process Redis, and says so.
func runDev(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if err := devPayoutKeys(cfg, log); err != nil {
		return err
	}
	pgURL, stopPG, err := devenv.EnsurePostgres(ctx, log, cfg.DatabaseURL, ".data/postgres")
	if err != nil {
		return err
	}
	defer stopPG()
	cfg.DatabaseURL = pgURL
	redisURL, stopRedis, err := devenv.EnsureRedis(ctx, log, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer stopRedis()
	cfg.RedisURL = redisURL
	if cfg.BadgeSigningKey == nil {
		// Certificates stay verifiable across dev runs: one key kept in .data/.
		if cfg.BadgeSigningKey, err = training.DevKey(".data/badge_signing_key"); err != nil {
			return fmt.Errorf("badge signing key: %w", err)
		}
	}

	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	if err := migrate.Up(ctx, store.Pool, schemaSQL, log); err != nil {
		return err
	}
	if n, err := store.CountOrganizations(ctx); err != nil {
		return err
	} else if n == 0 {
		if err := seed.Demo(ctx, store, log, clock.Real{}.Now()); err != nil {
			return err
		}
		if err := seedInvoices(ctx, cfg, store, log); err != nil {
			return err
		}
	}
	// The demo logos live in the file store, not the database.
	if files, err := openFiles(cfg); err != nil {
		return err
	} else if err := seed.DemoFiles(ctx, store, files); err != nil {
		return err
	} else if err := seed.Resources(ctx, store, files, log, clock.Real{}.Now()); err != nil {
		return err // Partner Room's demo files (kept if already there)
	} else if err := seed.TrainingVideo(ctx, store, files, log); err != nil {
		return err // the demo lesson's video (kept if already there)
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	mailer, err := mailerFor(cfg, log, true)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx) // one part failing stops the others
	defer cancel()
	errc := make(chan error, 3)
	go func() { errc <- serveWorker(ctx, cfg, log, store, rdb, mailer, 4) }()
	go func() { errc <- serveScheduler(ctx, log, rdb, 0) }()
	go func() { errc <- serveWeb(ctx, cfg, log, store, rdb) }()
	log.Info("portal ready: open "+cfg.BaseURL.String()+" and sign in as a demo user", "demo_users",
		"staff@acme.test, admin@northwind.test, user@northwind.test, admin@globex.test, staff@initech.test")
	var first error
	for range 3 {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// openFiles opens the file store the configuration names.
func openFiles(cfg *config.Config) (storage.Store, error) {
	if cfg.StorageBackend == "s3" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, err := storage.NewS3(ctx, storage.S3Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket,
			Region: cfg.S3Region, AccessKey: cfg.S3AccessKey, Secret: cfg.S3SecretKey})
		if err != nil {
			return nil, fmt.Errorf("STORAGE_BACKEND=s3: %w", err)
		}
		return s, nil
	}
	s, err := storage.NewLocal(cfg.StorageDir)
	if err != nil {
		return nil, fmt.Errorf("STORAGE_DIR: %w", err)
	}
	return s, nil
}
