// Command loadtest measures GET /r/{code} of the real portal web tier against
// a bare Fiber handler that only redirects, in the same process and the same
// run, then rolls the recorded clicks up and checks that PostgreSQL holds
// exactly one click per request sent.
//
//	go run ./app/clicks/loadtest -n 200000 -c 32
//
// It creates (and drops) its own database on the PostgreSQL at
// LOADTEST_ADMIN_URL and uses Redis database 12 at LOADTEST_REDIS_ADDR.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"

	"partnerportal/app"
	"partnerportal/app/clicks"
	"partnerportal/app/clock"
	"partnerportal/app/config"
	"partnerportal/app/migrate"
	"partnerportal/app/seed"
	"partnerportal/queries"
)

const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

func main() {
	n := flag.Int("n", 200000, "requests per server")
	conc := flag.Int("c", 32, "concurrent connections")
	keep := flag.Bool("keep", false, "keep the database afterwards")
	flag.Parse()
	if err := run(*n, *conc, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

type result struct {
	sent, ok, bad int64
	elapsed       time.Duration
	lat           []time.Duration
}

func (r result) rps() float64 { return float64(r.ok) / r.elapsed.Seconds() }
func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

// load sends n GET requests over c connections and records each latency.
func load(addr, path string, n, c int) result {
	hc := &fasthttp.HostClient{Addr: addr, MaxConns: c, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	var next, ok, bad atomic.Int64
	lats := make([][]time.Duration, c)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			for next.Add(1) <= int64(n) {
				req.SetRequestURI("http://" + addr + path)
				req.Header.SetUserAgent(ua)
				t := time.Now()
				err := hc.Do(req, res)
				lats[w] = append(lats[w], time.Since(t))
				if err == nil && res.StatusCode() == fiber.StatusFound {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	r := result{sent: int64(n), ok: ok.Load(), bad: bad.Load(), elapsed: time.Since(start)}
	for _, l := range lats {
		r.lat = append(r.lat, l...)
	}
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	return r
}

func serve(a *fiber.App) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go a.Listener(ln) //nolint:errcheck
	return ln.Addr().String(), nil
}

func run(n, conc int, keep bool) error {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	adminURL := env("LOADTEST_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	dbName := "partnerportal_loadtest"
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)") //nolint:errcheck
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+dbName); err != nil {
		return err
	}
	if !keep {
		defer admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)") //nolint:errcheck
	}
	schema, err := os.ReadFile("schema.sql")
	if err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	dbURL := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := queries.NewStore(pool)
	if err := migrate.Up(ctx, pool, string(schema), log); err != nil {
		return err
	}
	if err := seed.Demo(ctx, store, log, clock.Real{}.Now()); err != nil {
		return err
	}
	rdb := redis.NewClient(&redis.Options{Addr: env("LOADTEST_REDIS_ADDR", "127.0.0.1:6379"), DB: 12})
	defer rdb.Close()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return err
	}
	os.Setenv("DATABASE_URL", dbURL)
	cfg, err := config.Load()
	if err != nil {
		return err
	}

	// The real web tier: the same app, cache and recorder `portal web` uses.
	links := clicks.NewCache(store, 5*time.Minute)
	rec := clicks.NewRecorder(rdb, 50*time.Millisecond)
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	recDone := make(chan struct{})
	go func() { rec.Run(bg); close(recDone) }()
	queue := asynq.NewClientFromRedisClient(rdb)
	defer queue.Close()
	portal := app.New(&app.Deps{Config: cfg, Store: store, Redis: rdb, Queue: queue, Log: log, Links: links, Clicks: rec})
	portalAddr, err := serve(portal)
	if err != nil {
		return err
	}
	// The bare handler: a redirect and nothing else.
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/r/:code", func(c *fiber.Ctx) error {
		return c.Redirect("https://acme.test/signup?pp_click=0123456789abcdefghijkl", fiber.StatusFound)
	})
	bareAddr, err := serve(bare)
	if err != nil {
		return err
	}

	load(bareAddr, "/r/northwind", 5000, conc) // warm-up both
	load(portalAddr, "/r/northwind", 1, 1)
	warmed := rec.Recorded.Load()
	b := load(bareAddr, "/r/northwind", n, conc)
	p := load(portalAddr, "/r/northwind", n, conc)
	b2 := load(bareAddr, "/r/northwind", n, conc) // bare again: the machine did not drift

	_ = portal.ShutdownWithTimeout(10 * time.Second)
	stopBG()
	<-recDone // final flush
	start := time.Now()
	rolled, err := clicks.Rollup(ctx, rdb, store, 5000, 100000)
	if err != nil {
		return err
	}
	rollTime := time.Since(start)
	var inPG int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(s.clicks), 0)::bigint FROM link_daily_stats s
		JOIN tracking_links l ON l.id = s.link_id WHERE l.code = 'northwind'`).Scan(&inPG); err != nil {
		return err
	}
	want := p.ok + warmed
	bareRPS := (b.rps() + b2.rps()) / 2
	fmt.Printf("machine: %d CPUs, load generator in the same process, %d connections, %d requests per run\n", numCPU(), conc, n)
	fmt.Printf("%-26s %10s %9s %9s %9s %6s\n", "server", "req/s", "p50", "p99", "max", "non-302")
	for _, row := range []struct {
		name string
		r    result
	}{{"bare Fiber redirect", b}, {"portal /r/{code}", p}, {"bare Fiber redirect again", b2}} {
		fmt.Printf("%-26s %10.0f %9s %9s %9s %6d\n", row.name, row.r.rps(), row.r.pct(0.50).Round(time.Microsecond),
			row.r.pct(0.99).Round(time.Microsecond), row.r.lat[len(row.r.lat)-1].Round(time.Microsecond), row.r.bad)
	}
	fmt.Printf("ratio portal/bare: %.2f (target >= 0.60)\n", p.rps()/bareRPS)
	fmt.Printf("clicks: sent %d (+%d warm-up), answered 302: %d, recorded %d, dropped %d, rolled up %d in %s, in PostgreSQL %d\n",
		p.sent, warmed, p.ok, rec.Recorded.Load(), rec.Dropped.Load(), rolled, rollTime.Round(time.Millisecond), inPG)
	lost, double := max(want-inPG, 0), max(inPG-want, 0)
	fmt.Printf("lost %d, double %d\n", lost, double)
	if lost != 0 || double != 0 {
		return fmt.Errorf("click counts differ: want %d in PostgreSQL, have %d", want, inPG)
	}
	return nil
}

func numCPU() int { return runtime.NumCPU() }
