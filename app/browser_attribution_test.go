package app_test

import (
	"context"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"partnerportal/app/apptest"
	"partnerportal/app/clicks"
)

// vendorPage is a stand-in for the vendor's website: a sign-up page that
// includes the portal's attribution script and reports the sign-up with
// PartnerPortal.reportSignup, showing the answer in #result.
var vendorPage = template.Must(template.New("signup").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Cloud — sign up</title>
<script src="{{.Portal}}/t/acme.js"></script>
<style>body{font:16px system-ui;margin:40px;max-width:480px} label{display:block;margin:12px 0 4px}
input{width:100%;padding:6px} button{margin-top:16px;padding:8px 16px}
#result[data-state=ok]{color:#05603a} #result[data-state=error]{color:#b42318}</style></head>
<body><h1>Start your Acme Cloud trial</h1>
<form id="signup">
<label for="email">Work email</label><input id="email" name="email" type="email" required>
<label for="name">Your name</label><input id="name" name="name">
<label for="company">Company</label><input id="company" name="company">
<button id="create" type="submit">Create account</button>
</form>
<p id="result"></p>
<script>
document.getElementById("signup").addEventListener("submit", function (e) {
  e.preventDefault();
  var out = document.getElementById("result");
  PartnerPortal.reportSignup({
    email: document.getElementById("email").value,
    name: document.getElementById("name").value,
    company: document.getElementById("company").value
  }).then(function (res) {
    out.dataset.state = "ok";
    if (!res) { out.textContent = "Welcome aboard!"; return; }
    out.textContent = res.duplicate ? "Welcome back! (lead " + res.lead_id + ")"
      : "Welcome aboard! Referred by " + res.partner + " (lead " + res.lead_id + ")";
  }, function (err) {
    out.dataset.state = "error";
    out.textContent = "Could not record the referral: " + err.message;
  });
});
</script></body></html>`))

// vendorSite serves the stand-in on 127.0.0.1, addressed as localhost so
// that it is another site than the portal (127.0.0.1), as in real life.
type vendorSite struct {
	URL string // origin, e.g. http://localhost:41234
}

func newVendorSite(t *testing.T, portal string) *vendorSite {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /signup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = vendorPage.Execute(w, map[string]string{"Portal": portal})
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &vendorSite{URL: fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)}
}

// attributionEnv starts the portal (agreements off, so partner pages open at
// once) and points Acme's links northwind and globex at the vendor's page.
func attributionEnv(t *testing.T, model string) (*apptest.Env, *vendorSite) {
	t.Helper()
	env := apptest.NewEnv(t)
	site := newVendorSite(t, env.URL)
	sgExec(t, env, "UPDATE organizations SET agreements_enabled = false")
	sgExec(t, env, `UPDATE organizations SET allowed_origins = ARRAY[$1], link_destinations = ARRAY[$2],
		attribution_window_days = 90, attribution_model = $3 WHERE slug = 'acme'`, site.URL, site.URL+"/", model)
	sgExec(t, env, "UPDATE tracking_links SET destination = $1 WHERE code IN ('northwind', 'globex')", site.URL+"/signup")
	for _, code := range []string{"northwind", "globex"} {
		if err := env.Links.Invalidate(t.Context(), env.Redis, code); err != nil {
			t.Fatal(err)
		}
	}
	return env, site
}

// newVisitorBrowser is a browser that presents an ordinary Chrome User-Agent:
// the redirect does not count clicks from HeadlessChrome (a bot to it).
func newVisitorBrowser(t *testing.T, env *apptest.Env) *browser {
	t.Helper()
	b := newBrowser(t, env)
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: browserUA})
		return err
	}))
	return b
}

// follow opens a tracking link and waits for the vendor's page; it returns
// the click id the page's address carries.
func (b *browser) follow(site *vendorSite, code string) string {
	b.t.Helper()
	b.open("/r/" + code)
	b.do(chromedp.WaitVisible(chromedp.ID("signup")))
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(loc, site.URL+"/signup?") {
		b.t.Fatalf("/r/%s landed on %s", code, loc)
	}
	id := u.Query().Get(clicks.ClickParam)
	if len(id) != 22 {
		b.t.Fatalf("/r/%s: no click id in %s", code, loc)
	}
	return id
}

// storedClick is the click id the script keeps in the vendor's cookie.
func (b *browser) storedClick() string {
	b.t.Helper()
	id, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`PartnerPortal.clickId() || ""`))
	if err != nil {
		b.t.Fatal(err)
	}
	return id
}

// signUp fills the vendor's form, submits it and returns what the page shows.
func (b *browser) signUp(email, name, company string) (state, shown string) {
	b.t.Helper()
	b.do(chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("company"), company),
		chromedp.Click(chromedp.ID("create")), chromedp.WaitVisible(chromedp.CSS("#result[data-state]")))
	st, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("result").dataset.state`))
	if err != nil {
		b.t.Fatal(err)
	}
	return st, b.text("#result")
}

