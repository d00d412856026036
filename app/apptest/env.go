package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"partnerportal/app"
	"partnerportal/app/clicks"
	"partnerportal/app/clock"
	"partnerportal/app/config"
	"partnerportal/app/seed"
	"partnerportal/app/storage"
	"partnerportal/app/vault"
	"partnerportal/queries"
	"partnerportal/workers"
)

// RedisURL is the Redis server tests use (databases 1–15; 0 is left to dev).
func RedisURL() string {
	if v := os.Getenv("TEST_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

// NewRedis claims a Redis database number of its own for the test (a lock key
// inside that database), flushes it, and flushes and releases it afterwards.
// Asynq has no key prefix, so a database of its own is how a test's queues
// stay apart from every other test's.
func NewRedis(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	token := strconv.FormatInt(time.Now().UnixNano(), 36)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		for db := 1; db <= 15; db++ {
			o := *opt
			o.DB = db
			rdb := redis.NewClient(&o)
			ok, err := rdb.SetNX(ctx, "apptest:lock", token, 10*time.Minute).Result()
			if err != nil {
				rdb.Close()
				t.Fatalf("Redis at %s: %v (is it running? see README)", RedisURL(), err)
			}
			if !ok {
				rdb.Close()
				continue
			}
			// Keep the lock, drop everything a crashed earlier run left.
			keys, _ := rdb.Keys(ctx, "*").Result()
			for _, k := range keys {
				if k != "apptest:lock" {
					rdb.Del(ctx, k)
				}
			}
			t.Cleanup(func() {
				rdb.FlushDB(context.Background())
				rdb.Close()
			})
			return rdb
		}
		if time.Now().After(deadline) {
			t.Fatal("no free Redis database for the test after 2 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PayoutKeySpec is the tests' payout key (one random key per test process),
// and PayoutKeys the ring holding it.
var (
	PayoutKeySpec = vault.NewKeySpec("test")
	PayoutKeys    = func() *vault.Keyring {
		k, err := vault.Parse(PayoutKeySpec)
		if err != nil {
			panic(err)
		}
		return k
	}()
)

// Env is the whole portal running for one test: web tier on a real port,
// worker pool, fresh database with demo data, own Redis database, SMTP inbox.
type Env struct {
	URL    string
	Config *config.Config
	Store  *queries.Store
	Redis  *redis.Client
	Inbox  *Inbox
	Queue  *asynq.Client
	Log    *slog.Logger
	Links  *clicks.Cache
	Clicks *clicks.Recorder
	// Clock is the time of the web tier and the workers of this Env: the
	// suite's time (TEST_CLOCK, see app/clock) moving on with real time. A
	// test sets or advances it (env.Clock.Advance(16*time.Minute)) instead
	// of sleeping.
	Clock *clock.Settable
	// Files is the portal's file store: a directory of the test's own.
	Files storage.Store
}

// Options adjust an Env.
type Options struct {
	LoginLinkTTL time.Duration
	NoWorker     bool // tasks stay queued (to inspect them)
	KeepBaseURL  bool // use the BASE_URL already set (e.g. https://…) instead of the listener's

	// DatabaseURL, when set, runs the portal on that existing database
	// instead of a fresh clone of the template: the benchmarks point it at
	// the `seed --scale` database. It is used as it is (no migration, no
	// demo data) and never dropped.
	DatabaseURL string

	// LogWriter, when set, receives the portal's log instead of the test log
	// (a fuzz target may not log through testing.F inside its fuzz function).
	LogWriter io.Writer

	// RedisURL, when set, runs the portal on that Redis (e.g. a
	// StartRedisServer the test stops and restarts) instead of a database
	// of the shared test server.
	RedisURL string
}

// NewEnv starts the portal for a test.
func NewEnv(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	var store *queries.Store
	if o.DatabaseURL != "" {
		store = OpenStore(t, o.DatabaseURL)
	} else {
		store = NewStore(t)
	}
	var rdb *redis.Client
	if o.RedisURL != "" {
		opt, err := redis.ParseURL(o.RedisURL)
		if err != nil {
			t.Fatal(err)
		}
		rdb = redis.NewClient(opt)
		t.Cleanup(func() { rdb.Close() })
	} else {
		rdb = NewRedis(t)
	}
	inbox := NewInbox(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	if !o.KeepBaseURL {
		t.Setenv("BASE_URL", base)
	}
	t.Setenv("SMTP_URL", inbox.URL)
	t.Setenv("SMTP_FROM", "Portal <no-reply@acme.test>")
	// A fixed test key for the signed certificates (/verify/{id}.json).
	t.Setenv("BADGE_SIGNING_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if o.LoginLinkTTL > 0 {
		t.Setenv("LOGIN_LINK_TTL", o.LoginLinkTTL.String())
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PayoutKeys == nil {
		cfg.PayoutKeys = PayoutKeys
	}
	level := slog.LevelWarn
	if os.Getenv("TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	var logTo io.Writer = testWriter{t}
	if o.LogWriter != nil {
		logTo = o.LogWriter
	}
	log := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: level}))
	queue := asynq.NewClientFromRedisClient(rdb)
	links := clicks.NewCache(store, time.Minute)
	recorder := clicks.NewRecorder(rdb, 20*time.Millisecond)
	bgctx, stopBG := context.WithCancel(context.Background())
	bgDone := make(chan struct{})
	go links.Listen(bgctx, rdb)
	go func() { recorder.Run(bgctx); close(bgDone) }()
	t.Cleanup(func() { stopBG(); <-bgDone })
	clk := clock.ForTest()
	files, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if o.DatabaseURL == "" {
		if err := seed.DemoFiles(context.Background(), store, files); err != nil {
			t.Fatal(err)
		}
	}
	web := app.New(&app.Deps{Config: cfg, Store: store, Redis: rdb, Queue: queue, Log: log, Links: links, Clicks: recorder, Clock: clk, Files: files})
	go web.Listener(ln) //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() { _ = web.ShutdownWithTimeout(5 * time.Second); queue.Close() })
	if !o.NoWorker {
		srv := workers.NewServer(rdb, workers.ServerOptions{
			Concurrency: 4, TaskCheckInterval: 100 * time.Millisecond, DelayedInterval: 200 * time.Millisecond,
			ShutdownTimeout: 5 * time.Second,
		}, log)
		mux := workers.NewMux(&workers.Deps{Store: store, Config: cfg, Log: log, Redis: rdb, Clock: clk, Files: files,
			Mailer: &workers.SMTPMailer{URL: cfg.SMTPURL, From: cfg.SMTPFrom, Clock: clk}})
		if err := srv.Start(mux); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		relayCtx, stopRelay := context.WithCancel(context.Background())
		relayDone := make(chan struct{})
		go func() {
			workers.RunOutboxRelay(relayCtx, store, queue, 50*time.Millisecond, clk, log)
			close(relayDone)
		}()
		t.Cleanup(func() { stopRelay(); <-relayDone })
	}
	return &Env{URL: base, Config: cfg, Store: store, Redis: rdb, Inbox: inbox, Queue: queue, Log: log, Links: links, Clicks: recorder, Clock: clk, Files: files}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Client is a browser-like HTTP client: cookie jar, no automatic redirects,
// and CSRF tokens added to every form it posts.
type Client struct {
	t   testing.TB
	env *Env
	jar *cookiejar.Jar
	hc  *http.Client
}

// Client returns a new signed-out client.
func (e *Env) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, env: e, jar: jar, hc: &http.Client{
		Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a finished request: status, headers, body and parsed HTML.
type Response struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

// Do sends a request (path relative to the portal) with optional headers.
func (c *Client) Do(method, path string, form url.Values, headers map[string]string) *Response {
	c.t.Helper()
	if form == nil {
		return c.DoBody(method, path, nil, headers)
	}
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range headers {
		h[k] = v
	}
	return c.DoBody(method, path, strings.NewReader(form.Encode()), h)
}

// DoBody sends a request with a body of its own (e.g. a multipart upload).
func (c *Client) DoBody(method, path string, body io.Reader, headers map[string]string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.env.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return &Response{Response: res, Body: string(b), Doc: doc}
}

// Get fetches a page.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil, nil)
}

// Cookies are the client's cookies for the portal (the session, CSRF), for
// code that sends requests with its own http.Client (the benchmarks).
func (c *Client) Cookies() []*http.Cookie {
	u, _ := url.Parse(c.env.URL)
	return c.jar.Cookies(u)
}

// CSRF is the client's CSRF token (fetching /login first if it has none).
func (c *Client) CSRF() string {
	c.t.Helper()
	u, _ := url.Parse(c.env.URL)
	for range 2 {
		for _, ck := range c.jar.Cookies(u) {
			if ck.Name == "csrf" || ck.Name == "__Host-csrf" {
				return ck.Value
			}
		}
		c.Get("/healthz")
	}
	c.t.Fatal("no CSRF cookie")
	return ""
}

// Post submits a form with the CSRF token.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF())
	}
	return c.Do(http.MethodPost, path, form, nil)
}

// SignIn goes through the real sign-in: request a link, read it from the SMTP
// inbox, open it, confirm. It fails the test if any step does not work.
func (c *Client) SignIn(email string) {
	c.t.Helper()
	before := c.env.Inbox.Count(email)
	if r := c.Post("/login", url.Values{"email": {email}}); r.StatusCode != http.StatusOK {
		c.t.Fatalf("POST /login: status %d", r.StatusCode)
	}
	link := c.env.Inbox.WaitForLink(c.t, email, before)
	path := strings.TrimPrefix(link, c.env.URL)
	if r := c.Get(path); r.StatusCode != http.StatusOK {
		c.t.Fatalf("GET sign-in link: status %d", r.StatusCode)
	}
	r := c.Post(path, url.Values{})
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("confirm sign-in: status %d, body %s", r.StatusCode, r.Body)
	}
}

// WaitForTasks waits (10 s at most) until the worker has finished at least n
// tasks of the queue and none is waiting, running or due for a retry: a test
// waits for the work to be done, not for time to pass.
func (e *Env) WaitForTasks(t testing.TB, queue string, n int) {
	t.Helper()
	in := asynq.NewInspectorFromRedisClient(e.Redis)
	deadline := time.Now().Add(10 * time.Second) // a timeout, not a date
	for {
		q, err := in.GetQueueInfo(queue)
		if err == nil && q.ProcessedTotal >= n && q.Pending+q.Active+q.Retry+q.Scheduled == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue %s: not %d tasks done within 10 s (%+v, %v)", queue, n, q, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
