package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A Globex user takes both courses of "Acme Certified Partner" to the end in
// the browser, passes the quiz, downloads the certificate, opens the
// verification URL signed out and sees it valid; the training bonus shows
// in Payments, the accreditation on the Accreditations tab, and Globex
// moves from Standard to Premium.
func TestBrowserTrainingJourney(t *testing.T) {
	env := trainingEnv(t)
	b := newBrowserWithin(t, env, 3*time.Minute)
	b.signIn("admin@globex.test")
	fund := courseID(t, env, "Acme Cloud Fundamentals")
	sell := courseID(t, env, "Selling Acme Cloud to Mid-Market")

	b.open("/training")
	b.do(chromedp.WaitVisible(chromedp.ID("catalog")))
	// Search in place (htmx) and the URL follows.
	b.do(chromedp.SendKeys(chromedp.ID("training-q"), "selling"))
	waitUntil(t, b, "the search swapped the list", func() bool { return b.count("#catalog li") == 1 })
	if !strings.Contains(b.path(), "q=selling") {
		t.Errorf("URL after search: %s", b.path())
	}
	b.screenshot("training-catalog")

	takeLessons := func(course int64, n int) {
		b.open(fmt.Sprintf("/training/courses/%d", course))
		b.do(chromedp.Click(chromedp.ID("enrol")), chromedp.WaitVisible(chromedp.ID("mark-done")))
		for i := 0; i < n; i++ {
			// Keyboard: focus the button and press Enter.
			b.do(chromedp.Focus(chromedp.ID("mark-done")), chromedp.KeyEvent("\r"))
			if i < n-1 {
				waitUntil(t, b, "the next lesson", func() bool {
					s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector("main .lesson .muted") || {}).textContent || ""`))
					return strings.Contains(s, fmt.Sprintf("Lesson %d of", i+2))
				})
			}
		}
	}
	takeLessons(sell, 2)
	waitUntil(t, b, "the course page after the last lesson", func() bool { return b.count("#course-status") == 1 })
	takeLessons(fund, 3)
	waitUntil(t, b, "the quiz", func() bool { return b.count("#quiz-form") == 1 })
	b.screenshot("training-quiz")
	for k, vs := range correctAnswers(t, env, fund) {
		_ = k
		for _, v := range vs {
			b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#quiz-form input[value="%s"]`, v))))
		}
	}
	b.do(chromedp.Click(chromedp.ID("submit-quiz")))
	waitUntil(t, b, "the course page after passing", func() bool { return b.count("#course-status") == 1 })

	// The certificate arrives from the worker.
	deadline := time.Now().Add(20 * time.Second)
	for b.count("#certificate-download") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no certificate 20 s after completion: %s", b.text("main"))
		}
		time.Sleep(200 * time.Millisecond)
		b.open(fmt.Sprintf("/training/courses/%d", fund))
	}
	b.screenshot("training-completed")
	href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("certificate-download").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(`+jsString(href)+`).then(r => r.status + " " + r.headers.get("content-type"))`,
		chromedp.EvalAwaitPromise))
	if err != nil || got != "200 application/pdf" {
		t.Fatalf("certificate download: %q %v", got, err)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(href, "/training/certificates/"), ".pdf")

	// Signed out, another browser: valid.
	anon := newBrowser(t, env)
	anon.open("/verify/" + id)
	if s := anon.text("#verify-status"); s != "Valid certificate" {
		t.Errorf("verification page: %q", s)
	}
	if !strings.Contains(anon.text("#verify-person"), "Gina Admin") {
		t.Errorf("for whom: %q", anon.text("#verify-person"))
	}
	anon.screenshot("training-verify")

	// Training bonus in Payments; the accreditation; the tier.
	deadline = time.Now().Add(20 * time.Second)
	for {
		b.open("/payments")
		if strings.Contains(b.text("main"), "Training bonus") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no training bonus in Payments: %s", b.text("main"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.open("/training?tab=accreditations")
	if !strings.Contains(b.text("#my-accreditations"), "Acme Certified Partner") {
		t.Errorf("accreditations tab: %s", b.text("main"))
	}
	b.screenshot("training-accreditations")
	b.open("/dashboard/rewards")
	if tier := b.text("#tier-name"); tier != "Premium" {
		t.Errorf("Globex tier %q, want Premium", tier)
	}
}

// waitUntil polls a browser condition (the page changing after a click).
func waitUntil(t *testing.T, b *browser, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			b.screenshot("timeout")
			t.Fatalf("waiting for %s; page %s: %s", what, b.path(), b.text("main"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
