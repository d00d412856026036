package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"partnerportal/app/apptest"
)

func TestSignOutDeletesTheSessionServerSide(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("staff@acme.test")
	var n int
	env.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions").Scan(&n)
	if n != 1 {
		t.Fatalf("%d sessions after sign-in", n)
	}
	// Keep a copy of the cookie, as a thief would.
	stolen := sessionCookie(t, c.Get("/account"))
	if r := c.Post("/logout", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.StatusCode)
	}
	env.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions").Scan(&n)
	if n != 0 {
		t.Fatalf("%d sessions left after sign-out", n)
	}
	other := env.Client(t)
	r := other.Do(http.MethodGet, "/account", nil, map[string]string{"Cookie": "session=" + stolen})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("old cookie after sign-out: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

// sessionCookie returns the session id the client sent with the request.
func sessionCookie(t *testing.T, r *apptest.Response) string {
	t.Helper()
	for _, ck := range r.Request.Cookies() {
		if ck.Name == "session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie sent")
	return ""
}

func TestSessionExpiresAfterInactivity(t *testing.T) {
	t.Setenv("SESSION_IDLE_TIMEOUT", "10m")
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("staff@acme.test")
	if r := c.Get("/account"); r.StatusCode != http.StatusOK {
		t.Fatalf("console: %d", r.StatusCode)
	}
	var idleSecs float64
	env.Store.Pool.QueryRow(t.Context(), "SELECT extract(epoch FROM expires_at - created_at) FROM sessions").Scan(&idleSecs)
	if idleSecs < 590 || idleSecs > 610 {
		t.Fatalf("session lifetime %vs, want the 10m idle timeout", idleSecs)
	}
	// Eleven minutes without a request.
	env.Clock.Advance(11 * time.Minute)
	if r := c.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("expired session still works: %d", r.StatusCode)
	}
}

func TestSessionSlidesWithActivity(t *testing.T) {
	t.Setenv("SESSION_IDLE_TIMEOUT", "10m")
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("staff@acme.test")
	// Five minutes later (half the idle timeout) a request pushes the end
	// to ten minutes from then.
	env.Clock.Advance(5 * time.Minute)
	if r := c.Get("/account"); r.StatusCode != http.StatusOK {
		t.Fatalf("session ended after 5 of 10 idle minutes: %d", r.StatusCode)
	}
	var left float64
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT extract(epoch FROM expires_at - $1::timestamptz) FROM sessions", env.Clock.Now()).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left < 590 {
		t.Fatalf("activity did not extend the session: %vs left", left)
	}
}

func TestCookiesSecureOnHTTPS(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	// Same app, configured as if served at an https:// address.
	t.Setenv("BASE_URL", "https://partners.example.com")
	https := apptest.NewEnv(t, apptest.Options{NoWorker: true, KeepBaseURL: true})
	for _, tc := range []struct {
		env    *apptest.Env
		name   string
		secure bool
	}{{env, "csrf", false}, {https, "__Host-csrf", true}} {
		r := tc.env.Client(t).Get("/login")
		var found bool
		for _, ck := range r.Cookies() {
			if ck.Name == tc.name {
				found = true
				if ck.Secure != tc.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
					t.Errorf("%s: secure=%v httponly=%v samesite=%v path=%q", ck.Name, ck.Secure, ck.HttpOnly, ck.SameSite, ck.Path)
				}
			}
		}
		if !found {
			t.Errorf("cookie %s not set", tc.name)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	r := env.Client(t).Get("/login")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
		if r.Header.Get(h) != want {
			t.Errorf("%s = %q", h, r.Header.Get(h))
		}
	}
	if r.Doc.Find("script:not([src])").Length() != 0 || strings.Contains(r.Body, "hx-on") {
		t.Error("page has an inline script or hx-on attribute")
	}
	if v := r.Header.Get("Vary"); !strings.Contains(v, "HX-Request") {
		t.Errorf("Vary = %q", v)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	if r := c.Get("/healthz"); r.StatusCode != 200 {
		t.Fatalf("healthz %d", r.StatusCode)
	}
	if r := c.Get("/readyz"); r.StatusCode != 200 || r.Body != "ready" {
		t.Fatalf("readyz %d %q", r.StatusCode, r.Body)
	}
	env.Redis.Close() // Redis gone: not ready.
	if r := c.Get("/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz without redis: %d", r.StatusCode)
	}
}
