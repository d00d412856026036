package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Staff mark a Northwind lead Won with 18,000.00 of revenue; within seconds
// the Northwind admin's Payments shows a pending 2,700.00 (15%, Premium)
// with its basis; after the hold (the clock moves, nobody sleeps) staff
// approve it; the partner sees it approved and the notification.
func TestBrowserCommissionJourney(t *testing.T) {
	env, clock := commissionEnv(t)
	lead := openNorthwindLead(t, env, "Browser Journey GmbH", "USD")

	partner := newBrowser(t, env)
	partner.signIn("admin@northwind.test")
	staff := newBrowser(t, env)
	staff.signIn("staff@acme.test")

	staff.open(fmt.Sprintf("/console/leads/%d", lead))
	staff.do(chromedp.Click(chromedp.CSS(`details.inline-form summary`)),
		chromedp.SendKeys(chromedp.ID(fmt.Sprintf("revenue-%d", lead)), "18,000.00"),
		chromedp.Click(chromedp.CSS(`form input[value="won"] ~ button[type=submit]`)))
	staff.screenshot("commission-won")

	// The partner's Payments page, reloaded until the worker has written it.
	deadline := time.Now().Add(15 * time.Second)
	for {
		partner.open("/payments")
		if partner.count(`#commission-table tbody tr`) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no commission on Payments 15 s after the lead was won")
		}
		time.Sleep(200 * time.Millisecond)
	}
	id := queryInt(t, env, "SELECT id FROM commissions WHERE lead_id = $1", lead)
	row := fmt.Sprintf("#commission-%d", id)
	partner.screenshot("commission-pending")
	if got := partner.text(row + " .commission-amount"); got != "$2,700.00" {
		t.Errorf("amount %q", got)
	}
	if got := partner.text(row + " .commission-basis"); !strings.Contains(got, "18,000.00 × 15%") {
		t.Errorf("basis %q", got)
	}
	if got := partner.text(row + " .commission-status"); got != "Pending" {
		t.Errorf("status %q", got)
	}
	if got := partner.text("#about-commissions"); !strings.Contains(got, "Premium") {
		t.Errorf("about panel %q", got)
	}
	// The status filter swaps the list in place (htmx) and pushes the URL.
	partner.do(chromedp.SetValue(chromedp.ID("commission-status"), "approved"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('commission-status').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.ID("commission-empty")))
	if p := partner.path(); !strings.Contains(p, "status=approved") {
		t.Errorf("filter not in the URL: %s", p)
	}

	// Inside the hold the console offers no approval for it.
	staff.open("/console/commissions")
	if n := staff.count(row + " .approve-one"); n != 0 {
		t.Fatal("approve offered inside the hold")
	}
	clock.Advance(31 * 24 * time.Hour)
	// A month on, the sessions have ended: both sign in again.
	staff.signIn("staff@acme.test")
	partner.signIn("admin@northwind.test")
	staff.open("/console/commissions")
	staff.do(chromedp.Click(chromedp.CSS(row+" .approve-one")), chromedp.WaitVisible(chromedp.CSS(row+`[data-status="approved"]`)))
	staff.screenshot("commission-approved-console")

	partner.open("/payments")
	if got := partner.text(row + " .commission-status"); got != "Approved" {
		t.Errorf("partner sees %q after approval", got)
	}
	if got := partner.text("#figure-approved"); !strings.Contains(got, "$2,700.00") {
		t.Errorf("approved figure %q", got)
	}
	partner.open("/notifications")
	if body := partner.text("main"); !strings.Contains(body, "approved: $2,700.00") {
		t.Errorf("notifications page: %q", body)
	}
	partner.screenshot("commission-notification")
}
