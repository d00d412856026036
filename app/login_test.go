package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/workers"
)

func TestSignInByEmailedLink(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("user@northwind.test")
	// Agreements are enabled for Acme and Northwind has not signed: the
	// portal sends the user to the signing page first.
	r := c.Get("/dashboard")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/agreements/sign" {
		t.Fatalf("dashboard before signing: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	// Staff land on the console.
	s := env.Client(t)
	s.SignIn("staff@acme.test")
	if r := s.Get("/"); r.Header.Get("Location") != "/console" {
		t.Fatalf("staff home redirects to %q", r.Header.Get("Location"))
	}
}

func TestLoginLinkOpenedTwiceStaysUsableButWorksOnce(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.Post("/login", url.Values{"email": {"admin@globex.test"}})
	link := env.Inbox.WaitFor(t, "admin@globex.test", "sign-in").Link(t)
	path := strings.TrimPrefix(link, env.URL)

	for i := range 2 { // a mail scanner and then the person
		r := c.Get(path)
		if r.StatusCode != http.StatusOK || r.Doc.Find("#confirm-sign-in").Length() != 1 {
			t.Fatalf("GET #%d of link: status %d", i+1, r.StatusCode)
		}
		if got := r.Doc.Find("article strong").First().Text(); got != "a…@globex.test" {
			t.Fatalf("confirm page names %q", got)
		}
	}
	if r := c.Do(http.MethodHead, path, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("HEAD of link: %d", r.StatusCode)
	}
	if r := c.Get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("opening the link signed in (account page status %d)", r.StatusCode)
	}
	if r := c.Post(path, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	if r := c.Get("/account"); r.StatusCode != http.StatusOK {
		t.Fatalf("account after sign-in: %d", r.StatusCode)
	}
	// A second use, from another browser, is refused with an explanation.
	other := env.Client(t)
	r := other.Post(path, nil)
	if r.StatusCode != http.StatusGone || r.Doc.Find("#link-problem").AttrOr("data-reason", "") != "used" {
		t.Fatalf("second use: status %d reason %q", r.StatusCode, r.Doc.Find("#link-problem").AttrOr("data-reason", ""))
	}
	if r := other.Get(path); r.Doc.Find("#link-problem").AttrOr("data-reason", "") != "used" {
		t.Fatal("GET of a used link does not say it was used")
	}
}

func TestExpiredAndMalformedLinks(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{LoginLinkTTL: time.Minute})
	c := env.Client(t)
	c.Post("/login", url.Values{"email": {"admin@globex.test"}})
	path := strings.TrimPrefix(env.Inbox.WaitFor(t, "admin@globex.test", "sign-in").Link(t), env.URL)
	env.Clock.Advance(time.Minute + time.Second) // past the link's TTL, without waiting
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		r := c.Post(path, nil)
		if m == http.MethodGet {
			r = c.Get(path)
		}
		if r.StatusCode != http.StatusGone || r.Doc.Find("#link-problem").AttrOr("data-reason", "") != "expired" {
			t.Fatalf("%s expired link: status %d", m, r.StatusCode)
		}
		if r.Doc.Find(`form[action="/login"] input[name=email]`).Length() != 1 {
			t.Fatalf("%s expired link: no form to ask for a new link", m)
		}
	}
	for _, p := range []string{"/login/short", "/login/" + strings.Repeat("A", 43)} {
		r := c.Get(p)
		if r.StatusCode != http.StatusNotFound || r.Doc.Find("#link-problem").Length() != 1 {
			t.Fatalf("%s: status %d", p, r.StatusCode)
		}
	}
}

func TestLoginRequestSameForKnownAndUnknownAddresses(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	known := c.Post("/login", url.Values{"email": {"admin@globex.test"}})
	unknown := c.Post("/login", url.Values{"email": {"nobody@globex.test"}})
	if known.StatusCode != unknown.StatusCode {
		t.Fatalf("status differs: %d vs %d", known.StatusCode, unknown.StatusCode)
	}
	strip := func(r *apptest.Response) string {
		return strings.ReplaceAll(r.Doc.Find("main").Text(), "nobody@globex.test", "admin@globex.test")
	}
	if strip(known) != strip(unknown) {
		t.Fatal("page differs between a known and an unknown address")
	}
	env.Inbox.WaitFor(t, "admin@globex.test", "sign-in")
	env.WaitForTasks(t, workers.QueueCritical, 2) // both sign-in requests handled
	if n := env.Inbox.Count("nobody@globex.test"); n != 0 {
		t.Fatalf("%d emails sent to an unknown address", n)
	}
}

func TestLoginValidationAndRateLimit(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	for _, bad := range []string{"", "not-an-email", "a@b"} {
		r := c.Post("/login", url.Values{"email": {bad}})
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#email-error").Length() != 1 {
			t.Fatalf("%q: status %d", bad, r.StatusCode)
		}
		if got, _ := r.Doc.Find("input#email").Attr("value"); got != bad {
			t.Fatalf("input lost: %q", got)
		}
	}
	for i := range 5 {
		if r := c.Post("/login", url.Values{"email": {"admin@globex.test"}}); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.StatusCode)
		}
	}
	r := c.Post("/login", url.Values{"email": {"Admin@Globex.test"}})
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.Doc.Find("#email-error").Text(), "Too many") {
		t.Fatalf("6th request: status %d", r.StatusCode)
	}
	// Another address from the same IP is still fine (below the IP limit).
	if r := c.Post("/login", url.Values{"email": {"user@northwind.test"}}); r.StatusCode != http.StatusOK {
		t.Fatalf("other address: %d", r.StatusCode)
	}
}

func TestCSRFRequiredOnPost(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	r := c.Do(http.MethodPost, "/login", url.Values{"email": {"admin@globex.test"}}, nil)
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without token: %d", r.StatusCode)
	}
	r = c.Do(http.MethodPost, "/login", url.Values{"email": {"admin@globex.test"}, "_csrf": {c.CSRF()}},
		map[string]string{"Origin": "https://evil.example"})
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("POST from another origin: %d", r.StatusCode)
	}
	r = c.Do(http.MethodPost, "/login", url.Values{"email": {"admin@globex.test"}},
		map[string]string{"X-CSRF-Token": c.CSRF(), "HX-Request": "true"})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("POST with htmx header token: %d", r.StatusCode)
	}
}
