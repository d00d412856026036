// Command loadtest measures GET /r/{code} of the real portal web process
// against a bare Fiber handler that only answers 302, the way the issue asks:
// each server is a separate process pinned to CPU 0 (`taskset -c 0`), the
// load generator (wrk) is pinned to CPU 1 (`taskset -c 1`), rounds alternate
// bare / portal and the medians of the rounds are compared. Server CPU per
// request is read from /proc/<pid>/stat (utime + stime) around each round.
//
// Then it checks exactness: a second phase sends an exact number of clicks
// (and bot requests, which must not count) with its own client, stops the
// web process (which flushes its recorder), rolls the clicks up and checks
// that PostgreSQL holds exactly one click per 302 answered, none for bots,
// and that Redis keeps nothing per click after the rollup.
//
//	go run ./app/clicks/loadtest -rounds 3 -d 10s -c 32
//	go run ./app/clicks/loadtest -portal /tmp/portal-old   # another build, same method
//
// It creates (and drops) its own database on the PostgreSQL at
// LOADTEST_ADMIN_URL and uses Redis database 12 at LOADTEST_REDIS_ADDR.
// `scripts/redirect-ab.sh` compares builds side by side the same way, without
// the exactness phase.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"

	"partnerportal/app/clicks"
	"partnerportal/app/clock"
	"partnerportal/app/migrate"
	"partnerportal/app/seed"
	"partnerportal/queries"
)

