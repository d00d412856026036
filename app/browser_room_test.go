package app_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/hibiken/asynq"

	"partnerportal/app/resource"
)

// Staff upload a PDF with a progress bar → it shows "preparing preview" →
// the preview appears by itself → a partner finds it by a word from inside
// the PDF, opens it and downloads it: the bytes equal the upload.
func TestBrowserPartnerRoomJourney(t *testing.T) {
	env := roomEnv(t)
	pdf, err := resource.SamplePDF("Channel playbook", []string{"How to pitch the saxifrage migration service to mid-market customers.", "Objections and answers.", "Pricing."}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "channel-playbook.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	// Hold the worker's queue so "preparing preview" is seen for sure.
	in := asynq.NewInspectorFromRedisClient(env.Redis)
	if err := in.PauseQueue("default"); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env)
	b.signIn("staff@acme.test")
	b.open("/console/resources/new")
	b.do(chromedp.SendKeys(chromedp.ID("res-title"), "Channel playbook"),
		chromedp.SendKeys(chromedp.ID("res-tags"), "playbook, sales"))
	b.attach("res-files", file)
	// Record every state of the progress bars; sessionStorage outlives the
	// navigation that follows the upload.
	b.do(chromedp.Evaluate[chromedp.Void](`sessionStorage.clear();
new MutationObserver(function () {
  document.querySelectorAll('#upload-list progress').forEach(function (p) {
    sessionStorage.setItem('bars', String(document.querySelectorAll('#upload-list progress').length));
    sessionStorage.setItem('last', p.value + '/' + p.max);
  });
}).observe(document.getElementById('upload-list'), {subtree: true, childList: true, attributes: true});`))
	b.screenshot("room-upload-filled")
	b.do(chromedp.Click(chromedp.CSS(`#resource-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`#preview.preparing`)))
	if p := b.path(); !strings.HasPrefix(p, "/console/resources/") {
		t.Fatalf("after the upload the browser is at %s", p)
	}
	bars, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`sessionStorage.getItem('bars') || ''`))
	last, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`sessionStorage.getItem('last') || ''`))
	parts := strings.Split(last, "/")
	if bars != "1" || len(parts) != 2 || parts[0] != parts[1] || len(parts[1]) < len(fmt.Sprint(len(pdf))) {
		t.Fatalf("progress bar: %q bars, last %q (want one bar that reached its end)", bars, last)
	}
	if got := b.text("#preview"); !strings.Contains(got, "Preparing preview") {
		t.Fatalf("preview says %q", got)
	}
	b.screenshot("room-preparing")
	if err := in.UnpauseQueue("default"); err != nil {
		t.Fatal(err)
	}
	// The fragment polls itself until the page images are there.
	b.do(chromedp.WaitVisible(chromedp.CSS(`#preview img.room-page`)))
	if n := b.count("#preview img.room-page"); n != 3 {
		t.Fatalf("%d page images", n)
	}
	b.screenshot("room-preview-ready")

	// A partner finds it by a word only inside the PDF, opens it, downloads it.
	p := newBrowser(t, env)
	p.signIn("admin@globex.test")
	p.open("/partner-room")
	p.do(chromedp.SendKeys(chromedp.ID("room-q"), "saxifrage"), chromedp.WaitVisible(chromedp.CSS(`#room-results mark`)))
	if got := p.text("#room-results mark"); !strings.EqualFold(got, "saxifrage") {
		t.Fatalf("highlighted %q", got)
	}
	if n := p.count("#room-results .room-card"); n != 1 {
		t.Fatalf("%d results", n)
	}
	if !strings.Contains(p.path(), "q=saxifrage") {
		t.Errorf("the search is not in the URL: %s", p.path())
	}
	p.screenshot("room-search")
	p.do(chromedp.Click(chromedp.CSS(`#room-results .room-card h3 a`)), chromedp.WaitVisible(chromedp.ID("download")))
	if got := p.text("main h1"); got != "Channel playbook" {
		t.Fatalf("opened %q", got)
	}
	if n := p.count("#preview img.room-page"); n != 3 {
		t.Fatalf("partner sees %d page images", n)
	}
	p.screenshot("room-resource")
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir,
	}); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.Click(chromedp.ID("download")))
	deadline := time.Now().Add(15 * time.Second) // a timeout, not a date
	for {
		entries, _ := os.ReadDir(dir)
		var got []byte
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".crdownload") {
				got, _ = os.ReadFile(filepath.Join(dir, e.Name()))
			}
		}
		if len(got) == len(pdf) {
			if !bytes.Equal(got, pdf) {
				t.Fatal("the downloaded bytes differ from the upload")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no download (%d entries)", len(entries))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
