package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/apptest"
	"partnerportal/workers"
)

// With Redis down, signing in still works: the request is kept in
// PostgreSQL and its email goes out, exactly once, after Redis answers again
// and the scheduler's login sweep runs. Pages answer as usual; what cannot
// work without Redis answers 503 with a clear message. The Redis is the
// test's own redis-server, stopped and restarted.
func TestRedisOutageSignInKeptAndMailedOnce(t *testing.T) {
	rs := apptest.StartRedisServer(t)
	env := apptest.NewEnv(t, apptest.Options{RedisURL: rs.URL})
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		t.Fatal(err)
	}
	admin := env.Client(t)
	admin.SignIn("admin@northwind.test") // while Redis is up
	apiKey := sgAPIKey(t, env, "acme", false)

	rs.Stop()

	// Sign-in requests: the same "check your email" page as ever, for a
	// known and for an unknown address.
	user := env.Client(t)
	for _, email := range []string{"user@northwind.test", "nobody@nowhere.test"} {
		r := user.Post("/login", url.Values{"email": {email}})
		if r.StatusCode != http.StatusOK || r.Doc.Find("#link-sent").Length() != 1 {
			t.Fatalf("POST /login for %s with Redis down: status %d\n%s", email, r.StatusCode, r.Body)
		}
	}
	if n := queryInt(t, env, "SELECT count(*) FROM login_requests WHERE enqueued_at IS NULL"); n != 2 {
		t.Fatalf("%d sign-in requests kept in PostgreSQL, want 2", n)
	}
	// The per-address limit still holds without Redis (5 an hour).
	for i := 0; i < 4; i++ {
		user.Post("/login", url.Values{"email": {"admin@globex.test"}})
	}
	if r := user.Post("/login", url.Values{"email": {"admin@globex.test"}}); r.StatusCode != http.StatusOK {
		t.Fatalf("5th request for one address: status %d", r.StatusCode)
	}
	if r := user.Post("/login", url.Values{"email": {"admin@globex.test"}}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th request for one address within the hour: status %d, want 429", r.StatusCode)
	}
	if _, err := env.Store.Pool.Exec(t.Context(), "DELETE FROM login_requests WHERE email = 'admin@globex.test'"); err != nil {
		t.Fatal(err)
	}

	// Signed-in pages keep working (sessions live in PostgreSQL).
	for _, path := range []string{"/dashboard", "/leads", "/leads/new", "/dashboard/links", "/dashboard/rewards",
		"/notifications", "/account", "/manage", "/dashboard/links/new"} {
		if r := admin.Get(path); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s with Redis down: status %d", path, r.StatusCode)
		}
	}
	// What needs Redis says so with a 503, never a 500.
	if r := admin.Get("/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis down: %d", r.StatusCode)
	}
	// A click id of the right shape, not in PostgreSQL: the catch-up would
	// need Redis.
	body := sgJSON(map[string]any{"click_id": "AAAAAAAAAAAAAAAAAAAAAA", "email": "ada@lovelace.test", "name": "Ada", "company": "Lovelace"})
	r := sgPost(t, env, http.MethodPost, "/api/v1/signups", body, bearer(apiKey))
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" ||
		!strings.Contains(r.Body["error"].(string), "briefly unavailable") {
		t.Errorf("sign-up API with Redis down: %d %v", r.Status, r.Raw)
	}
	if n := env.Inbox.Count("user@northwind.test"); n != 0 {
		t.Fatalf("%d emails before Redis is back", n)
	}

	// Redis is back (empty: it kept nothing). The scheduler's login sweep
	// queues the kept requests; the worker mails the one with an account.
	rs.Start()
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	sweep := func() {
		t.Helper()
		s := &workers.Scheduler{Queue: env.Queue, Log: env.Log, Now: func() time.Time { return now },
			Tasks: []workers.Periodic{{Every: time.Minute, New: workers.NewLoginSweepTask}}}
		// The Redis client redials a refused server at most once a second,
		// and the scheduler retries every second: so does this.
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := s.Tick(t.Context())
			if err == nil && n == 1 {
				break
			}
			if err == nil || time.Now().After(deadline) {
				t.Fatalf("scheduler tick: %d enqueued, %v", n, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		waitQueuesIdle(t, env.Redis.Options().Addr, env.Redis.Options().DB)
	}
	sweep()
	m := env.Inbox.WaitFor(t, "user@northwind.test", "sign-in link")
	// The first email can arrive while the sweep still marks the other
	// requests: wait for the sweep to finish, not for time to pass.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n := queryInt(t, env, "SELECT count(*) FROM login_requests WHERE enqueued_at IS NULL")
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sign-in requests still pending after the sweep", n)
		}
	}

	// A sweep that stopped between queueing and marking queues the request
	// again: still one email.
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE login_requests SET enqueued_at = NULL"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	sweep()
	now = now.Add(time.Minute)
	sweep()
	if n := env.Inbox.Count("user@northwind.test"); n != 1 {
		t.Fatalf("%d sign-in emails for one request, want exactly 1", n)
	}
	if n := env.Inbox.Count("nobody@nowhere.test"); n != 0 {
		t.Fatalf("an address without an account got %d emails", n)
	}

	// And the link signs in.
	path := strings.TrimPrefix(m.Link(t), env.URL)
	user.Get(path)
	if r := user.Post(path, url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm the link mailed after the outage: status %d", r.StatusCode)
	}
	if r := user.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard after signing in: %d", r.StatusCode)
	}
}

