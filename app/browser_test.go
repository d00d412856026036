package app_test

// Browser tests: Debian's Chromium driven by chromedp, against the whole
// portal (web tier, worker, PostgreSQL, Redis, SMTP) started by apptest.

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"partnerportal/app/apptest"
)

func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("SKIP_BROWSER_TESTS") != "" {
		t.Skip("SKIP_BROWSER_TESTS set and no Chromium installed")
	}
	t.Fatal("Chromium not found: install it with `apt-get install -y chromium` (or set SKIP_BROWSER_TESTS=1 to skip browser tests)")
	return ""
}

// browser is one headless Chromium with its own profile.
type browser struct {
	t   *testing.T
	ctx context.Context
	env *apptest.Env
}

func newBrowser(t *testing.T, env *apptest.Env) *browser {
	t.Helper()
	return newBrowserWithin(t, env, 90*time.Second)
}

// newBrowserWithin is newBrowser for a test that may take longer than 90 s.
func newBrowserWithin(t *testing.T, env *apptest.Env, limit time.Duration) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{t: t, ctx: ctx, env: env}
	b.do(chromedp.Navigate("about:blank")) // start the browser now
	return b
}

// do runs the steps in order. A step whose element was replaced between
// being found and being acted on (an htmx swap or a new document landing
// just then; Chromium says it no longer knows the node or the context) did
// nothing: it runs again, up to twice, once the page has settled.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	for _, step := range steps {
		err := chromedp.Do(b.ctx, step)
		for retry := 0; err != nil && retry < 2 && staleNode(err); retry++ {
			b.settle()
			err = chromedp.Do(b.ctx, step)
		}
		if err != nil {
			b.t.Fatalf("browser: %v", err)
		}
	}
}

// attach chooses files in the file input with id, like a person picking
// them, once the page has settled, and returns only when the input on screen
// holds them (set again, up to three times, if it does not). A form once went
// without its file when the files were set just after a redirect, while the
// page was still loading (CI, TestBrowserSpotlightJourney); which document
// Chromium had set them on was not seen, so the result is checked, not
// assumed.
func (b *browser) attach(id string, files ...string) {
	b.t.Helper()
	held := "document.getElementById(" + jsString(id) + ").files.length === " + strconv.Itoa(len(files))
	for try := 0; ; try++ {
		b.settle()
		b.do(chromedp.SetUploadFiles(chromedp.ID(id), files))
		for range 20 {
			if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](held)); err == nil && ok {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		if try == 2 {
			b.t.Fatalf("the file input #%s does not hold %d file(s) after three tries", id, len(files))
		}
	}
}

// staleNode reports whether err is Chromium's answer for a node or document
// that went away under the action.
func staleNode(err error) bool {
	m := err.Error()
	return strings.Contains(m, "Could not find node with given id") ||
		strings.Contains(m, "No node with given id found") ||
		strings.Contains(m, "Cannot find context with specified id")
}

// settle waits (2 s at most, never failing) until the document has loaded
// and htmx, where the page has it, is not requesting, swapping or settling.
func (b *browser) settle() {
	for range 40 {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' &&
			(!window.htmx || !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added'))`))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.env.URL + path))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.env.URL)
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("document.querySelectorAll("+jsString(sel)+").length"))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// screenshot saves a PNG when SCREENSHOT_DIR is set (to look at pages as a
// user would); it never fails a test.
func (b *browser) screenshot(name string) {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// requestLink types the address into /login like a person and returns the
// path of the link that arrives by email.
func (b *browser) requestLink(email string) string {
	b.t.Helper()
	before := b.env.Inbox.Count(email)
	b.open("/login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), email), chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.ID("link-sent")))
	if got := b.text("main h1"); got != "Check your email" {
		b.t.Fatalf("after requesting a link the page says %q", got)
	}
	return strings.TrimPrefix(b.env.Inbox.WaitForLink(b.t, email, before), b.env.URL)
}

// signIn requests a link, opens it and clicks the confirm button.
func (b *browser) signIn(email string) {
	b.t.Helper()
	link := b.requestLink(email)
	b.open(link)
	b.do(chromedp.Click(chromedp.ID("confirm-sign-in")), chromedp.WaitVisible(chromedp.CSS("header.topbar")))
}
