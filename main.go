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
	"syscall"
	"time"
	_ "time/tzdata" // time zones work in slim containers too

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"partnerportal/app"
	"partnerportal/app/clicks"
	"partnerportal/app/config"
	"partnerportal/app/devenv"
	"partnerportal/app/seed"
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
  scheduler  the single owner of periodic tasks
  migrate    apply schema.sql and record its version
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
		err = runScheduler(ctx, cfg, log)
	case "migrate":
		err = runMigrate(ctx, cfg, log)
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
	if err := queries.Migrate(ctx, store.Pool, schemaSQL); err != nil {
		return err
	}
	log.Info("schema applied", "version", queries.SchemaVersion)
	return nil
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
	if err := queries.Migrate(ctx, store.Pool, schemaSQL); err != nil {
		return err
	}
	if scale > 0 {
		return seed.Scale(ctx, store, log, scale, reset)
	}
	return seed.Demo(ctx, store, log)
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

	web := app.New(&app.Deps{Config: cfg, Store: store, Redis: rdb, Queue: queue, Log: log, Links: links, Clicks: recorder})
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
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	return serveWeb(ctx, cfg, log, store, rdb)
}

func mailerFor(cfg *config.Config, log *slog.Logger, dev bool) (workers.Mailer, error) {
	if cfg.SMTPURL != nil {
		log.Info("email via SMTP", "smtp", cfg.SMTPURL.Redacted())
		return &workers.SMTPMailer{URL: cfg.SMTPURL, From: cfg.SMTPFrom}, nil
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
	mux := workers.NewMux(&workers.Deps{Store: store, Mailer: mailer, Redis: rdb, Config: cfg, Log: log})
	if err := srv.Start(mux); err != nil {
		return err
	}
	// Each worker process also relays the outbox into tasks; several
	// relays share the rows safely (see workers.RelayOutbox).
	queue := asynq.NewClientFromRedisClient(rdb)
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan struct{})
	go func() { workers.RunOutboxRelay(relayCtx, store, queue, 500*time.Millisecond, log); close(relayDone) }()
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
	mailer, err := mailerFor(cfg, log, false)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
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

func serveScheduler(ctx context.Context, log *slog.Logger, rdb redis.UniversalClient) error {
	s := asynq.NewSchedulerFromRedisClient(rdb, &asynq.SchedulerOpts{Logger: workers.NewAsynqLogger(log)})
	if err := workers.RegisterPeriodic(s); err != nil {
		return err
	}
	if err := s.Start(); err != nil {
		return err
	}
	log.Info("scheduler started")
	<-ctx.Done()
	s.Shutdown()
	return nil
}

func runScheduler(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	return serveScheduler(ctx, log, rdb)
}

// dev runs everything in one process. When PostgreSQL or Redis do not answer
// at the configured URLs it starts a project-local PostgreSQL (under .data/)
// and an in-process Redis, and says so.
func runDev(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
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

	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	if err := queries.Migrate(ctx, store.Pool, schemaSQL); err != nil {
		return err
	}
	if n, err := store.CountOrganizations(ctx); err != nil {
		return err
	} else if n == 0 {
		if err := seed.Demo(ctx, store, log); err != nil {
			return err
		}
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
	go func() { errc <- serveScheduler(ctx, log, rdb) }()
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
