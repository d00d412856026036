package app_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"partnerportal/app/apptest"
	"partnerportal/app/assets"
	"partnerportal/static"
)

var fingerprinted = regexp.MustCompile(`^/static/([a-z0-9_.-]+)\.([0-9a-f]{10})\.([a-z]+)$`)

// Every file the layout links is fingerprinted, served immutable for a
// year, precompressed with the coding the client asks for, and decodes to
// the file itself; the plain URL answers with an ETag and a 304.
func TestStaticFilesFingerprintedCompressedAndCached(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	c := env.Client(t)
	page := c.Get("/login")
	var urls []string
	page.Doc.Find(`link[href^="/static/"], script[src^="/static/"]`).Each(func(_ int, s *goquery.Selection) {
		u := s.AttrOr("href", s.AttrOr("src", ""))
		urls = append(urls, u)
	})
	if len(urls) != 5 {
		t.Fatalf("the layout links %d static files: %v", len(urls), urls)
	}
	for _, u := range urls {
		m := fingerprinted.FindStringSubmatch(u)
		if m == nil {
			t.Fatalf("%s is not fingerprinted", u)
		}
		want, err := fs.ReadFile(static.FS, m[1]+"."+m[3])
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range []string{"br", "gzip", ""} {
			r := c.Do(http.MethodGet, u, nil, map[string]string{"Accept-Encoding": enc})
			if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Fatalf("%s (%s): %d, Cache-Control %q", u, enc, r.StatusCode, r.Header.Get("Cache-Control"))
			}
			got := decode(t, r.Header.Get("Content-Encoding"), r.Body)
			if m[1] == "pico.min" { // served trimmed (assets.Trim)
				if len(got) > len(want)*3/4 || !bytes.Contains(got, []byte("--pico-primary")) {
					t.Fatalf("%s (%s): %d bytes of %d: not the trimmed Pico", u, enc, len(got), len(want))
				}
			} else if strings.HasSuffix(u, ".css") && string(got) != assets.MinifyCSS(string(want)) {
				t.Fatalf("%s (%s): the body is not the minified file", u, enc)
			} else if !strings.HasSuffix(u, ".css") && !bytes.Equal(got, want) {
				t.Fatalf("%s (%s): the body is not the file", u, enc)
			}
			if strings.HasSuffix(u, ".svg") {
				continue // 173 bytes: not worth compressing
			}
			if r.Header.Get("Content-Encoding") != enc || !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("%s asked %q: Content-Encoding %q, Vary %q", u, enc, r.Header.Get("Content-Encoding"), r.Header.Get("Vary"))
			}
		}
		plain := "/static/" + m[1] + "." + m[3]
		r := c.Get(plain)
		etag := r.Header.Get("ETag")
		if r.StatusCode != 200 || etag == "" || r.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", plain, r.StatusCode, etag, r.Header.Get("Cache-Control"))
		}
		if r := c.Do(http.MethodGet, plain, nil, map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified || r.Body != "" {
			t.Fatalf("%s with its ETag: %d, %d bytes", plain, r.StatusCode, len(r.Body))
		}
	}
	// A name not served stays a 404; a hash of another content too.
	if r := c.Get("/static/app.0000000000.css"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown fingerprint: %d", r.StatusCode)
	}
}

// Pages are compressed when asked; public ones revalidate with an ETag;
// signed-in ones stay no-store.
func TestPagesCompressed(t *testing.T) {
	env := apptest.NewEnv(t)
	sgExec(t, env, "UPDATE organizations SET agreements_enabled = false")
	c := env.Client(t)
	for _, enc := range []string{"br", "gzip"} {
		r := c.Do(http.MethodGet, "/login", nil, map[string]string{"Accept-Encoding": enc})
		if r.Header.Get("Content-Encoding") != enc || !strings.Contains(string(decode(t, enc, r.Body)), "<form") {
			t.Fatalf("/login asked %s: Content-Encoding %q", enc, r.Header.Get("Content-Encoding"))
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatal("/login has no ETag")
		}
		if r := c.Do(http.MethodGet, "/login", nil, map[string]string{"Accept-Encoding": enc, "If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
			t.Fatalf("/login with its ETag: %d", r.StatusCode)
		}
	}
	c.SignIn("admin@northwind.test")
	for _, path := range []string{"/dashboard", "/leads"} {
		r := c.Do(http.MethodGet, path, nil, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
		if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "br" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d, Content-Encoding %q, Cache-Control %q", path, r.StatusCode, r.Header.Get("Content-Encoding"), r.Header.Get("Cache-Control"))
		}
		// An htmx fragment too.
		r = c.Do(http.MethodGet, path, nil, map[string]string{"Accept-Encoding": "gzip", "HX-Request": "true"})
		if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s fragment: %d, Content-Encoding %q", path, r.StatusCode, r.Header.Get("Content-Encoding"))
		}
	}
}

