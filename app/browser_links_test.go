package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A partner admin opens the Tracking Links tab, copies the default link,
// creates a link (after a refused destination), follows it to the vendor's
// site and sees the click on the link's chart.
func TestBrowserLinksCopyCreateFollow(t *testing.T) {
	env := noAgreementsEnv(t)
	// The vendor's website, allowed as a destination besides acme.test.
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>Acme</title><h1 id="vendor-page">Acme Cloud sign-up</h1>`))
	}))
	t.Cleanup(site.Close)
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET link_destinations = $1 WHERE slug = 'acme'",
		[]string{"https://acme.test/", site.URL + "/"}); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env)
	// Headless Chromium says so in its User-Agent, and the redirect does not
	// count bots: this browser passes for an ordinary one.
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: browserUA})
		return err
	}))
	b.signIn("admin@northwind.test")
	b.open("/dashboard/links")
	b.do(chromedp.WaitVisible(chromedp.CSS(`tr.link-row[data-code="northwind"]`)))
	if got := b.text(`.tabs a[aria-current="page"]`); got != "Tracking Links" {
		t.Fatalf("current tab %q", got)
	}
	b.screenshot("links-tab")

	// Copy: the button says "Copied" and the clipboard holds the link.
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-read"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: env.URL,
	}); err != nil {
		t.Fatal(err)
	}
	copyBtn := `tr.link-row[data-code="northwind"] button[data-copy]`
	b.do(chromedp.Click(chromedp.CSS(copyBtn)))
	deadline := time.Now().Add(3 * time.Second)
	for b.text(copyBtn) != "Copied" {
		if time.Now().After(deadline) {
			t.Fatalf("the Copy button says %q", b.text(copyBtn))
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.screenshot("links-copied")
	clip, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("navigator.clipboard.readText()", chromedp.EvalAwaitPromise))
	if err != nil || clip != env.URL+"/r/northwind" {
		t.Fatalf("clipboard %q (%v)", clip, err)
	}

	// Create a link: a destination outside the allow-list is refused first.
	b.do(chromedp.Click(chromedp.ID("new-link")), chromedp.WaitVisible(chromedp.ID("link-form")))
	b.do(chromedp.SendKeys(chromedp.ID("name"), "Conference booth"),
		chromedp.Clear(chromedp.ID("destination")), chromedp.SendKeys(chromedp.ID("destination"), "https://evil.test/signup"),
		chromedp.Click(chromedp.CSS(`#link-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("destination-error")))
	if msg := b.text("#destination-error"); !strings.Contains(msg, site.URL+"/") {
		t.Fatalf("the error does not list the allowed destinations: %q", msg)
	}
	b.screenshot("link-new-error")
	b.do(chromedp.Clear(chromedp.ID("destination")), chromedp.SendKeys(chromedp.ID("destination"), site.URL+"/signup"),
		chromedp.Click(chromedp.CSS(`#link-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("link-name")))
	if got := b.text("#link-name"); got != "Conference booth" {
		t.Fatalf("detail heading %q", got)
	}
	linkPath := b.path()
	linkURL := b.text("#link-url")
	if !strings.HasPrefix(linkURL, env.URL+"/r/northwind-agency-") {
		t.Fatalf("link URL %q", linkURL)
	}

	// Follow it, as a visitor would.
	b.do(chromedp.Navigate(linkURL), chromedp.WaitVisible(chromedp.ID("vendor-page")))
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.HasPrefix(loc, site.URL+"/signup?pp_click=") {
		t.Fatalf("followed to %q (%v)", loc, err)
	}

	// The click shows on the link's page after the rollup.
	rollUp(t, env)
	b.open(linkPath)
	b.do(chromedp.WaitVisible(chromedp.CSS("#click-chart svg")))
	if got := b.text("#metric-clicks"); got != "1" {
		t.Fatalf("clicks %q", got)
	}
	if n := b.count("#click-chart .click-chart-bars rect"); n != 1 {
		t.Fatalf("%d bars", n)
	}
	b.screenshot("link-detail")

	// The period control swaps the figures in place.
	b.do(chromedp.SetValue(chromedp.ID("period"), "last_year"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("period").dispatchEvent(new Event("change", {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.ID("click-chart-empty")))
	if got := b.text("#metric-clicks"); got != "0" || !strings.Contains(b.path(), "period=last_year") {
		t.Fatalf("after choosing last year: clicks %q at %s", got, b.path())
	}

	// The Rewards tab.
	b.do(chromedp.Click(chromedp.CSS(`.tabs a[href="/dashboard/rewards"]`)), chromedp.WaitVisible(chromedp.ID("current-tier")))
	if got := b.text("#tier-name"); got != "Premium" {
		t.Fatalf("tier %q", got)
	}
	b.screenshot("rewards")
}

// Staff set up links: settings with a refused origin, an API key shown
// once, and a new partner company.
func TestBrowserConsoleLinkSettings(t *testing.T) {
	env := noAgreementsEnv(t)
	b := newBrowser(t, env)
	b.signIn("staff@acme.test")
	b.do(chromedp.Click(chromedp.CSS(`.mainnav a[href="/console/settings"]`)), chromedp.WaitVisible(chromedp.ID("settings-form")))
	b.do(chromedp.Clear(chromedp.ID("allowed_origins")), chromedp.SendKeys(chromedp.ID("allowed_origins"), "https://www.acme.test/signup"),
		chromedp.Click(chromedp.CSS(`#settings-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("allowed_origins-error")))
	b.screenshot("console-settings-error")
	b.do(chromedp.Clear(chromedp.ID("allowed_origins")), chromedp.SendKeys(chromedp.ID("allowed_origins"), "https://www.acme.test"),
		chromedp.Click(chromedp.CSS(`#settings-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("allowed_origins"))); err != nil || got != "https://www.acme.test" {
		t.Fatalf("saved origins %q (%v)", got, err)
	}
	b.screenshot("console-settings")

	b.do(chromedp.Click(chromedp.CSS(`.tabs a[href="/console/api-keys"]`)), chromedp.WaitVisible(chromedp.ID("new-api-key-form")),
		chromedp.SendKeys(chromedp.ID("name"), "Website backend"),
		chromedp.Click(chromedp.CSS(`#new-api-key-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("new-api-key-value")))
	key := b.text("#new-api-key-value")
	if !strings.HasPrefix(key, "pp_live_") {
		t.Fatalf("key %q", key)
	}
	b.screenshot("console-api-key-created")
	b.open("/console/api-keys")
	if b.count("#new-api-key-value") != 0 || !strings.HasPrefix(b.text(".key-prefix"), key[:12]) {
		t.Fatal("the key is shown again, or its prefix is missing")
	}

	b.open("/console/partners")
	b.do(chromedp.Click(chromedp.ID("add-partner")), chromedp.WaitVisible(chromedp.ID("partner-form")),
		chromedp.SendKeys(chromedp.ID("name"), "Wayne Enterprises"),
		chromedp.SendKeys(chromedp.ID("admin_name"), "Bruce Wayne"),
		chromedp.SendKeys(chromedp.ID("admin_email"), "bruce@wayne.test"),
		chromedp.Click(chromedp.CSS(`#partner-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "Wayne Enterprises was added") {
		t.Fatalf("flash %q", got)
	}
	b.screenshot("console-partner-added")
	env.Inbox.WaitFor(t, "bruce@wayne.test", "invitation")
}
