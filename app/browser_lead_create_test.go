package app_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// A partner opens "Create Lead" from the account menu, gets an error for a
// bad email with everything typed kept, fixes it and lands on the new lead.
func TestBrowserLeadCreate(t *testing.T) {
	env := noAgreementsEnv(t)
	b := newBrowser(t, env)
	b.signIn("user@northwind.test")

	b.do(chromedp.Click(chromedp.CSS("#user-menu summary")),
		chromedp.Click(chromedp.CSS(`#user-menu a[href="/leads/new"]`)),
		chromedp.WaitVisible(chromedp.ID("lead-form")))
	if p := b.path(); p != "/leads/new" {
		t.Fatalf("Create Lead opened %s", p)
	}
	b.do(
		chromedp.SendKeys(chromedp.ID("company"), "Stark Industries"),
		chromedp.SendKeys(chromedp.ID("domain"), "https://www.stark-industries.test"),
		chromedp.SendKeys(chromedp.ID("contact_name"), "Pepper Potts"),
		chromedp.SendKeys(chromedp.ID("email"), "pepper@stark"),
		chromedp.SendKeys(chromedp.ID("deal_value"), "48,000"),
		chromedp.SendKeys(chromedp.ID("notes"), "Wants a pilot in Q3."),
	)
	b.screenshot("lead-new-filled")
	b.do(chromedp.Click(chromedp.CSS(`#lead-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("email-error")))
	b.screenshot("lead-new-error")
	if got := b.text("#email-error"); got == "" {
		t.Fatal("no message beside the email")
	}
	if b.count(".field-error") != 1 {
		t.Fatalf("%d field errors, want only the email's", b.count(".field-error"))
	}
	for id, want := range map[string]string{"company": "Stark Industries", "contact_name": "Pepper Potts", "email": "pepper@stark", "deal_value": "48,000"} {
		got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID(id)))
		if err != nil || got != want {
			t.Fatalf("%s after the error: %q (%v), want %q", id, got, err, want)
		}
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE company = 'Stark Industries'"); n != 0 {
		t.Fatal("the invalid lead was saved")
	}

	b.do(chromedp.Clear(chromedp.ID("email")), chromedp.SendKeys(chromedp.ID("email"), "pepper@stark-industries.test"),
		chromedp.Click(chromedp.CSS(`#lead-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("lead-company")))
	if p := b.path(); !strings.HasPrefix(p, "/leads/") || strings.HasSuffix(p, "/new") {
		t.Fatalf("after saving the browser is at %s", p)
	}
	if got := b.text("#lead-company"); got != "Stark Industries" {
		t.Fatalf("detail heading %q", got)
	}
	if !strings.Contains(b.text(".flash"), "Lead registered") || !strings.Contains(b.text("#lead-facts"), "pepper@stark-industries.test") ||
		!strings.Contains(b.text("#lead-deal"), "$48,000.00") || !strings.Contains(b.text("#lead-history"), "Registered the lead") {
		t.Fatal("the detail page does not show the new lead")
	}
	b.screenshot("lead-detail")
}

// Accept and decline referrals in the browser: htmx swaps the row and the
// figures without a reload; a decline without a reason shows the message in
// the row.
func TestBrowserReferralDecide(t *testing.T) {
	env := noAgreementsEnv(t)
	a := refInsert(t, env, "Northwind Agency", "Aperture Science", "in_review", "")
	bm := refInsert(t, env, "Northwind Agency", "Black Mesa", "in_review", "")
	refInsert(t, env, "Northwind Agency", "Cyberdyne", "rejected", "Outside our region.")
	b := newBrowser(t, env)
	b.signIn("admin@northwind.test")
	b.open("/leads/referrals")
	b.do(chromedp.WaitVisible(chromedp.ID("referral-table")))
	b.screenshot("referrals")
	if got := b.text("#metric-rate"); got != "0%" {
		t.Fatalf("rate %q, want 0%%", got)
	}
	// Mark the page: a full reload would lose the mark.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.dataset.mark = "kept"`)); err != nil {
		t.Fatal(err)
	}

	rowA, rowB := "#referral-"+strconv.FormatInt(a, 10), "#referral-"+strconv.FormatInt(bm, 10)
	// Each swapped row gets its htmx behaviour when it settles: a click
	// before that would submit the form without htmx (a page load), so each
	// step waits for htmx to be idle.
	b.waitFor("the referral list", `!!document.querySelector('#referral-table')`)
	b.do(chromedp.Click(chromedp.CSS(rowA+" button.accept")),
		chromedp.WaitVisible(chromedp.CSS(rowA+" .status-approved")))
	b.waitFor("the accepted row", `!!document.querySelector('`+rowA+` .status-approved')`)
	if got := b.text("#metric-rate"); got != "50%" {
		t.Fatalf("rate after accept %q, want 50%%", got)
	}
	b.do(chromedp.Click(chromedp.CSS(rowB+" details.decline summary")),
		chromedp.Click(chromedp.CSS(rowB+" details.decline button")),
		chromedp.WaitVisible(chromedp.CSS(rowB+" .field-error")))
	b.waitFor("the decline error", `!!document.querySelector('`+rowB+` .field-error')`)
	b.screenshot("referrals-decline-error")
	b.do(chromedp.SendKeys(chromedp.CSS(rowB+" input[name=reason]"), "We don't cover that region."),
		chromedp.Click(chromedp.CSS(rowB+" details.decline button")),
		chromedp.WaitVisible(chromedp.CSS(rowB+" .status-rejected")))
	if got := b.text("#metric-rate"); got != "33%" {
		t.Fatalf("rate after decline %q, want 33%%", got)
	}
	mark, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.dataset.mark || ""`))
	if err != nil || mark != "kept" {
		t.Fatalf("the page reloaded instead of swapping rows (%q, %v)", mark, err)
	}
	if got := lwStr(t, env, "SELECT status || '|' || rejection_reason FROM leads WHERE id = $1", bm); got != "rejected|We don't cover that region." {
		t.Fatalf("saved %q", got)
	}
	b.screenshot("referrals-after")
}

// Deleting a lead from the list asks first: dismissing the question keeps
// the lead, accepting it deletes the lead and says so.
func TestBrowserLeadDeleteAsksFirst(t *testing.T) {
	env := noAgreementsEnv(t)
	id := listInsertLead(t, env, testLead{Partner: "Northwind Agency", Company: "Wayne <Enterprises>",
		CreatedBy: "user@northwind.test"})
	b := newBrowser(t, env)
	b.signIn("user@northwind.test")

	accept := make(chan bool, 1)
	messages := make(chan string, 2)
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			messages <- ev.Message
			ok := <-accept
			go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: ok}) //nolint:errcheck
		}
	}()
	row := "#lead-" + strconv.FormatInt(id, 10)
	button := chromedp.CSS(row + " .delete-lead button")

	b.open("/leads")
	accept <- false
	b.do(chromedp.Click(button))
	if msg := <-messages; msg != "Delete the lead for Wayne <Enterprises>? This cannot be undone." {
		t.Fatalf("the question reads %q", msg)
	}
	b.waitFor("the list after saying no", `document.querySelector('`+row+`') !== null`)
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE id = "+strconv.FormatInt(id, 10)); n != 1 {
		t.Fatal("the lead is gone although the question was dismissed")
	}

	accept <- true
	b.do(chromedp.Click(button), chromedp.WaitVisible(chromedp.CSS(".flash")))
	<-messages
	if b.count(row) != 0 {
		t.Fatalf("the row is still listed at %s", b.path())
	}
	if got := b.text(".flash"); !strings.Contains(got, "The lead Wayne <Enterprises> was deleted.") {
		t.Errorf("after deleting the page says %q", got)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE id = "+strconv.FormatInt(id, 10)); n != 0 {
		t.Fatal("the lead was not deleted")
	}
	b.screenshot("lead-deleted")
}