func decode(t *testing.T, enc, body string) []byte {
	t.Helper()
	var rd io.Reader = strings.NewReader(body)
	switch enc {
	case "br":
		rd = brotli.NewReader(rd)
	case "gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			t.Fatal(err)
		}
		rd = zr
	case "":
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("%s body: %v", enc, err)
	}
	return b
}

// pageWeightBudget is what the first load of the sign-in page, the
// dashboard and the leads list may cost over the wire together (issue 10).
const pageWeightBudget = 40 * 1024

// loaded is one navigation: the bytes Chromium received for each request
// (Network.loadingFinished encodedDataLength: headers and compressed body as
// they crossed the network; nothing for a file served from its cache), and
// the static files the page used (Resource Timing), with transferSize 0 when
// they came from the cache.
type loaded struct {
	Wire    map[string]int64
	Used    map[string]int `json:"used"`
	Network map[string]bool
}

func (l loaded) total() (n int64) {
	for _, b := range l.Wire {
		n += b
	}
	return n
}

// wireLog records what crossed the network, by URL path.
type wireLog struct {
	mu   sync.Mutex
	urls map[network.RequestID]string
	wire map[string]int64
}

func (b *browser) listenWire() *wireLog {
	w := &wireLog{urls: map[network.RequestID]string{}, wire: map[string]int64{}}
	if err := chromedp.Listen(b.ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if u, err := url.Parse(e.Request.URL); err == nil {
				w.urls[e.RequestID] = u.Path
			}
		case *network.EventLoadingFinished:
			if p, ok := w.urls[e.RequestID]; ok {
				w.wire[p] += int64(e.EncodedDataLength)
			}
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	return w
}

func (w *wireLog) take() map[string]int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.wire
	w.wire = map[string]int64{}
	return out
}

func (b *browser) weigh(w *wireLog, path string) loaded {
	b.t.Helper()
	w.take()
	b.open(path)
	used, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]int](`(() => {
		const res = {};
		for (const e of performance.getEntriesByType('resource')) res[new URL(e.name).pathname] = e.transferSize;
		return res;
	})()`))
	if err != nil {
		b.t.Fatal(err)
	}
	if p := b.path(); p != path {
		b.t.Fatalf("opened %s, landed on %s", path, p)
	}
	time.Sleep(300 * time.Millisecond) // let the last loadingFinished events arrive
	return loaded{Wire: w.take(), Used: used}
}

func cssOrJS(p string) bool { return strings.HasSuffix(p, ".css") || strings.HasSuffix(p, ".js") }

// A real browser's first visit: the sign-in page, then (signed in) the
// dashboard and the leads list, weighed by the bytes that crossed the
// network. The three together stay within the budget, and the pages after
// the first fetch no CSS or JavaScript at all: they use the same files, from
// the browser's cache.
func TestBrowserPageWeight(t *testing.T) {
	env := apptest.NewEnv(t)
	sgExec(t, env, "UPDATE organizations SET agreements_enabled = false") // straight to the dashboard
	b := newBrowser(t, env)
	w := b.listenWire()
	login := b.weigh(w, "/login")
	t.Logf("/login: %d bytes: %v", login.total(), login.Wire)
	files := 0
	for p := range login.Used {
		if cssOrJS(p) {
			files++
			if login.Wire[p] == 0 {
				t.Fatalf("first load: %s did not cross the network: %v", p, login.Wire)
			}
		}
	}
	if files < 4 || login.Wire["/login"] == 0 {
		t.Fatalf("the sign-in page loaded %d CSS/JS files: %v", files, login.Wire)
	}
	total := login.total()
	b.signIn("admin@northwind.test")
	for _, path := range []string{"/dashboard", "/leads"} {
		l := b.weigh(w, path)
		t.Logf("%s: %d bytes: %v", path, l.total(), l.Wire)
		if l.Wire[path] == 0 {
			t.Fatalf("%s: the page itself did not cross the network", path)
		}
		total += l.total()
		for p, n := range l.Wire {
			if cssOrJS(p) && n > 0 {
				t.Errorf("%s fetched %s again (%d bytes over the wire)", path, p, n)
			}
		}
		seen := 0
		for p, n := range l.Used {
			if cssOrJS(p) {
				seen++
				if n != 0 {
					t.Errorf("%s: %s not from the cache (transferSize %d)", path, p, n)
				}
			}
		}
		if seen < 4 {
			t.Fatalf("%s used %d CSS/JS files: %v", path, seen, l.Used)
		}
	}
	t.Logf("first load of /login + /dashboard + /leads: %d bytes over the wire (budget %d)", total, pageWeightBudget)
	if total > pageWeightBudget {
		t.Fatalf("first load of /login + /dashboard + /leads: %d bytes over the wire, budget %d", total, pageWeightBudget)
	}
}
