package app_test

// Accessibility and phone layout, in the browser: axe-core (vendored in
// app/testdata, injected by the test, never served) on every GET page of the
// route table for each role at desktop and phone width; at phone width no
// page scrolls sideways and every navigation entry can be reached.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"partnerportal/app"
	"partnerportal/app/apptest"
	"partnerportal/app/seed"
)

const (
	desktopWidth = 1280
	phoneWidth   = 390
)

// axeTags are the rules run: WCAG 2.0, 2.1 and 2.2, levels A and AA
// (target-size is a 2.2 AA rule), plus label-in-name (2.5.3), which axe
// marks experimental and runs only when asked.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
	Count            int
}

// a11yRun checks pages in one browser tab and collects what axe found.
type a11yRun struct {
	b        *browser
	axe      string
	failures []string       // critical and serious, per page
	moderate map[string]int // rule → pages where it was reported
	checks   int
}

func newA11yRun(t *testing.T, b *browser) *a11yRun {
	src, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	return &a11yRun{b: b, axe: string(src), moderate: map[string]int{}}
}

func (r *a11yRun) viewport(width int64) {
	r.b.do(chromedp.EmulateViewport(width, 844))
}

// runAxe injects axe-core into the current page (once per document) and
// runs it; critical and serious violations fail the test at the end,
// moderate and minor ones are listed.
func (r *a11yRun) runAxe(label string) {
	b := r.b
	b.t.Helper()
	loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("!!window.axe"))
	if err == nil && !loaded {
		_, err = chromedp.Run(b.ctx, chromedp.Evaluate[bool]("(function(){"+r.axe+"\n;return true})()"))
	}
	if err != nil {
		b.t.Fatalf("%s: injecting axe: %v", label, err)
	}
	tags, _ := json.Marshal(axeTags)
	js := `axe.run(document, {runOnly: {type: 'tag', values: ` + string(tags) + `}, resultTypes: ['violations'],
	    rules: {'label-content-name-mismatch': {enabled: true}}})
	  .then(res => JSON.stringify(res.violations.map(v => ({ID: v.id, Impact: v.impact || '', Help: v.help,
	    Count: v.nodes.length, Nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\n').slice(1, 2).join(''))}))))`
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: axe.run: %v", label, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		b.t.Fatalf("%s: axe result: %v", label, err)
	}
	r.checks++
	for _, v := range vs {
		switch v.Impact {
		case "critical", "serious":
			r.failures = append(r.failures, fmt.Sprintf("%s: [%s] %s (%s, %d nodes): %s", label, v.Impact, v.ID, v.Help, v.Count, strings.Join(v.Nodes, " | ")))
		default:
			r.moderate[v.Impact+" "+v.ID+" ("+v.Help+")"]++
			b.t.Logf("%s: [%s] %s: %s", label, v.Impact, v.ID, strings.Join(v.Nodes, " | "))
		}
	}
}

