package app_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"partnerportal/app"
	"partnerportal/app/apptest"
	"partnerportal/app/clicks"
)

const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

func click(c *apptest.Client, method, path, ua string) *apptest.Response {
	return c.Do(method, path, nil, map[string]string{"User-Agent": ua})
}

// rollUp flushes the web tier's click buffer and runs the rollup.
func rollUp(t *testing.T, env *apptest.Env) {
	t.Helper()
	for env.Clicks.Pending() > 0 {
		if err := env.Clicks.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := clicks.Rollup(context.Background(), env.Redis, env.Store, 1000, 1000); err != nil {
		t.Fatal(err)
	}
}

func linkClicks(t *testing.T, env *apptest.Env, code string) int64 {
	t.Helper()
	var n int64
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT coalesce(sum(s.clicks), 0)::bigint FROM link_daily_stats s
		JOIN tracking_links l ON l.id = s.link_id WHERE l.code = $1`, code).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRedirectActiveLink(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	r := click(c, http.MethodGet, "/r/northwind", browserUA)
	if r.StatusCode != http.StatusFound {
		t.Fatalf("status %d", r.StatusCode)
	}
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || loc.Host != "acme.test" || loc.Path != "/signup" || len(loc.Query().Get(clicks.ClickParam)) != 22 {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
	// A second click from the same browser is another click, same visitor.
	click(c, http.MethodGet, "/r/northwind", browserUA)
	// Previews and HEAD requests are redirected but not counted.
	for _, ua := range []string{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "facebookexternalhit/1.1", "curl/8.5.0", ""} {
		r := click(env.Client(t), http.MethodGet, "/r/northwind", ua)
		if r.StatusCode != http.StatusFound || strings.Contains(r.Header.Get("Location"), clicks.ClickParam) {
			t.Fatalf("bot %q: %d %s", ua, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if r := click(env.Client(t), http.MethodHead, "/r/northwind", browserUA); r.StatusCode != http.StatusFound {
		t.Fatalf("HEAD: %d", r.StatusCode)
	}
	rollUp(t, env)
	if n := linkClicks(t, env, "northwind"); n != 2 {
		t.Fatalf("%d clicks counted, want 3", n)
	}
	var uniques int64
	env.Store.Pool.QueryRow(t.Context(), "SELECT sum(unique_visitors) FROM link_daily_stats").Scan(&uniques)
	if uniques != 1 {
		t.Fatalf("%d unique visitors, want 1", uniques)
	}
}

func TestRedirectUnknownAndInactive(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	// Warm the cache, then deactivate: the change is visible at once.
	if r := click(c, http.MethodGet, "/r/globex", browserUA); r.StatusCode != http.StatusFound {
		t.Fatalf("active link: %d", r.StatusCode)
	}
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE tracking_links SET active = false WHERE code = 'globex'"); err != nil {
		t.Fatal(err)
	}
	if err := env.Links.Invalidate(t.Context(), env.Redis, "globex"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/r/globex", "/r/nosuchcode", "/r/x", "/r/" + strings.Repeat("a", 80)} {
		r := click(c, http.MethodGet, path, browserUA)
		if r.StatusCode != http.StatusNotFound || r.Header.Get("Location") != "" {
			t.Fatalf("%s: %d → %q", path, r.StatusCode, r.Header.Get("Location"))
		}
		if !strings.Contains(r.Doc.Find("h1").Text(), "not available") {
			t.Fatalf("%s: no friendly page", path)
		}
	}
}

func TestRedirectNeedsNoDatabaseQueryPerClick(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	before := env.Links.Loads.Load()
	for range 50 {
		if r := click(c, http.MethodGet, "/r/northwind", browserUA); r.StatusCode != http.StatusFound {
			t.Fatal(r.StatusCode)
		}
	}
	if loads := env.Links.Loads.Load() - before; loads != 1 {
		t.Fatalf("%d database lookups for 50 clicks", loads)
	}
}

// A plain GET of /r/{code} is answered in front of Fiber's router
// (redirectFront); the other shapes Fiber's route accepts (a trailing slash,
// a body, an upper-case prefix) reach redirectLink. Both count the click
// once and set the same headers; a code the front path does not know
// reaches the friendly page.
func TestRedirectFrontAndRouterAgree(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	ua := map[string]string{"User-Agent": browserUA}
	withBody := map[string]string{"User-Agent": browserUA, "Content-Type": "text/plain"}
	for _, tc := range []struct {
		name string
		do   func(c *apptest.Client) *apptest.Response
	}{
		{"front", func(c *apptest.Client) *apptest.Response { return c.Do(http.MethodGet, "/r/northwind?utm=x", nil, ua) }},
		{"trailing slash", func(c *apptest.Client) *apptest.Response { return c.Do(http.MethodGet, "/r/northwind/", nil, ua) }},
		{"upper case", func(c *apptest.Client) *apptest.Response { return c.Do(http.MethodGet, "/R/northwind", nil, ua) }},
		{"body", func(c *apptest.Client) *apptest.Response {
			return c.DoBody(http.MethodGet, "/r/northwind", strings.NewReader("hello"), withBody)
		}},
	} {
		r := tc.do(env.Client(t))
		loc, err := url.Parse(r.Header.Get("Location"))
		if r.StatusCode != http.StatusFound || err != nil || loc.Host != "acme.test" || len(loc.Query().Get(clicks.ClickParam)) != 22 {
			t.Fatalf("%s: %d %q", tc.name, r.StatusCode, r.Header.Get("Location"))
		}
		if r.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.Header.Get("Set-Cookie"), "pp_vid=") {
			t.Errorf("%s: Cache-Control %q, Set-Cookie %q", tc.name, r.Header.Get("Cache-Control"), r.Header.Get("Set-Cookie"))
		}
	}
	if r := click(env.Client(t), http.MethodGet, "/r/no-such-code", browserUA); r.StatusCode != http.StatusNotFound ||
		r.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("unknown code: %d, CSP %q", r.StatusCode, r.Header.Get("Content-Security-Policy"))
	}
	rollUp(t, env)
	if n := linkClicks(t, env, "northwind"); n != 4 {
		t.Fatalf("%d clicks counted, want 4", n)
	}
}

// Which requests the front path answers itself and which it leaves to the
// router: without this, a front path that never answered would pass every
// other test (the router answers the same).
func TestRedirectFrontAnswersOnlyPlainRedirects(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	front := app.FrontRedirects(&app.Deps{Config: env.Config, Store: env.Store, Log: env.Log, Links: env.Links,
		Clicks: env.Clicks, Clock: env.Clock}, func(ctx *fasthttp.RequestCtx) { ctx.SetStatusCode(599) })
	srv := &fasthttp.Server{Handler: front}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() { _ = srv.Shutdown() })
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		method, uri, body string
		front             bool
	}{
		{"GET", "/r/northwind", "", true},
		{"HEAD", "/r/northwind", "", true},
		{"GET", "/r/northwind?utm=x", "", true},
		{"GET", "/r/northwind?", "", true},
		{"GET", "/r/north%77ind", "", false}, // read from the request line as sent: escaped is not a code
		{"GET", "/r/northwind/", "", false},
		{"GET", "/R/northwind", "", false},
		{"GET", "/r/northwind", "hello", false},
		{"POST", "/r/northwind", "", false},
		{"GET", "/r/no-such-code", "", false},
		{"GET", "/r/ab", "", false},
		{"GET", "/rx/northwind", "", false},
	} {
		req, err := http.NewRequest(tc.method, "http://"+ln.Addr().String()+tc.uri, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", browserUA)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want := 599 // the router's stand-in answered
		if tc.front {
			want = http.StatusFound
		}
		if res.StatusCode != want {
			t.Errorf("%s %s (body %q): status %d, want %d", tc.method, tc.uri, tc.body, res.StatusCode, want)
		}
	}
	rollUp(t, env)
	if n := linkClicks(t, env, "northwind"); n != 3 { // the three front GETs; HEAD is not a click
		t.Fatalf("%d clicks counted, want 3", n)
	}
}

func TestRedirectWorksWithoutRedis(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	click(c, http.MethodGet, "/r/northwind", browserUA) // cache the link
	env.Clicks.Max = 3
	env.Redis.Close()
	for i := range 5 {
		if r := click(c, http.MethodGet, "/r/northwind", browserUA); r.StatusCode != http.StatusFound {
			t.Fatalf("click %d without Redis: %d", i, r.StatusCode)
		}
	}
	_ = env.Clicks.Flush(context.Background()) // fails: Redis is gone
	if env.Clicks.Dropped.Load() == 0 {
		t.Fatal("no dropped clicks counted")
	}
	m := c.Get("/metrics")
	if !strings.Contains(m.Body, "portal_clicks_dropped_total ") || strings.Contains(m.Body, "portal_clicks_dropped_total 0\n") {
		t.Fatalf("metrics:\n%s", m.Body)
	}
}