const (
	ua    = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	botUA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "bare" {
		bare(os.Args[2])
		return
	}
	rounds := flag.Int("rounds", 3, "A/B rounds (bare, portal) per comparison; medians are reported")
	dur := flag.Duration("d", 10*time.Second, "length of one wrk round")
	conc := flag.Int("c", 32, "wrk connections")
	exact := flag.Int("n", 100000, "clicks sent in the exactness phase")
	portal := flag.String("portal", "", "portal binary to measure (default: build this tree)")
	serverCPU := flag.String("server-cpu", "0", "CPU list the servers are pinned to")
	loadCPU := flag.String("load-cpu", "1", "CPU list wrk is pinned to")
	profile := flag.String("profile", "", "write a CPU profile of one extra portal round here (perf record)")
	keep := flag.Bool("keep", false, "keep the database afterwards")
	flag.Parse()
	o := opts{rounds: *rounds, dur: *dur, conc: *conc, exact: *exact, portal: *portal,
		serverCPU: *serverCPU, loadCPU: *loadCPU, profile: *profile, keep: *keep}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type opts struct {
	rounds, conc, exact        int
	dur                        time.Duration
	portal, serverCPU, loadCPU string
	profile                    string
	keep                       bool
}

// bare is the reference: a Fiber app that answers every /r/{code} with a 302
// to a URL as long as the portal's, and does nothing else.
func bare(addr string) {
	a := fiber.New(fiber.Config{DisableStartupMessage: true})
	a.Get("/r/:code", func(c *fiber.Ctx) error {
		return c.Redirect("https://northwind.test/?utm_source=partner&utm_medium=referral&pp_click=0123456789abcdefghijkl", fiber.StatusFound)
	})
	if err := a.Listen(addr); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// server is one pinned process under measurement.
type server struct {
	name string
	addr string
	cmd  *exec.Cmd
	// wrk's completed requests and rounds against this server, warm-up and
	// profile rounds included.
	reqs, rounds int64
}

func start(name, addr, cpu string, envv []string, bin string, args ...string) (*server, error) {
	cmd := exec.Command("taskset", append([]string{"-c", cpu, bin}, args...)...)
	cmd.Env = append(os.Environ(), envv...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: name, addr: addr, cmd: cmd}
	for range 200 {
		if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
			r.Body.Close()
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return nil, fmt.Errorf("%s did not start on %s", name, addr)
}

// cpuTicks is the process's user + system CPU time, in clock ticks (taskset
// execs the server, so the pid is the server's).
func (s *server) cpuTicks() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st, nil
}

// stop sends SIGTERM and waits: the portal drains and flushes its recorder.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	return s.cmd.Wait()
}

type round struct {
	rps, p50, p99 float64 // req/s, ms
	reqs, non3xx  int64
	cpuUS         float64 // server CPU µs per request
}

var (
	reRPS  = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reReqs = regexp.MustCompile(`(\d+) requests in`)
	reNon  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reLat  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
)

func wrk(o opts, s *server, path string, d time.Duration) (round, error) {
	t0, err := s.cpuTicks()
	if err != nil {
		return round{}, err
	}
	out, err := exec.Command("taskset", "-c", o.loadCPU, "wrk", "-t1", "-c"+strconv.Itoa(o.conc), "-d"+d.String(),
		"--latency", "-H", "User-Agent: "+ua, "http://"+s.addr+path).CombinedOutput()
	if err != nil {
		return round{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	t1, err := s.cpuTicks()
	if err != nil {
		return round{}, err
	}
	var r round
	txt := string(out)
	if m := reRPS.FindStringSubmatch(txt); m != nil {
		r.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := reReqs.FindStringSubmatch(txt); m != nil {
		r.reqs, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := reNon.FindStringSubmatch(txt); m != nil {
		r.non3xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	for _, m := range reLat.FindAllStringSubmatch(txt, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if m[1] == "50" {
			r.p50 = v
		} else {
			r.p99 = v
		}
	}
	if r.reqs == 0 {
		return r, fmt.Errorf("wrk output not understood: %s", out)
	}
	s.reqs += r.reqs
	s.rounds++
	r.cpuUS = float64(t1-t0) * 1e6 / float64(clkTck) / float64(r.reqs)
	return r, nil
}

const clkTck = 100 // USER_HZ on Linux

func median(rs []round, f func(round) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func run(o opts) error {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (apt-get install -y wrk)")
	}
	tmp, err := os.MkdirTemp("", "loadtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.portal == "" {
		o.portal = filepath.Join(tmp, "portal")
		if out, err := exec.Command("go", "build", "-o", o.portal, ".").CombinedOutput(); err != nil {
			return fmt.Errorf("go build (run from the repository root): %w: %s", err, out)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}

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
	if !o.keep {
		defer admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)") //nolint:errcheck
	}
	schema, err := os.ReadFile("schema.sql")
	if err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	au, err := url.Parse(adminURL)
	if err != nil {
		return err
	}
	au.Path = "/" + dbName
	dbURL := au.String()
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
	redisAddr := env("LOADTEST_REDIS_ADDR", "127.0.0.1:6379")
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, DB: 12})
	defer rdb.Close()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		return err
	}
	memBefore, err := usedMemory(ctx, rdb)
	if err != nil {
		return err
	}

	portalAddr, bareAddr := "127.0.0.1:18081", "127.0.0.1:18082"
	web, err := start("portal", portalAddr, o.serverCPU, []string{"DATABASE_URL=" + dbURL,
		"REDIS_URL=redis://" + redisAddr + "/12", "ADDR=" + portalAddr, "LOG_LEVEL=warn"}, o.portal, "web")
	if err != nil {
		return err
	}
	webStopped := false
	defer func() {
		if !webStopped {
			_ = web.stop()
		}
	}()
	ref, err := start("bare", bareAddr, o.serverCPU, nil, self, "bare", bareAddr)
	if err != nil {
		return err
	}
	defer ref.stop() //nolint:errcheck

	// Warm-up, then alternate rounds: bare, portal, portal, bare, bare, ...
	// (ABBA) so a drift of the machine falls on both sides alike.
	for _, s := range []*server{ref, web} {
		if _, err := wrk(o, s, "/r/northwind", 2*time.Second); err != nil {
			return err
		}
	}
	var bares, portals []round
	for i := range o.rounds {
		order := []*server{ref, web}
		if i%2 == 1 {
			order = []*server{web, ref}
		}
		for _, s := range order {
			r, err := wrk(o, s, "/r/northwind", o.dur)
			if err != nil {
				return err
			}
			if s == web {
				portals = append(portals, r)
			} else {
				bares = append(bares, r)
			}
			fmt.Printf("round %d %-7s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU %5.2f µs/req  non-3xx %d\n",
				i+1, s.name, r.rps, r.p50, r.p99, r.cpuUS, r.non3xx)
		}
	}
	if o.profile != "" {
		if err := profileRound(o, web); err != nil {
			return err
		}
	}
	wrkSent := web.reqs

	// Exactness: an exact number of people and bots, counted by this client.
	people := load("http://"+portalAddr+"/r/globex", ua, o.exact, 16)
	bots := load("http://"+portalAddr+"/r/globex", botUA, o.exact/10, 4)
	recorded, err := scrape("http://"+portalAddr+"/metrics", "portal_clicks_recorded_total")
	if err != nil {
		return err
	}
	if err := web.stop(); err != nil {
		return fmt.Errorf("portal web did not stop cleanly: %w", err)
	}
	webStopped = true
	start := time.Now()
	rolled, err := clicks.Rollup(ctx, rdb, store, 5000, 100000)
	if err != nil {
		return err
	}
	rollTime := time.Since(start)
	inPG := func(code string) (n int64, err error) {
		err = pool.QueryRow(ctx, `SELECT coalesce(sum(s.clicks), 0)::bigint FROM link_daily_stats s
			JOIN tracking_links l ON l.id = s.link_id WHERE l.code = $1`, code).Scan(&n)
		return n, err
	}
	gPG, err := inPG("globex")
	if err != nil {
		return err
	}
	nPG, err := inPG("northwind")
	if err != nil {
		return err
	}
	keys, err := rdb.DBSize(ctx).Result()
	if err != nil {
		return err
	}
	memAfter, err := usedMemory(ctx, rdb)
	if err != nil {
		return err
	}

	fmt.Printf("\nmachine: %d CPUs; servers pinned to CPU %s, wrk (1 thread, %d connections, %s rounds) pinned to CPU %s\n",
		runtime.NumCPU(), o.serverCPU, o.conc, o.dur, o.loadCPU)
	fmt.Printf("%-18s %10s %9s %9s %12s\n", "median of "+strconv.Itoa(o.rounds), "req/s", "p50", "p99", "CPU µs/req")
	for _, row := range []struct {
		name string
		rs   []round
	}{{"bare Fiber 302", bares}, {"portal /r/{code}", portals}} {
		fmt.Printf("%-18s %10.0f %7.2fms %7.2fms %12.2f\n", row.name, median(row.rs, func(r round) float64 { return r.rps }),
			median(row.rs, func(r round) float64 { return r.p50 }), median(row.rs, func(r round) float64 { return r.p99 }),
			median(row.rs, func(r round) float64 { return r.cpuUS }))
	}
	ratio := median(portals, func(r round) float64 { return r.rps }) / median(bares, func(r round) float64 { return r.rps })
	fmt.Printf("ratio portal/bare (req/s medians): %.2f (target >= 0.80)\n", ratio)
	fmt.Printf("clicks: exact phase sent %d (answered 302: %d, other: %d), bots %d (302: %d); wrk rounds completed %d\n",
		people.sent, people.ok, people.bad, bots.sent, bots.ok, wrkSent)
	fmt.Printf("server recorded %d, rolled up %d in %s; in PostgreSQL: globex %d, northwind %d\n",
		recorded, rolled, rollTime.Round(time.Millisecond), gPG, nPG)
	fmt.Printf("Redis after the rollup: %d keys, used_memory %+d bytes since the start = %.1f bytes per click\n",
		keys, memAfter-memBefore, float64(memAfter-memBefore)/float64(max(recorded, 1)))
	lost, double := max(people.ok-gPG, 0), max(gPG-people.ok, 0)
	fmt.Printf("exact phase: sent = rolled up: lost %d, double %d, bots counted %d\n", lost, double, max(gPG-people.ok, 0))
	if lost != 0 || double != 0 || people.bad != 0 || bots.ok != bots.sent {
		return fmt.Errorf("click counts differ: want %d in PostgreSQL for globex, have %d", people.ok, gPG)
	}
	// wrk does not count the requests in flight when a round ends (at most
	// one per connection), so its own total is a lower bound.
	if nPG+gPG != recorded || rolled != recorded || nPG < wrkSent || nPG > wrkSent+int64(o.conc)*web.rounds {
		return fmt.Errorf("recorded %d, rolled up %d, in PostgreSQL %d (wrk completed %d)", recorded, rolled, nPG+gPG, wrkSent)
	}
	return nil
}

// profileRound runs perf on the web process during one more portal round and
// prints the top of the report.
func profileRound(o opts, web *server) error {
	data := o.profile
	rec := exec.Command("perf", "record", "-F", "999", "-g", "-o", data, "-p", strconv.Itoa(web.cmd.Process.Pid))
	rec.Stdout, rec.Stderr = os.Stderr, os.Stderr
	if err := rec.Start(); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	_, werr := wrk(o, web, "/r/northwind", o.dur)
	_ = rec.Process.Signal(syscall.SIGINT)
	_ = rec.Wait()
	if werr != nil {
		return werr
	}
	out, err := exec.Command("perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio", "-g", "none",
		"--percent-limit", "0.7").Output()
	if err != nil {
		return err
	}
	fmt.Println("\nperf (self time, web process, one portal round):")
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, "%") && !strings.HasPrefix(l, "#") {
			fmt.Println(l)
		}
	}
	return nil
}

// usedMemory is Redis's used_memory (the whole server: other databases on the
// same Redis add noise, so the loadtest wants a Redis of its own).
func usedMemory(ctx context.Context, rdb *redis.Client) (int64, error) {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("used_memory missing from INFO memory")
}

type result struct{ sent, ok, bad int64 }

// load sends exactly n GET requests over c connections and counts the 302s.
func load(target, userAgent string, n, c int) result {
	u, _ := url.Parse(target)
	hc := &fasthttp.HostClient{Addr: u.Host, MaxConns: c, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	var next, ok, bad atomic.Int64
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			for next.Add(1) <= int64(n) {
				req.SetRequestURI(target)
				req.Header.SetUserAgent(userAgent)
				if err := hc.Do(req, res); err == nil && res.StatusCode() == fiber.StatusFound {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return result{sent: int64(n), ok: ok.Load(), bad: bad.Load()}
}

func scrape(u, metric string) (int64, error) {
	r, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	defer r.Body.Close()
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), metric+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("%s not in %s", metric, u)
}