// waitQueuesIdle waits until no task is pending, active, scheduled or
// retrying in any queue of the Redis database.
func waitQueuesIdle(t *testing.T, addr string, db int) {
	t.Helper()
	ins := asynq.NewInspector(asynq.RedisClientOpt{Addr: addr, DB: db})
	defer ins.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		busy := 0
		qs, err := ins.Queues()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			info, err := ins.GetQueueInfo(q)
			if err != nil {
				t.Fatal(err)
			}
			busy += info.Pending + info.Active + info.Scheduled + info.Retry
		}
		if busy == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("tasks still queued after 15s: %d", busy)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// forwarder is a TCP relay to a real server that the test can cut: an
// outage of the service behind it, as the web process sees it.
type forwarder struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startForwarder(t *testing.T, target string) *forwarder {
	f := &forwarder{t: t, target: target, addr: "127.0.0.1:0"}
	f.up()
	t.Cleanup(f.down)
	return f
}

// up listens (again, on the same address) and relays every connection.
func (f *forwarder) up() {
	f.t.Helper()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	f.ln, f.addr = ln, ln.Addr().String()
	f.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", f.target)
			if err != nil {
				c.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, c, s)
			f.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }() //nolint:errcheck // ends when either side closes
			go func() { io.Copy(c, s); c.Close() }() //nolint:errcheck
		}
	}()
}

// down refuses new connections and cuts the open ones.
func (f *forwarder) down() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
	for _, c := range f.conns {
		c.Close()
	}
	f.conns = nil
}

// With PostgreSQL unreachable, a page answers 503 with a page that says what
// is going on (and htmx gets the fragment), never a generic 500; when it is
// back, the same session works again.
func TestDatabaseOutagePagesAnswer503(t *testing.T) {
	store := apptest.NewStore(t)
	if _, err := store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(store.Pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	fwd := startForwarder(t, u.Host)
	u.Host = fwd.addr
	env := apptest.NewEnv(t, apptest.Options{DatabaseURL: u.String()})
	c := env.Client(t)
	c.SignIn("user@northwind.test")
	if r := c.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", r.StatusCode)
	}

	fwd.down()
	r := c.Get("/leads")
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("GET /leads with PostgreSQL down: %d (Retry-After %q)\n%s", r.StatusCode, r.Header.Get("Retry-After"), r.Body)
	}
	if msg := r.Doc.Find("main").Text(); !strings.Contains(msg, "briefly unavailable") || strings.Contains(msg, "Something went wrong") {
		t.Errorf("the 503 page says: %q", strings.TrimSpace(msg))
	}
	h := c.Do(http.MethodGet, "/leads", nil, map[string]string{"HX-Request": "true"})
	if h.StatusCode != http.StatusServiceUnavailable || !strings.Contains(h.Body, "briefly unavailable") {
		t.Errorf("htmx request with PostgreSQL down: %d\n%s", h.StatusCode, h.Body)
	}

	fwd.up()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.Get("/leads")
		if r.StatusCode == http.StatusOK {
			break
		}
		if r.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("GET /leads after PostgreSQL is back: %d", r.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