// A visitor follows Northwind's link to the vendor's site and signs up; the
// lead lands with Northwind, credited to that link, and Northwind's admin
// sees it in the portal.
func TestBrowserAttributionSignup(t *testing.T) {
	env, site := attributionEnv(t, "last_click")
	b := newVisitorBrowser(t, env)
	id := b.follow(site, "northwind")
	if got := b.storedClick(); got != id {
		t.Fatalf("pp_click cookie %q, want the click id %q", got, id)
	}
	cookie, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil || !strings.Contains(cookie, "pp_click="+id) {
		t.Fatalf("vendor cookies %q (%v)", cookie, err)
	}
	b.screenshot("attribution-vendor-landing")

	state, shown := b.signUp("Ada@Lovelace-Labs.test", "Ada Lovelace", "Lovelace Labs")
	b.screenshot("attribution-vendor-signed-up")
	if state != "ok" || !strings.Contains(shown, "Referred by Northwind Agency") {
		t.Fatalf("vendor page after sign-up: %s %q", state, shown)
	}
	link, partner := linkOf(t, env, "northwind")
	l := signupLead(t, env, "ada@lovelace-labs.test")
	if l.PartnerID != partner || l.LinkID != link || l.Source != "referral_link" || l.Status != "in_review" || l.Company != "Lovelace Labs" {
		t.Fatalf("stored lead %+v", l)
	}
	if !strings.Contains(shown, fmt.Sprintf("(lead %d)", l.ID)) {
		t.Fatalf("page shows %q, lead id %d", shown, l.ID)
	}

	// Submitting again does not make a second lead.
	b.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("signup")))
	state, shown = b.signUp("ada@lovelace-labs.test", "Ada", "")
	if state != "ok" || !strings.Contains(shown, "Welcome back") {
		t.Fatalf("second sign-up: %s %q", state, shown)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE lower(email) = 'ada@lovelace-labs.test'"); n != 1 {
		t.Fatalf("%d leads for one email", n)
	}

	// Northwind's admin sees the lead (in the portal, and over plain HTTP);
	// Globex's does not.
	b.signIn("admin@northwind.test")
	b.open("/leads")
	b.screenshot("attribution-northwind-leads")
	if got := b.text("main"); !strings.Contains(got, "Lovelace Labs") {
		t.Fatalf("Northwind's leads page does not list the sign-up:\n%s", got)
	}
	nw := env.Client(t)
	nw.SignIn("admin@northwind.test")
	if r := nw.Get("/leads"); r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("main").Text(), "Lovelace Labs") {
		t.Fatalf("Northwind's /leads (%d) does not list the sign-up", r.StatusCode)
	}
	gx := env.Client(t)
	gx.SignIn("admin@globex.test")
	if r := gx.Get("/leads"); r.StatusCode != http.StatusOK || strings.Contains(r.Body, "Lovelace Labs") {
		t.Fatalf("Globex's /leads (%d) shows Northwind's sign-up", r.StatusCode)
	}
}

// With two partner links followed, the model decides: first_click keeps the
// first partner's click in the cookie, last_click the latest.
func TestBrowserAttributionFirstVsLastClick(t *testing.T) {
	for _, tc := range []struct {
		model, want, email string
	}{
		{"first_click", "Northwind Agency", "first@click.test"},
		{"last_click", "Globex Partners", "last@click.test"},
	} {
		t.Run(tc.model, func(t *testing.T) {
			env, site := attributionEnv(t, tc.model)
			b := newVisitorBrowser(t, env)
			first := b.follow(site, "northwind")
			second := b.follow(site, "globex")
			wantClick := map[string]string{"first_click": first, "last_click": second}[tc.model]
			if got := b.storedClick(); got != wantClick {
				t.Fatalf("%s: cookie holds %q; first %q, second %q", tc.model, got, first, second)
			}
			state, shown := b.signUp(tc.email, "Pat Visitor", "Visitor Inc")
			b.screenshot("attribution-" + tc.model)
			if state != "ok" || !strings.Contains(shown, "Referred by "+tc.want) {
				t.Fatalf("%s: page shows %s %q, want %s", tc.model, state, shown, tc.want)
			}
			var partner string
			if err := env.Store.Pool.QueryRow(t.Context(), `SELECT p.name FROM leads l JOIN partners p ON p.id = l.partner_id
				JOIN tracking_links k ON k.id = l.tracking_link_id AND k.partner_id = l.partner_id
				WHERE l.email = $1`, tc.email).Scan(&partner); err != nil || partner != tc.want {
				t.Fatalf("%s: lead credited to %q (%v), want %s", tc.model, partner, err, tc.want)
			}
		})
	}
}

// A click older than the attribution window credits nobody: the portal
// refuses the sign-up and the vendor's page shows why.
func TestBrowserAttributionOutsideWindow(t *testing.T) {
	env, site := attributionEnv(t, "last_click")
	b := newVisitorBrowser(t, env)
	id := b.follow(site, "northwind")
	sgRollUp(t, env, id)
	sgExec(t, env, "UPDATE clicks SET clicked_at = $2::timestamptz - interval '100 days' WHERE click_id = $1", id, env.Clock.Now())
	if b.storedClick() != id {
		t.Fatal("the click is not in the vendor's cookie")
	}
	state, shown := b.signUp("late@visitor.test", "Late Visitor", "Late Inc")
	b.screenshot("attribution-outside-window")
	if state != "error" || !strings.Contains(shown, "outside the 90-day attribution window") {
		t.Fatalf("page after an old click: %s %q", state, shown)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE email = 'late@visitor.test'"); n != 0 {
		t.Fatal("an old click was credited")
	}
}
