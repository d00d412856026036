package app_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Staff approve a lead from the queue with the keyboard and edit another one
// in place, without the page reloading; then the partner User who registered
// the lead signs in and finds the notification.
func TestBrowserReviewApproveNotifiesPartner(t *testing.T) {
	env := noAgreementsEnv(t)
	id := rvLead(t, env, "in_review", "new", "user@northwind.test")
	company := rvStr(t, env, "SELECT company FROM leads WHERE id = $1", id)
	row := fmt.Sprintf("#lead-%d", id)

	b := newBrowser(t, env)
	b.signIn("staff@acme.test")
	b.do(chromedp.Click(chromedp.CSS(`nav .mainnav a[href="/console/leads"]`)), chromedp.WaitVisible(chromedp.CSS(row)))
	b.waitFor("the review queue", "true")
	before, _ := strconv.Atoi(b.text(`#review-counters a[data-status="in_review"] .count`))
	b.screenshot("review-queue")
	// A marker on the window survives only if the page is never reloaded.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("window.__reviewMarker = 7")); err != nil {
		t.Fatal(err)
	}

	// Approve with the keyboard: focus the button, press Enter.
	b.do(chromedp.Focus(chromedp.CSS(row+" button.approve")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="approved"]`)))
	if got := b.text(row + " .status"); got != "Approved" {
		t.Fatalf("row status after approving: %q", got)
	}
	if after := b.text(`#review-counters a[data-status="in_review"] .count`); after != strconv.Itoa(before-1) {
		t.Errorf("in-review counter %d → %s, want one less", before, after)
	}
	b.screenshot("review-approved")

	// Edit the next lead in its row: invalid first (422 keeps the row open
	// with the message), then a valid change.
	other := rvLead(t, env, "in_review", "new", "admin@northwind.test")
	b.open("/console/leads")
	b.waitFor("the review queue", "true")
	orow := fmt.Sprintf("#lead-%d", other)
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("window.__reviewMarker = 7")); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Click(chromedp.CSS(orow+` a[href*="/edit"]`)), chromedp.WaitVisible(chromedp.CSS(orow+".editing input[name=company]")))
	// Swapped-in content gets its htmx behaviour when it settles: a submit
	// before that would be a plain form post and reload the page.
	b.waitFor("the edit form", "true")
	b.do(chromedp.SetValue(chromedp.CSS(orow+" input[name=deal_value]"), "12.345"),
		chromedp.Click(chromedp.CSS(orow+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#deal-%d-error", other))))
	b.waitFor("the edit form with its error", "true")
	b.screenshot("review-edit-error")
	b.do(chromedp.SetValue(chromedp.CSS(orow+" input[name=deal_value]"), "7,500"),
		chromedp.SetValue(chromedp.CSS(orow+" input[name=company]"), "Edited In Place Ltd"),
		chromedp.Click(chromedp.CSS(orow+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(orow+":not(.editing) .lead-company")))
	b.waitFor("the saved row", "true")
	if got := b.text(orow + " .lead-company"); got != "Edited In Place Ltd" {
		t.Errorf("row after saving shows %q", got)
	}
	if v := rvStr(t, env, "SELECT company || ':' || deal_value_minor FROM leads WHERE id = $1", other); v != "Edited In Place Ltd:750000" {
		t.Errorf("saved %s", v)
	}
	marker, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("window.__reviewMarker || 0"))
	if err != nil || marker != 7 {
		t.Fatalf("the page reloaded during the inline actions (marker %d, %v)", marker, err)
	}
	if p := b.path(); p != "/console/leads" {
		t.Errorf("the address changed to %s", p)
	}

	// Reject the edited lead with a reason, from the keyboard: the summary
	// opens the small form, Enter in the field would be a new line, so the
	// button is pressed.
	b.do(chromedp.Focus(chromedp.CSS(orow+" details.inline-form summary")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(orow+" textarea[name=reason]")),
		chromedp.SendKeys(chromedp.CSS(orow+" textarea[name=reason]"), "We already sell to them directly."))
	b.screenshot("review-reject-form")
	b.do(chromedp.Focus(chromedp.CSS(orow+" details[open] button[type=submit]")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(orow+`[data-status="rejected"]`)))
	if s := rvStr(t, env, "SELECT status || ':' || rejection_reason FROM leads WHERE id = $1", other); s != "rejected:We already sell to them directly." {
		t.Errorf("after rejecting: %s", s)
	}

	// The lead page: details, history and a possible duplicate side by side.
	rvExec(t, env, "UPDATE leads SET duplicate_of_lead_id = $2, duplicate_reason = 'Possible duplicate: another partner registered the same company domain.' WHERE id = $1", other, id)
	b.do(chromedp.Click(chromedp.CSS(orow+" a.lead-company")), chromedp.WaitVisible(chromedp.ID("duplicate-compare")))
	if h := b.text("#lead-history"); !strings.Contains(h, "Edited") || !strings.Contains(h, "Rejected") {
		t.Errorf("history on the lead page: %q", h)
	}
	b.screenshot("review-lead-page")
	b.open("/console/leads/new")
	b.screenshot("review-referral-new")

	// The partner User who registered the approved lead.
	pb := newBrowser(t, env)
	pb.signIn("user@northwind.test")
	if got := pb.text("#unread-count"); got != "1" {
		t.Fatalf("unread badge %q, want 1", got)
	}
	pb.do(chromedp.Click(chromedp.CSS(`a[href="/notifications"]`)), chromedp.WaitVisible(chromedp.CSS(".notifications li")))
	item := pb.text(".notifications li.unread")
	if !strings.Contains(item, "approved your lead "+company) {
		t.Fatalf("notification %q", item)
	}
	if href, err := chromedp.Run(pb.ctx, chromedp.Evaluate[string](`document.querySelector(".notifications li.unread a").getAttribute("href")`)); err != nil || href != fmt.Sprintf("/leads/%d", id) {
		t.Errorf("notification links to %q (%v)", href, err)
	}
	pb.screenshot("review-partner-notification")
	env.Inbox.WaitFor(t, "user@northwind.test", "approved your lead "+company)
}
