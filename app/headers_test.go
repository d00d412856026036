package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/app/secret"
)

// Every page and fragment a signed-in user gets is no-store, so Back after
// sign-out or a shared proxy never shows them again; signed-out pages are
// not concerned.
func TestSignedInResponsesAreNoStore(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "admin@northwind.test")
	for _, tc := range []struct {
		path   string
		header map[string]string
	}{
		{"/dashboard", nil},
		{"/leads", nil},
		{"/leads?status=in_review", map[string]string{"HX-Request": "true"}},
		{"/account", nil},
		{"/manage", nil},
		{"/notifications", nil},
		{"/no-such-page", nil},
	} {
		r := c.Do(http.MethodGet, tc.path, nil, tc.header)
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s (%d): Cache-Control %q, want no-store", tc.path, r.StatusCode, got)
		}
	}
	if r := c.Post("/notifications/read", nil); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("POST /notifications/read: Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Get("/console/leads"); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("console: Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	if r := env.Client(t).Get("/login"); r.Header.Get("Cache-Control") == "no-store" {
		t.Error("the signed-out sign-in page is no-store too: the test cannot tell the two apart")
	}
}

// HSTS only when the portal is served over https; on https the flash cookie
// is __Host- prefixed like the session cookie, and a plain "flash" cookie (one
// a sibling domain could plant) is never shown.
func TestHSTSAndFlashCookieOnHTTPS(t *testing.T) {
	plain := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	if r := plain.Client(t).Get("/login"); r.Header.Get("Strict-Transport-Security") != "" {
		t.Fatalf("HSTS on http: %q", r.Header.Get("Strict-Transport-Security"))
	}
	t.Setenv("BASE_URL", "https://partners.example.com")
	https := apptest.NewEnv(t, apptest.Options{NoWorker: true, KeepBaseURL: true})
	c := https.Client(t)
	r := c.Get("/login")
	if got := r.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=63072000") {
		t.Fatalf("HSTS on https: %q", got)
	}
	if r := c.Get("/r/nosuchcode"); !strings.Contains(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("HSTS on the hot route's page: %q", r.Header.Get("Strict-Transport-Security"))
	}
	// A planted, unprefixed flash is ignored.
	planted := c.Do(http.MethodGet, "/login", nil, map[string]string{"Cookie": "flash=" + url.QueryEscape("Your account is locked, call +1 555 0100")})
	if strings.Contains(planted.Body, "555 0100") {
		t.Fatal("an unprefixed flash cookie was shown on https")
	}
	// Signing out sets the flash: as __Host-flash, Secure, Path=/. (The
	// client's jar keeps Secure cookies off http, so the session is made
	// here and the cookies are sent by hand.)
	sid, csrf := secret.New(), secret.New()
	if _, err := https.Store.Pool.Exec(t.Context(), `INSERT INTO sessions (id_hash, user_id, expires_at, created_at, last_seen_at)
		SELECT $1, id, $2::timestamptz + interval '1 hour', $2, $2 FROM users WHERE email = 'staff@acme.test'`, secret.Hash(sid), https.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	out := c.Do(http.MethodPost, "/logout", url.Values{"_csrf": {csrf}}, map[string]string{
		"Cookie": "__Host-csrf=" + csrf + "; __Host-session=" + sid})
	var found bool
	for _, ck := range out.Cookies() {
		switch ck.Name {
		case "__Host-flash":
			found = true
			if !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
				t.Errorf("__Host-flash: secure=%v path=%q domain=%q", ck.Secure, ck.Path, ck.Domain)
			}
		case "flash":
			t.Errorf("unprefixed flash cookie set on https")
		}
	}
	if !found {
		t.Fatalf("sign-out (status %d) set no __Host-flash cookie: %v", out.StatusCode, out.Cookies())
	}
	shown := c.Do(http.MethodGet, "/login", nil, map[string]string{"Cookie": "__Host-flash=" + url.QueryEscape("You are signed out.")})
	if !strings.Contains(shown.Doc.Find(".flash").Text(), "signed out") {
		t.Fatalf("the __Host-flash cookie is not shown: %q", shown.Doc.Find(".flash").Text())
	}
}

// Without TRUSTED_PROXIES, X-Forwarded-For is ignored: the direct peer is
// counted, so changing the header does not escape the per-IP limit.
func TestLoginLimitIgnoresForwardedForWithoutTrustedProxies(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	status := loginFrom(t, c, 31, func(i int) string { return fmt.Sprintf("198.51.100.%d", i) })
	if status[29] != http.StatusOK || status[30] != http.StatusTooManyRequests {
		t.Fatalf("statuses 30 and 31: %d %d", status[29], status[30])
	}
	if n := env.Redis.Exists(t.Context(), "rl:login:ip:127.0.0.1").Val(); n != 1 {
		t.Fatal("the peer address was not the one counted")
	}
}

// Behind a trusted proxy the rightmost untrusted address of X-Forwarded-For
// is the client: two clients get separate limits, and a client cannot
// escape its limit by writing addresses into the header itself.
func TestLoginLimitBehindTrustedProxy(t *testing.T) {
	t.Setenv("TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8")
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	// One client, its own forged entries on the left, then a second proxy hop.
	status := loginFrom(t, c, 31, func(i int) string { return fmt.Sprintf("192.0.2.%d, 203.0.113.7, 10.1.2.3", i) })
	if status[29] != http.StatusOK || status[30] != http.StatusTooManyRequests {
		t.Fatalf("forged left entries escaped the limit: statuses 30 and 31: %d %d", status[29], status[30])
	}
	if env.Redis.Exists(t.Context(), "rl:login:ip:203.0.113.7").Val() != 1 {
		t.Fatal("203.0.113.7 was not counted")
	}
	// Another client behind the same proxy still gets in.
	other := loginFrom(t, c, 1, func(int) string { return "203.0.113.8" })
	if other[0] != http.StatusOK {
		t.Fatalf("a second client behind the proxy: %d", other[0])
	}
}

// loginFrom posts n sign-in requests, each for a new address and with the
// X-Forwarded-For header xff(i), and returns the statuses.
func loginFrom(t *testing.T, c *apptest.Client, n int, xff func(int) string) []int {
	t.Helper()
	csrf := c.CSRF()
	var out []int
	for i := range n {
		form := url.Values{"email": {fmt.Sprintf("someone%d@example.com", i)}, "_csrf": {csrf}}
		r := c.Do(http.MethodPost, "/login", form, map[string]string{"X-Forwarded-For": xff(i)})
		out = append(out, r.StatusCode)
	}
	return out
}
