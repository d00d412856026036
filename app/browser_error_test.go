package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A server error during an htmx request shows a visible message instead of a
// click that silently does nothing, and leaves the page as it was.
func TestBrowserServerErrorIsVisible(t *testing.T) {
	env := noAgreementsEnv(t)
	b := newBrowser(t, env)
	b.signIn("admin@northwind.test")
	b.open("/dashboard")
	before := b.text("#period-label")
	if n := b.count("#server-error:not([hidden])"); n != 0 {
		t.Fatal("error banner visible before any error")
	}
	// The database goes away: the next request fails on the server.
	env.Store.Pool.Close()
	b.do(chromedp.SetValue(chromedp.ID("period"), "last_30_days"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('period').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.ID("server-error")))
	msg := b.text("#server-error")
	if !strings.Contains(msg, "Something went wrong") {
		t.Fatalf("banner says %q", msg)
	}
	if got := b.text("#period-label"); got != before {
		t.Fatalf("the page changed under an error: %q → %q", before, got)
	}
	b.screenshot("server-error-banner")
}
