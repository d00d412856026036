package app_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An admin removes a member the way a person does: Remove on the team page
// opens a confirmation; "Keep them" changes nothing; confirming removes the
// member and says so.
func TestBrowserTeamRemoveAsksFirst(t *testing.T) {
	env := noAgreementsEnv(t)
	user := strconv.FormatInt(manageUserID(t, env, "user@northwind.test"), 10)
	b := newBrowser(t, env)
	b.signIn("admin@northwind.test")
	b.open("/manage")
	b.screenshot("team")
	row := `#team tr[data-user-id="` + user + `"]`
	b.do(chromedp.Click(chromedp.CSS(row+` a[href$="/remove"]`)), chromedp.WaitVisible(chromedp.ID("remove-confirm")))
	b.screenshot("team-remove-confirm")
	b.do(chromedp.Click(chromedp.CSS(`#remove-confirm a[href="/manage"]`)), chromedp.WaitVisible(chromedp.ID("team")))
	if b.count(row) != 1 || queryInt(t, env, "SELECT count(*) FROM users WHERE email = 'user@northwind.test'") != 1 {
		t.Fatal("keeping the member removed them")
	}
	b.do(chromedp.Click(chromedp.CSS(row+` a[href$="/remove"]`)), chromedp.WaitVisible(chromedp.ID("remove-confirm")),
		chromedp.Click(chromedp.CSS(`#remove-confirm button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "was removed") || b.count(row) != 0 {
		t.Fatalf("after removal: flash %q, row still there: %v", got, b.count(row) != 0)
	}
	if queryInt(t, env, "SELECT count(*) FROM users WHERE email = 'user@northwind.test'") != 0 {
		t.Fatal("the member is still there")
	}
}