// phoneLayout asserts, at phone width, that the page does not scroll
// sideways and that every entry of the top navigation lies inside the
// screen once the menu (and the account menu in it) is open.
func (r *a11yRun) phoneLayout(label string) {
	b := r.b
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
	  const res = {over: document.documentElement.scrollWidth - window.innerWidth, bad: [], entries: 0};
	  const menu = document.getElementById('nav-menu'), user = document.getElementById('user-menu');
	  if (menu) {
	    menu.open = true; if (user) { user.open = true; }
	    for (const el of document.querySelectorAll('header.topbar nav a[href], header.topbar nav button')) {
	      const b = el.getBoundingClientRect();
	      res.entries++;
	      if (!(b.width > 0 && b.height >= 24 && b.left >= 0 && b.right <= window.innerWidth + 0.5)) {
	        res.bad.push(el.textContent.trim() + ' ' + JSON.stringify([b.left, b.right, b.height]));
	      }
	    }
	    res.over = Math.max(res.over, document.documentElement.scrollWidth - window.innerWidth);
	    menu.open = false; if (user) { user.open = false; }
	  }
	  return JSON.stringify(res);
	})()`))
	if err != nil {
		b.t.Fatalf("%s: %v", label, err)
	}
	var res struct {
		Over    float64
		Bad     []string
		Entries int
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		b.t.Fatal(err)
	}
	if res.Over > 0 {
		b.t.Errorf("%s: the page scrolls sideways by %.0f px at %d px", label, res.Over, phoneWidth)
	}
	if len(res.Bad) > 0 {
		b.t.Errorf("%s: navigation entries off-screen or too small at %d px: %v", label, phoneWidth, res.Bad)
	}
}

// page checks one address at both widths (one load: the viewport changes
// under the page, as when a phone turns).
func (r *a11yRun) page(label, path string) {
	b := r.b
	b.t.Helper()
	t0 := time.Now()
	r.viewport(desktopWidth)
	b.open(path)
	b.waitFor("the page to load", "true")
	defer func() { b.t.Logf("%s: %s", label, time.Since(t0).Round(time.Millisecond)) }()
	r.runAxe(label + " @" + fmt.Sprint(desktopWidth))
	b.screenshot("a11y-" + shotName(label) + "-desktop")
	r.viewport(phoneWidth)
	b.waitFor("the phone layout", "window.innerWidth === "+fmt.Sprint(phoneWidth))
	r.runAxe(label + " @" + fmt.Sprint(phoneWidth))
	r.phoneLayout(label)
	b.screenshot("a11y-" + shotName(label) + "-phone")
}

var shotUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

func shotName(s string) string {
	return strings.Trim(shotUnsafe.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// notPages are GET routes that answer something other than an HTML page.
var notPages = map[string]bool{
	"/metrics": true, "/healthz": true, "/readyz": true, "/": true, // text or a redirect
	"/leads/export.csv":                true, // a CSV download
	"/console/commissions/export.csv":  true, // a CSV download
	"/console/leads/:id<int>/row":      true, // an htmx row; without htmx a redirect to the lead page
	"/partners/:org/sitemap.xml":       true, // XML
	"/partners/:org/:partner/logo.png": true, // an image
	"/manage/spotlight/logo.png":       true, // an image
	// Partner Room: files, preview images, the CSV and the polling preview fragment.
	"/partner-room/:id<int>/preview":                               true,
	"/partner-room/:id<int>/versions/:vid<int>/file":               true,
	"/partner-room/:id<int>/versions/:vid<int>/pages/:n<int>":      true,
	"/console/resources/:id<int>/preview":                          true,
	"/console/resources/:id<int>/stats.csv":                        true,
	"/console/resources/:id<int>/versions/:vid<int>/file":          true,
	"/console/resources/:id<int>/versions/:vid<int>/pages/:n<int>": true,
	// Training: redirects, files, JSON.
	"/training/courses/:id<int>/resume":                          true,
	"/training/courses/:id<int>/cover":                           true,
	"/training/courses/:id<int>/lessons/:lesson<int>/video":      true,
	"/training/courses/:id<int>/lessons/:lesson<int>/attachment": true,
	"/training/certificates/:cert.pdf":                           true,
	"/training/accreditations/:id<int>/badge":                    true,
	"/console/training/reports.csv":                              true,
	"/verify/:id.json":                                           true,
	"/.well-known/jwks.json":                                     true,
	"/.well-known/did.json":                                      true,
	"/payments/invoices/:id<int>/pdf":                            true, // a PDF download
	"/console/invoices/:id<int>/pdf":                             true, // a PDF download
	"/console/payouts/:id<int>/payouts.csv":                      true, // a CSV download
	"/console/payouts/:id<int>/sepa.xml":                         true, // a SEPA XML download
}

// rolePages lists the GET pages of the route table a role may open, with
// their parameters filled in by params (pattern, address) (a route with a parameter that has no
// sample fails the test: add one when adding a page).
func rolePages(t *testing.T, allowed func(app.Access) bool, params map[string]string) [][2]string {
	t.Helper()
	var out [][2]string
	for _, r := range app.RouteEntries() {
		if r.Method != "GET" || notPages[r.Path] || !allowed(r.Access) {
			continue
		}
		path := r.Path
		if strings.Contains(path, ":") {
			p, ok := params[path]
			if !ok {
				t.Errorf("no sample address for %s: add one to the accessibility test", path)
				continue
			}
			path = p
		}
		out = append(out, [2]string{r.Path, path}) // the pattern names the page (no token in a log)
	}
	return out
}

func TestBrowserAccessibilityEveryPage(t *testing.T) {
	start := time.Now()
	env := apptest.NewEnv(t) // agreements on: the signing page is checked too
	b := newBrowserWithin(t, env, 5*time.Minute)
	run := newA11yRun(t, b)

	link := b.requestLink("user@northwind.test")
	run.viewport(desktopWidth)

	// A partner User signs the agreement first (the signing page is checked).
	b.open(link)
	b.do(chromedp.Click(chromedp.ID("confirm-sign-in")), chromedp.WaitVisible(chromedp.CSS("header.topbar")))
	run.page("user /agreements/sign", "/agreements/sign")
	run.viewport(desktopWidth)
	b.open("/agreements/sign")
	b.do(chromedp.Click(chromedp.ID("kind-typed")), chromedp.SendKeys(chromedp.ID("signer_name"), "Umar User"),
		chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.CSS(`#sign-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".tabs")))

	lead := rvLead(t, env, "in_review", "new", "user@northwind.test")
	if err := seed.Resources(t.Context(), env.Store, env.Files, env.Log, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	overview := queryInt(t, env, `SELECT r.id FROM resources r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = 'acme' AND r.title = 'Product overview'`)
	invoiceID, _, batchID := invoiceSamples(t, env, true)
	params := map[string]string{
		"/partner-room/:id<int>":                                  fmt.Sprintf("/partner-room/%d", overview),
		"/console/resources/:id<int>":                             fmt.Sprintf("/console/resources/%d", overview),
		"/console/resources/:id<int>/stats":                       fmt.Sprintf("/console/resources/%d/stats", overview),
		"/leads/:id<int>":                                         fmt.Sprintf("/leads/%d", lead),
		"/leads/:id<int>/edit":                                    fmt.Sprintf("/leads/%d/edit", lead),
		"/leads/:id<int>/delete":                                  fmt.Sprintf("/leads/%d/delete", lead),
		"/console/leads/:id<int>":                                 fmt.Sprintf("/console/leads/%d", lead),
		"/console/leads/:id<int>/edit":                            fmt.Sprintf("/console/leads/%d/edit", lead),
		"/dashboard/links/:id<int>":                               fmt.Sprintf("/dashboard/links/%d", queryInt(t, env, `SELECT t.id FROM tracking_links t JOIN partners p ON p.id = t.partner_id WHERE p.name = 'Northwind Agency' ORDER BY t.id LIMIT 1`)),
		"/dashboard/links/:id<int>/edit":                          fmt.Sprintf("/dashboard/links/%d/edit", queryInt(t, env, `SELECT t.id FROM tracking_links t JOIN partners p ON p.id = t.partner_id WHERE p.name = 'Northwind Agency' ORDER BY t.id LIMIT 1`)),
		"/account/agreements/:id":                                 fmt.Sprintf("/account/agreements/%d", queryInt(t, env, `SELECT s.id FROM agreement_signatures s JOIN users u ON u.id = s.user_id WHERE u.email = 'user@northwind.test' LIMIT 1`)),
		"/console/signatures/:id":                                 fmt.Sprintf("/console/signatures/%d", queryInt(t, env, `SELECT s.id FROM agreement_signatures s JOIN users u ON u.id = s.user_id WHERE u.email = 'user@northwind.test' LIMIT 1`)),
		"/console/agreements/:id":                                 fmt.Sprintf("/console/agreements/%d", queryInt(t, env, `SELECT a.id FROM agreements a JOIN organizations o ON o.id = a.organization_id WHERE o.name = 'Acme Cloud' ORDER BY a.id LIMIT 1`)),
		"/manage/users/:id/edit":                                  fmt.Sprintf("/manage/users/%d/edit", queryInt(t, env, `SELECT id FROM users WHERE email = 'user@northwind.test'`)),
		"/manage/users/:id/remove":                                fmt.Sprintf("/manage/users/%d/remove", queryInt(t, env, `SELECT id FROM users WHERE email = 'user@northwind.test'`)),
		"/console/partners/:id<int>":                              fmt.Sprintf("/console/partners/%d", queryInt(t, env, `SELECT id FROM partners WHERE name = 'Northwind Agency'`)),
		"/console/commissions/:id<int>/void":                      fmt.Sprintf("/console/commissions/%d/void", queryInt(t, env, `SELECT c.id FROM commissions c JOIN partners p ON p.id = c.partner_id WHERE p.name = 'Northwind Agency' AND c.status = 'pending' ORDER BY c.id LIMIT 1`)),
		"/training/courses/:id<int>":                              fmt.Sprintf("/training/courses/%d", queryInt(t, env, `SELECT id FROM courses WHERE title = 'Acme Cloud Fundamentals'`)),
		"/training/courses/:id<int>/quiz":                         fmt.Sprintf("/training/courses/%d/quiz", queryInt(t, env, `SELECT id FROM courses WHERE title = 'Acme Cloud Fundamentals'`)),
		"/training/courses/:id<int>/lessons/:lesson<int>":         queryText(t, env, `SELECT '/training/courses/' || course_id || '/lessons/' || id FROM lessons WHERE title = 'Pricing in five minutes'`),
		"/console/training/courses/:id<int>":                      fmt.Sprintf("/console/training/courses/%d", queryInt(t, env, `SELECT id FROM courses WHERE title = 'Acme Cloud Fundamentals'`)),
		"/console/training/courses/:id<int>/lessons/:lesson<int>": queryText(t, env, `SELECT '/console/training/courses/' || course_id || '/lessons/' || id FROM lessons WHERE title = 'Pricing in five minutes'`),
		"/console/training/accreditations/:id<int>":               fmt.Sprintf("/console/training/accreditations/%d", queryInt(t, env, `SELECT id FROM accreditations WHERE name = 'Acme Certified Partner'`)),
		"/payments/invoices/:id<int>":                             fmt.Sprintf("/payments/invoices/%d", invoiceID),
		"/console/invoices/:id<int>":                              fmt.Sprintf("/console/invoices/%d", invoiceID),
		"/console/invoices/:id<int>/void":                         fmt.Sprintf("/console/invoices/%d/void", invoiceID),
		"/console/payouts/:id<int>":                               fmt.Sprintf("/console/payouts/%d", batchID),
	}
	partner := func(a app.Access) bool { return a == app.SignedIn || a == app.Partner }
	for _, p := range rolePages(t, partner, params) {
		run.page("user "+p[0], p[1])
	}
	b.signOutOnPhone()

	b.signIn("admin@northwind.test")
	for _, p := range rolePages(t, func(a app.Access) bool { return partner(a) || a == app.PartnerAdmin }, params) {
		run.page("admin "+p[0], p[1])
	}
	b.signOutOnPhone()

	b.signIn("staff@acme.test")
	for _, p := range rolePages(t, func(a app.Access) bool { return a == app.SignedIn || a == app.Staff }, params) {
		run.page("staff "+p[0], p[1])
	}
	b.signOutOnPhone()

	// Signed out, with real links from the mail: sign-in, an invitation, and
	// the confirm and report links of an email change.
	admin := signedIn(t, env, "admin@northwind.test")
	admin.Post("/manage/invite", url.Values{"name": {"Ines Invitee"}, "email": {"ines@invitee.test"}, "role": {app.RolePartnerUser}})
	invite := mailedLink(t, env, "ines@invitee.test", `/invite/[A-Za-z0-9_-]+`)
	user := signedIn(t, env, "user@northwind.test")
	user.Post("/account", url.Values{"name": {"Umar User"}, "email": {"umar@new-address.test"}, "time_zone": {""}})
	confirm := mailedLink(t, env, "umar@new-address.test", `/account/email/confirm/[A-Za-z0-9_-]+`)
	report := mailedLink(t, env, "user@northwind.test", `/account/email/report/[A-Za-z0-9_-]+`)
	run.viewport(desktopWidth)
	for _, p := range rolePages(t, func(a app.Access) bool { return a == app.Public }, map[string]string{
		"/login/:token": b.requestLink("admin@globex.test"), "/invite/:token": invite,
		"/account/email/confirm/:token": confirm, "/account/email/report/:token": report,
		"/partners/:org": "/partners/acme", "/partners/:org/:partner": "/partners/acme/northwind-agency",
		"/partners/:org/:partner/contact": "/partners/acme/northwind-agency/contact",
		"/verify/:id":                     "/verify/" + queryText(t, env, `SELECT public_id FROM certificates ORDER BY id LIMIT 1`),
	}) {
		run.page("signed out "+p[0], p[1])
	}

	var mods []string
	for k, n := range run.moderate {
		mods = append(mods, fmt.Sprintf("%s on %d checks", k, n))
	}
	sort.Strings(mods)
	t.Logf("axe-core: %d page checks in %s; moderate or minor: %v", run.checks, time.Since(start).Round(time.Millisecond), mods)
	for _, f := range run.failures {
		t.Error(f)
	}
}

