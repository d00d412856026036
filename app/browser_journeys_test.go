package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"partnerportal/app/apptest"
)

// drawSignature drags the mouse across the signature pad like a person.
func (b *browser) drawSignature() {
	b.t.Helper()
	box, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](
		`(() => { const r = document.querySelector('#signature-pad').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	if err != nil {
		b.t.Fatal(err)
	}
	x, y, w, h := box[0], box[1], box[2], box[3]
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x+w*0.1, y+h*0.6, chromedp.ButtonLeft)}
	for i := 1; i <= 20; i++ {
		f := float64(i) / 20
		yy := y + h*0.6 - h*0.3*f*(1-f)*4
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x+w*(0.1+0.8*f), yy, chromedp.ButtonLeft))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x+w*0.9, y+h*0.6, chromedp.ButtonLeft))
	b.do(steps...)
}

func TestBrowserPartnerJourney(t *testing.T) {
	env := apptest.NewEnv(t)
	b := newBrowser(t, env)

	// A partner User signs in and must sign the agreement first.
	b.signIn("user@northwind.test")
	if p := b.path(); p != "/agreements/sign" {
		t.Fatalf("after sign-in the user is at %s, want the signing page", p)
	}
	if !strings.Contains(b.text(".agreement-text"), "PARTNER PROGRAM AGREEMENT") {
		t.Fatal("the agreement text is not shown")
	}
	b.screenshot("agreement-sign")
	// Submitting without a name or consent keeps the user on the page with errors.
	b.do(chromedp.Click(chromedp.CSS(`#sign-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".field-error")))
	if b.count(".field-error") < 2 {
		t.Fatalf("expected errors for name and consent, got %d", b.count(".field-error"))
	}
	b.drawSignature()
	b.do(
		chromedp.SendKeys(chromedp.ID("signer_name"), "Umar User"),
		chromedp.Click(chromedp.ID("consent")),
		chromedp.Click(chromedp.CSS(`#sign-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".tabs")),
	)
	if p := b.path(); p != "/dashboard" {
		t.Fatalf("after signing the user is at %s", p)
	}
	var kind, image string
	if err := env.Store.Pool.QueryRow(t.Context(),
		"SELECT signature_kind, signature_image FROM agreement_signatures s JOIN users u ON u.id = s.user_id WHERE u.email = 'user@northwind.test'").
		Scan(&kind, &image); err != nil {
		t.Fatal(err)
	}
	if kind != "drawn" || !strings.HasPrefix(image, "data:image/png;base64,") || len(image) < 200 {
		t.Fatalf("stored signature: kind %q, image %d bytes", kind, len(image))
	}
	b.screenshot("dashboard-user")

	// The shell for a partner User: every section opens; no Manage.
	for _, s := range []struct{ link, h1 string }{
		{"Leads", "Your leads"}, {"Payments", "Payments"}, {"Training", "Training"}, {"Partner Room", "Partner Room"}, {"Dashboard", "Dashboard"},
	} {
		b.do(chromedp.Click(chromedp.CSS(`nav .mainnav a[href="`+map[string]string{
			"Leads": "/leads", "Payments": "/payments", "Training": "/training", "Partner Room": "/partner-room", "Dashboard": "/dashboard"}[s.link]+`"]`)),
			chromedp.WaitVisible(chromedp.CSS("main h1")))
		if got := b.text("main h1"); got != s.h1 {
			t.Fatalf("%s: heading %q", s.link, got)
		}
	}
	if n := b.count(`a[href="/manage"]`); n != 0 {
		t.Fatal("a partner User sees the Manage section")
	}
	// Account Settings from the top-right menu lists the signed agreement.
	b.do(chromedp.Click(chromedp.CSS("#user-menu summary")), chromedp.Click(chromedp.CSS(`#user-menu a[href="/account"]`)),
		chromedp.WaitVisible(chromedp.ID("name")))
	if !strings.Contains(b.text("main"), "Partner Program Agreement") {
		t.Fatal("signed agreement not listed in Account Settings")
	}
	b.do(chromedp.Click(chromedp.CSS(`main a[href^="/account/agreements/"]`)), chromedp.WaitVisible(chromedp.CSS(".agreement-text")))
	b.screenshot("signed-agreement")

	// The company has signed: its admin goes straight to the dashboard and sees Manage.
	admin := newBrowser(t, env)
	admin.signIn("admin@northwind.test")
	if p := admin.path(); p != "/dashboard" {
		t.Fatalf("admin after sign-in at %s", p)
	}
	admin.do(chromedp.Click(chromedp.CSS(`.mainnav a[href="/manage"]`)), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if !strings.Contains(admin.text("main"), "user@northwind.test") {
		t.Fatal("team page does not list the company's users")
	}
	admin.screenshot("manage-team")

	// Sign out ends the session.
	b.do(chromedp.Click(chromedp.CSS("#user-menu summary")), chromedp.Click(chromedp.CSS(`#user-menu button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("email")))
	b.open("/dashboard")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("after sign-out /dashboard shows %s", p)
	}
}

func TestBrowserStaffConsole(t *testing.T) {
	env := apptest.NewEnv(t)
	b := newBrowser(t, env)
	b.signIn("staff@acme.test")
	if p := b.path(); p != "/console" {
		t.Fatalf("staff land on %s, want /console", p)
	}
	b.screenshot("console-home")
	b.do(chromedp.Click(chromedp.CSS(`.mainnav a[href="/console/agreements"]`)), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if !strings.Contains(b.text("main"), "Partner Program Agreement") {
		t.Fatal("agreements page does not list the demo agreement")
	}
	b.screenshot("console-agreements")
	// Partner pages are not for staff.
	b.open("/dashboard")
	if p := b.path(); p != "/console" {
		t.Fatalf("staff opening /dashboard end at %s", p)
	}
}

func TestBrowserLinkRules(t *testing.T) {
	env := apptest.NewEnv(t)
	b := newBrowser(t, env)
	link := b.requestLink("admin@globex.test")
	// Opening the link twice (a mail scanner, then the person) leaves it usable.
	for range 2 {
		b.open(link)
		if got := b.text("main h1"); got != "Confirm sign-in" {
			t.Fatalf("opening the link shows %q", got)
		}
	}
	b.screenshot("confirm")
	b.do(chromedp.Click(chromedp.ID("confirm-sign-in")), chromedp.WaitVisible(chromedp.CSS("header.topbar")))
	// Used once: another browser opening it is told so, and offered a new link.
	other := newBrowser(t, env)
	other.open(link)
	if got := other.text("#link-problem"); !strings.Contains(got, "already been used") {
		t.Fatalf("used link says %q", got)
	}
	other.screenshot("link-used")
	// Expired.
	fresh := other.requestLink("admin@globex.test")
	env.Clock.Advance(env.Config.LoginLinkTTL + time.Minute) // past the link's TTL, without waiting
	other.open(fresh)
	if got := other.text("#link-problem"); !strings.Contains(got, "expired") {
		t.Fatalf("expired link says %q", got)
	}
	if other.count(`form[action="/login"] input[name=email]`) != 1 {
		t.Fatal("no way to ask for a new link from the expired page")
	}
}
