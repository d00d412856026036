package app_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A Northwind admin edits the Spotlight profile, uploads a logo, previews
// and publishes it; a signed-out visitor finds Northwind by filtering on a
// country and a platform and sends a request; the lead appears under
// Northwind's Referral Leads and in the staff review queue.
func TestBrowserSpotlightJourney(t *testing.T) {
	env := noAgreementsEnv(t)
	b := newBrowserWithin(t, env, 3*time.Minute)
	b.signIn("admin@northwind.test")

	b.open("/manage/spotlight")
	b.clickWhenSettled("unpublish")
	b.waitFor("the draft", `!!document.getElementById("publish")`)
	if got := b.text("#profile-state"); got != "Draft" {
		t.Fatalf("state after unpublish: %q", got)
	}
	// Edit: a new tagline and Sweden, found with the keyboard picker.
	b.do(chromedp.SetValue(chromedp.ID("tagline"), "Shopify migrations for Sweden and beyond."),
		chromedp.SendKeys(chromedp.ID("area-search"), "Swed"))
	b.waitFor("the picker to narrow the list", `document.getElementById("area-count").textContent === "1 match"`)
	b.do(chromedp.SendKeys(chromedp.ID("area-search"), "\r"))
	b.waitFor("Sweden ticked", `document.querySelector('#area-list input[value="SE"]').checked`)
	b.clickWhenSettled("save-profile")
	b.waitFor("the save", `(document.querySelector(".flash") || {}).textContent === "Your profile is saved."`)
	// Polled: the page after the save may still be settling (a read
	// between two documents fails with "Cannot find context").
	b.waitFor("Sweden saved and ticked", `(document.querySelector(".area-list") || {textContent: ""}).textContent.includes("Sweden") && document.querySelectorAll('#area-list input[value="SE"]:checked').length === 1`)
	// Upload a logo.
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, pngOf(t, 400, 300), 0o600); err != nil {
		t.Fatal(err)
	}
	b.attach("logo", logo)
	b.do(chromedp.Click(chromedp.CSS(`form[action="/manage/spotlight/logo"] button`)))
	b.waitFor("the logo upload", `(document.querySelector(".flash") || {}).textContent === "Your logo is saved." && document.getElementById("current-logo").naturalWidth === 256`)
	b.screenshot("spotlight-editor-desktop")
	noSideways(t, b, "the editor")
	// Preview, exactly as the public page.
	b.do(chromedp.Click(chromedp.ID("preview-link")), chromedp.WaitVisible(chromedp.ID("preview-banner")))
	if got := b.text(".dir-tagline"); got != "Shopify migrations for Sweden and beyond." {
		t.Fatalf("preview tagline %q", got)
	}
	b.screenshot("spotlight-preview-desktop")
	b.open("/manage/spotlight")
	b.clickWhenSettled("publish")
	b.waitFor("the public URL", `!!document.getElementById("public-url")`)
	if got := b.text("#public-url"); got != "/partners/acme/northwind-agency" {
		t.Fatalf("public URL %q", got)
	}

	// A signed-out visitor in another browser.
	v := newBrowserWithin(t, env, 3*time.Minute)
	v.open("/partners/acme")
	v.do(chromedp.SetValue(chromedp.ID("area"), "SE"), chromedp.SetValue(chromedp.ID("platform"), "Shopify"),
		chromedp.Click(chromedp.CSS(`#dir-filters button[type=submit]`)))
	v.waitFor("the filtered list", `location.search.includes("area=SE") && document.querySelectorAll(".dir-card").length === 1`)
	if got := v.text(".dir-card h3"); got != "Northwind Agency" {
		t.Fatalf("filtered list shows %q", got)
	}
	v.screenshot("spotlight-directory-desktop")
	v.do(chromedp.EmulateViewport(390, 844))
	v.screenshot("spotlight-directory-phone")
	noSideways(t, v, "the directory")
	v.do(chromedp.EmulateViewport(1280, 900))
	v.do(chromedp.Click(chromedp.CSS(".dir-card h3 a")), chromedp.WaitVisible(chromedp.ID("contact-partner")))
	v.screenshot("spotlight-profile-desktop")
	v.do(chromedp.Click(chromedp.ID("contact-partner")), chromedp.WaitVisible(chromedp.ID("contact-form")))
	v.do(chromedp.SendKeys(chromedp.ID("name"), "Vera Visitor"), chromedp.SendKeys(chromedp.ID("email"), "vera@nordshop.test"),
		chromedp.SendKeys(chromedp.ID("company"), "Nordshop AB"), chromedp.SendKeys(chromedp.ID("message"), "We move to Shopify next spring."))
	v.do(chromedp.EmulateViewport(390, 844))
	v.screenshot("spotlight-contact-phone")
	noSideways(t, v, "the contact form")
	v.do(chromedp.EmulateViewport(1280, 900))
	env.Clock.Advance(30 * time.Second) // a person takes a while to type
	v.do(chromedp.Click(chromedp.ID("send-request")), chromedp.WaitVisible(chromedp.ID("contact-sent")))

	// Northwind's Referral Leads and the staff queue.
	b.open("/leads/referrals")
	if !strings.Contains(b.text("main"), "Nordshop AB") || !strings.Contains(b.text("main"), "From the partner directory") {
		t.Fatal("the request is not under Northwind's Referral Leads")
	}
	b.screenshot("spotlight-referrals-desktop")
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Get("/console/leads"); !strings.Contains(r.Doc.Find("main").Text(), "Nordshop AB") || r.Doc.Find(".channel-directory").Length() != 1 {
		t.Fatal("the request is not in the staff review queue")
	}
}

// noSideways checks the page fits a 390 px phone (and the desktop width).
func noSideways(t *testing.T, b *browser, what string) {
	t.Helper()
	for _, w := range []int64{390, 1280} {
		b.do(chromedp.EmulateViewport(w, 844))
		b.waitFor("the viewport", "window.innerWidth === "+strconv.FormatInt(w, 10))
		over, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth - window.innerWidth"))
		if err != nil {
			t.Fatal(err)
		}
		if over > 0 {
			t.Errorf("%s scrolls sideways by %d px at %d px", what, over, w)
		}
	}
	b.do(chromedp.EmulateViewport(1280, 900))
}

// clickWhenSettled clicks the element with id once the document has loaded
// and htmx is idle, and clicks again if the node it found was replaced
// before the click landed ("Could not find node with given id": a form
// post's new document arriving in between).
func (b *browser) clickWhenSettled(id string) {
	b.t.Helper()
	for attempt := 0; ; attempt++ {
		b.waitFor("#"+id, `!!document.getElementById("`+id+`")`)
		err := chromedp.Do(b.ctx, chromedp.Click(chromedp.ID(id)))
		if err == nil {
			return
		}
		if attempt == 2 || !strings.Contains(err.Error(), "Could not find node") {
			b.t.Fatalf("browser: click #%s: %v", id, err)
		}
	}
}