// signOutOnPhone signs out the way a phone user does: Menu, the account
// menu, Sign Out, all by clicks at 390 px.
func (b *browser) signOutOnPhone() {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(phoneWidth, 844))
	b.waitFor("the phone layout", "window.innerWidth === "+fmt.Sprint(phoneWidth))
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-menu > summary")), chromedp.WaitVisible(chromedp.CSS("#user-menu > summary")),
		chromedp.Click(chromedp.CSS("#user-menu > summary")), chromedp.WaitVisible(chromedp.CSS("#user-menu button[type=submit]"))); err != nil {
		b.t.Fatalf("opening the menu at %d px on %s: %v", phoneWidth, b.path(), err)
	}
	b.screenshot("a11y-phone-menu-open")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#user-menu button[type=submit]")), chromedp.WaitVisible(chromedp.ID("email"))); err != nil {
		b.screenshot("a11y-signout-failed")
		b.t.Fatalf("signing out at %d px from %s: %v", phoneWidth, b.path(), err)
	}
	b.do(chromedp.EmulateViewport(desktopWidth, 900))
}

// mailedLink waits for a message to the address holding a link whose path
// matches pattern, and returns that path.
func mailedLink(t *testing.T, env *apptest.Env, to, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(10 * time.Second) // a timeout, not a date
	for {
		for _, m := range env.Inbox.All(to) {
			if l := re.FindString(m.Body); l != "" {
				waitSettled(t, env) // the token is stored when the sending task commits
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s with a link like %s", to, pattern)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
