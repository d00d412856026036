package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app"
	"partnerportal/app/apptest"
	"partnerportal/app/seed"
)

// The walk: every route of the route table (app.RouteTable, so a new route is
// covered the day it is added), signed in with the role it needs, gets a
// corpus of bad input in its query and its form, with valid and invalid ids
// in its path. No answer may be a 500 or above, and text the database cannot
// store (NUL, invalid UTF-8) is refused at the edge with 422 naming the field.

// walkClient sends raw requests with a signed-in client's cookies and CSRF
// token (in the header, so any body shape can be sent).
type walkClient struct {
	name    string
	env     *apptest.Env
	cookies []*http.Cookie
	csrf    string
	apiKey  string
	hc      *http.Client
}

func newWalkClient(t testing.TB, env *apptest.Env, name string, c *apptest.Client) *walkClient {
	csrf := c.CSRF() // first: it may fetch the cookie
	return &walkClient{name: name, env: env, cookies: c.Cookies(), csrf: csrf, hc: &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type walkResult struct {
	status int
	ctype  string
	body   string
}

func (w *walkClient) send(t *testing.T, method, rawURL, ctype string, body []byte, headers map[string]string) walkResult {
	t.Helper()
	res, err := w.try(method, rawURL, ctype, body, headers)
	for i := 0; err != nil && i < 3 && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")); i++ {
		// A kept-alive connection the server closed after an earlier
		// refusal (a body it did not read): Go does not resend a POST on
		// its own. The request never reached a handler; send it again.
		res, err = w.try(method, rawURL, ctype, body, headers)
	}
	if err != nil {
		t.Fatalf("%s %q as %s: %v", method, rawURL, w.name, err)
	}
	return res
}

// sendRefused is for a request the server refuses before reading all of it
// (431, 413): it closes the connection at once, and a reset can beat its
// answer to the client, so a reset is tried again.
func (w *walkClient) sendRefused(t *testing.T, method, rawURL, ctype string, body []byte, headers map[string]string) walkResult {
	t.Helper()
	var err error
	for range 5 {
		var res walkResult
		if res, err = w.try(method, rawURL, ctype, body, headers); err == nil {
			return res
		}
	}
	t.Fatalf("%s %q as %s: %v", method, rawURL, w.name, err)
	return walkResult{}
}

func (w *walkClient) try(method, rawURL, ctype string, body []byte, headers map[string]string) (walkResult, error) {
	req, err := http.NewRequest(method, w.env.URL+rawURL, bytes.NewReader(body))
	if err != nil {
		return walkResult{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for _, ck := range w.cookies {
		req.AddCookie(ck)
	}
	if w.csrf != "" {
		req.Header.Set("X-CSRF-Token", w.csrf)
	}
	if w.apiKey != "" && strings.HasPrefix(rawURL, "/api/") {
		req.Header.Set("Authorization", "Bearer "+w.apiKey)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := w.hc.Do(req)
	if err != nil {
		return walkResult{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return walkResult{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: string(b)}, err
}

// formFieldNames is every field name the portal reads: the names of the
// templates' inputs and the names the handlers ask for.
func formFieldNames(t *testing.T) []string {
	t.Helper()
	root := apptest.Root(t)
	seen := map[string]bool{}
	add := func(re *regexp.Regexp, files []string) {
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen[m[1]] = true
			}
		}
	}
	views, _ := filepath.Glob(filepath.Join(root, "views", "*", "*.html"))
	code, _ := filepath.Glob(filepath.Join(root, "app", "*.go"))
	add(regexp.MustCompile(`name="([a-z_]+)"`), views)
	add(regexp.MustCompile(`(?:FormValue|Query|QueryInt|QueryBool|QueryFloat)\("([a-z_]+)"`), code)
	delete(seen, "_csrf")
	delete(seen, "viewport")
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 30 {
		t.Fatalf("only %d field names found: %v", len(names), names)
	}
	return names
}

// corpusEntry is one kind of bad input: the fields it sends (each with every
// value given) and, when the edge must refuse it, the field named.
type corpusEntry struct {
	name     string
	fields   func(names []string) [][2]string
	refused  bool // 422 at the edge (NUL / invalid UTF-8)
	htmx     bool
	fragment bool
}

func every(v string) func([]string) [][2]string {
	return func(names []string) [][2]string {
		out := make([][2]string, 0, len(names))
		for _, n := range names {
			out = append(out, [2]string{n, v})
		}
		return out
	}
}

func badCorpus() []corpusEntry {
	return []corpusEntry{
		{name: "missing", fields: func([]string) [][2]string { return nil }},
		{name: "empty", fields: every("")},
		{name: "blank", fields: every("   \t ")},
		{name: "nul", fields: every("a\x00b"), refused: true},
		{name: "nul-htmx", fields: every("\x00"), refused: true, htmx: true},
		{name: "invalid-utf8", fields: every("caf\xe9 \xff\xfe"), refused: true},
		{name: "nul-in-name", fields: func([]string) [][2]string { return [][2]string{{"note\x00x", "1"}} }, refused: true},
		{name: "utf8-name", fields: func([]string) [][2]string { return [][2]string{{"\xffname", "1"}} }, refused: true},
		// Every field at once stays under the 2 MB body limit (the
		// route table has well over a hundred field names): 8 KB each, and
		// the emoji, 12 bytes each once URL-encoded, 7.2 KB.
		{name: "huge", fields: every(strings.Repeat("x", 8<<10))},
		{name: "huge-unicode", fields: every(strings.Repeat("😀", 600))}, // 7.2 KB a field, URL-encoded
		{name: "controls", fields: every("a\x01\x1b[31m\r\nb\u202e\ufeff")},
		{name: "negative", fields: every("-1")},
		{name: "overflow", fields: every("99999999999999999999999")},
		{name: "min-int64", fields: every("-9223372036854775808")},
		{name: "float", fields: every("1e308")},
		{name: "nan", fields: every("NaN")},
		{name: "word", fields: every("abc")},
		{name: "date", fields: every("2026-02-30")},
		{name: "markup", fields: every(`<script>alert(1)</script>"'&`)},
		{name: "path", fields: every("../../../etc/passwd")},
		{name: "url", fields: every("javascript:alert(1)")},
		{name: "repeated", fields: func(names []string) [][2]string {
			var out [][2]string
			for _, n := range names {
				out = append(out, [2]string{n, "1"}, [2]string{n, "-5"}, [2]string{n, "x"})
			}
			return out
		}},
	}
}

func encodeFields(fields [][2]string) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(f[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f[1]))
	}
	return b.String()
}

// walkIDs are valid ids of the demo data (plus what the walk created) for
// each route with a path parameter, by path prefix.
func walkIDs(t *testing.T, env *apptest.Env) map[string]string {
	t.Helper()
	one := func(sql string) string {
		// 1 when the demo data has none: then the route answers 404.
		return fmt.Sprint(queryInt(t, env, "SELECT coalesce(("+sql+"), 1)"))
	}
	northwind := `(SELECT id FROM partners WHERE name = 'Northwind Agency')`
	acme := `(SELECT id FROM organizations WHERE slug = 'acme')`
	var code, slug string
	if err := env.Store.Pool.QueryRow(t.Context(),
		`SELECT code FROM tracking_links WHERE partner_id = `+northwind+` ORDER BY id LIMIT 1`).Scan(&code); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT slug FROM organizations WHERE id = `+acme).Scan(&slug); err != nil {
		t.Fatal(err)
	}
	var cert string
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT public_id FROM certificates WHERE partner_id = `+northwind+` ORDER BY id LIMIT 1`).Scan(&cert); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"/dashboard/links/":                 one(`SELECT id FROM tracking_links WHERE partner_id = ` + northwind + ` ORDER BY id LIMIT 1`),
		"/leads/":                           one(`SELECT id FROM leads WHERE partner_id = ` + northwind + ` ORDER BY status = 'in_review' DESC, id LIMIT 1`),
		"/account/agreements/":              one(`SELECT id FROM agreement_signatures WHERE partner_id = ` + northwind + ` LIMIT 1`),
		"/manage/users/":                    one(`SELECT id FROM users WHERE email = 'user@northwind.test'`),
		"/console/api-keys/":                one(`SELECT id FROM api_keys WHERE organization_id = ` + acme + ` LIMIT 1`),
		"/console/agreements/":              one(`SELECT id FROM agreements WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/console/signatures/":              one(`SELECT id FROM agreement_signatures WHERE organization_id = ` + acme + ` LIMIT 1`),
		"/console/leads/":                   one(`SELECT id FROM leads WHERE organization_id = ` + acme + ` ORDER BY status = 'in_review' DESC, id LIMIT 1`),
		"/login/":                           "c2lnbi1pbi1saW5rLXRoYXQtZG9lcy1ub3QtZXhpc3Q",
		"/invite/":                          "aW52aXRhdGlvbi10aGF0LWRvZXMtbm90LWV4aXN0",
		"/account/email/":                   "ZW1haWwtY2hhbmdlLXRoYXQtZG9lcy1ub3QtZXhpc3Q",
		"/console/commissions/":             one(`SELECT id FROM commissions WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/console/partners/":                one(`SELECT id FROM partners WHERE name = 'Northwind Agency'`),
		"/console/program/tiers/":           one(`SELECT id FROM tiers WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/console/spiffs/":                  one(`SELECT id FROM spiff_campaigns WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/manage/invitations/":              one(`SELECT id FROM invitations WHERE partner_id = ` + northwind + ` ORDER BY id LIMIT 1`),
		"/partner-room/":                    one(`SELECT id FROM resources WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/console/resources/":               one(`SELECT id FROM resources WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/r/":                               code,
		"/t/":                               slug,
		"/partners/":                        "acme",
		"/console/directory/":               one(`SELECT id FROM partners WHERE name = 'Northwind Agency'`),
		"/training/courses/":                one(`SELECT id FROM courses WHERE title = 'Acme Cloud Fundamentals'`),
		"/training/accreditations/":         one(`SELECT id FROM accreditations WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/training/certificates/":           cert,
		"/verify/":                          cert,
		"/console/training/courses/":        one(`SELECT id FROM courses WHERE title = 'Acme Cloud Fundamentals'`),
		"/console/training/accreditations/": one(`SELECT id FROM accreditations WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/console/training/certificates/":   one(`SELECT id FROM certificates WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/payments/invoices/":               one(`SELECT id FROM invoices WHERE partner_id = ` + northwind + ` ORDER BY id LIMIT 1`),
		"/console/invoices/":                one(`SELECT id FROM invoices WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
		"/console/payouts/":                 one(`SELECT id FROM payout_batches WHERE organization_id = ` + acme + ` ORDER BY id LIMIT 1`),
	}
}

var paramRe = regexp.MustCompile(`:[a-z]+(<int>)?`)

// fillPath puts id in place of the route's parameter.
func fillPath(pattern, id string) string {
	return paramRe.ReplaceAllLiteralString(pattern, id)
}

func validIDFor(t *testing.T, ids map[string]string, pattern string) string {
	best := ""
	for prefix := range ids {
		if strings.HasPrefix(pattern, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		t.Fatalf("no valid id known for %s: add its table to walkIDs", pattern)
	}
	return ids[best]
}

var badIDs = []string{"0", "-1", "99999999999999999999", "9223372036854775807", "abc", "1e3", "%00", "%FF%FE", "%2e%2e", strings.Repeat("9", 400)}

func TestRouteTableBadInput(t *testing.T) {
	env := apptest.NewEnv(t)
	admin := signedIn(t, env, "admin@northwind.test")
	signTyped(t, admin, "Nora Admin") // the company's agreement: partner pages open for both users
	staff := signedIn(t, env, "staff@acme.test")
	r := staff.Post("/console/api-keys", url.Values{"name": {"walk"}})
	apiKey := regexp.MustCompile(`pp_live_[A-Za-z0-9_-]+`).FindString(r.Body)
	if r.StatusCode >= 400 || apiKey == "" {
		t.Fatalf("creating an API key: %d", r.StatusCode)
	}
	user := signedIn(t, env, "user@northwind.test")
	if err := seed.Resources(t.Context(), env.Store, env.Files, env.Log, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	invoiceSamples(t, env, true) // an invoice and a payout batch for the invoice routes
	ids := walkIDs(t, env)
	fields := formFieldNames(t)

	clients := map[app.Access]*walkClient{
		app.Public:       newWalkClient(t, env, "signed out", env.Client(t)),
		app.SignedIn:     newWalkClient(t, env, "partner user", user),
		app.PartnerSign:  newWalkClient(t, env, "partner user", user),
		app.Partner:      newWalkClient(t, env, "partner user", user),
		app.PartnerAdmin: newWalkClient(t, env, "partner admin", admin),
		app.Staff:        newWalkClient(t, env, "staff", staff),
	}
	signedOut := clients[app.Public]
	signedOut.apiKey = apiKey // the API's own authentication

	routes := app.RouteTable()
	// Destructive routes last, so they do not take away what the others use;
	// sign-out is sent signed out only (it would end the walk's session).
	sort.SliceStable(routes, func(i, j int) bool {
		last := func(p string) bool { return destructive(p) }
		return last(routes[j].Path) && !last(routes[i].Path)
	})

	var failures []string
	requests := 0
	fail := func(format string, args ...any) {
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	statuses := map[int]int{}
	check := func(who *walkClient, rt app.RouteInfo, path, what string, e *corpusEntry, res walkResult) {
		requests++
		statuses[res.status]++
		if res.status >= 500 {
			fail("%s %s (%s, as %s): %d\n%.300s", rt.Method, path, what, who.name, res.status, errorText(res.body))
			return
		}
		api := strings.HasPrefix(rt.Path, "/api/")
		if api && rt.Method != "OPTIONS" && !strings.HasPrefix(res.ctype, "application/json") {
			fail("%s %s (%s): API answered %d with %q, not JSON", rt.Method, path, what, res.status, res.ctype)
		}
		// The edge refuses unstorable text on every route behind it and on the API.
		if e != nil && e.refused && (!rt.Hot || api) && rt.Method != "OPTIONS" {
			if res.status != http.StatusUnprocessableEntity {
				fail("%s %s (%s, as %s): %d, want 422\n%.300s", rt.Method, path, what, who.name, res.status, errorText(res.body))
			} else if !strings.Contains(res.body, "contains characters the portal cannot store") {
				fail("%s %s (%s): 422 without the message naming the field: %.300s", rt.Method, path, what, res.body)
			}
			if e.fragment && strings.Contains(res.body, "<html") {
				fail("%s %s (%s): htmx request got a whole page", rt.Method, path, what)
			}
		}
	}
	send := func(who *walkClient, rt app.RouteInfo, path string, e corpusEntry) {
		fs := e.fields(fields)
		headers := map[string]string{}
		if e.htmx {
			headers["HX-Request"] = "true"
		}
		switch rt.Method {
		case "GET", "OPTIONS":
			// The query string stays under the header limit: huge values
			// go to the form routes' bodies only.
			q := capQuery(fs)
			res := who.send(t, rt.Method, path+"?"+q, "", nil, headers)
			check(who, rt, path, e.name+" in the query", &e, res)
		default:
			body := encodeFields(fs)
			res := who.send(t, rt.Method, path, "application/x-www-form-urlencoded", []byte(body), headers)
			check(who, rt, path, e.name+" in the body", &e, res)
			if strings.HasPrefix(rt.Path, "/api/") {
				// The same values as a JSON object, as the API expects.
				obj := map[string]string{}
				for _, f := range fs {
					obj[f[0]] = f[1]
				}
				for _, k := range []string{"click_id", "email", "name", "company"} {
					if len(fs) > 0 {
						obj[k] = fs[0][1]
					}
				}
				b, _ := json.Marshal(obj)
				res = who.send(t, rt.Method, path, "application/json", b, headers)
				check(who, rt, path, e.name+" as JSON", nil, res)
			}
			if len(fs) > 0 {
				res = who.send(t, rt.Method, path+"?"+capQuery(fs[:min(3, len(fs))]), "application/x-www-form-urlencoded", nil, headers)
				check(who, rt, path, e.name+" in the query", &e, res)
			}
		}
	}

	// Phase 1, one field at a time: the forms the pages really show, filled in
	// validly, then each field in turn replaced by a bad value, so the bad
	// value reaches the code behind the other fields' checks.
	forms := 0
	for _, rt := range routes {
		if rt.Method != "GET" || rt.Hot {
			continue
		}
		who := clients[rt.Access]
		path := rt.Path
		if paramRe.MatchString(path) {
			path = fillPath(rt.Path, validIDFor(t, ids, rt.Path))
		}
		res := who.send(t, "GET", path, "", nil, nil)
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		doc.Find(`form[method="post"]`).Each(func(_ int, f *goquery.Selection) {
			action, _ := f.Attr("action")
			if action == "" || action == "/logout" || strings.Contains(action, "?") || destructive(action) {
				return
			}
			form := formFields(f)
			if len(form) == 0 {
				return
			}
			forms++
			post := app.RouteInfo{Method: "POST", Path: action, Access: rt.Access}
			base := encodeFields(form)
			check(who, post, action, "the page's form from "+path, nil,
				who.send(t, "POST", action, "application/x-www-form-urlencoded", []byte(base), nil))
			for i := range form {
				for _, bad := range fieldBadValues {
					mut := slices.Clone(form)
					mut[i][1] = bad.value
					e := corpusEntry{name: bad.name, refused: bad.refused}
					check(who, post, action, bad.name+" in "+form[i][0], &e,
						who.send(t, "POST", action, "application/x-www-form-urlencoded", []byte(encodeFields(mut)), nil))
				}
			}
		})
	}
	if forms < 15 {
		t.Fatalf("only %d forms found on the pages", forms)
	}

	// Phase 2: every route, every corpus entry in every field at once.
	for _, rt := range routes {
		who := clients[rt.Access]
		if rt.Path == "/logout" {
			who = signedOut
		}
		path := rt.Path
		hasParam := paramRe.MatchString(path)
		if hasParam {
			path = fillPath(rt.Path, validIDFor(t, ids, rt.Path))
		}
		for _, e := range badCorpus() {
			e.fragment = e.htmx
			send(who, rt, path, e)
		}
		// Signed out (or as someone else) too: the guard's answers count.
		if rt.Access != app.Public {
			for _, e := range badCorpus()[:4] {
				send(signedOut, rt, path, e)
			}
			other := clients[app.Staff]
			if rt.Access == app.Staff {
				other = clients[app.Partner]
			}
			send(other, rt, path, badCorpus()[3])
		}
		if hasParam {
			for _, bad := range badIDs {
				p := fillPath(rt.Path, bad)
				if strings.HasSuffix(rt.Path, ".js") {
					p = strings.TrimSuffix(p, ".js") + ".js"
				}
				for _, e := range badCorpus()[:4] {
					send(who, rt, p, e)
				}
			}
		}
		// Other body shapes on writes: JSON, broken JSON, multipart (with a
		// NUL field), a form that is not a form.
		if rt.Method == "POST" {
			for _, b := range []struct{ ctype, body string }{
				{"application/json", `{"note": "a\u0000b", "email": 5, "company": null}`},
				{"application/json", `{"email":`},
				{"text/plain", "\x00\xff"},
				{"multipart/form-data; boundary=zzz", "--zzz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nbroken"},
			} {
				res := who.send(t, rt.Method, path, b.ctype, []byte(b.body), nil)
				check(who, rt, path, "body "+b.ctype, nil, res)
			}
			var mp bytes.Buffer
			mw := multipart.NewWriter(&mp)
			for _, n := range fields {
				_ = mw.WriteField(n, "a\x00b")
			}
			_ = mw.Close()
			res := who.send(t, rt.Method, path, mw.FormDataContentType(), mp.Bytes(), nil)
			check(who, rt, path, "multipart with NUL", &corpusEntry{name: "multipart", refused: true}, res)
		}
		// Headers: overlong (431), odd values.
		res := who.sendRefused(t, rt.Method, path, "", nil, map[string]string{"X-Padding": strings.Repeat("a", 10<<10)})
		if res.status != http.StatusRequestHeaderFieldsTooLarge {
			fail("%s %s with 10 KB of headers: %d, want 431", rt.Method, path, res.status)
		} else if !strings.HasPrefix(rt.Path, "/api/") && !strings.HasPrefix(res.ctype, "text/html") {
			fail("%s %s with 10 KB of headers: 431 as %q, want a page", rt.Method, path, res.ctype)
		}
		check(who, rt, path, "overlong header", nil, res)
		res = who.send(t, rt.Method, path, "", nil, map[string]string{
			"User-Agent": "a\xff\xfeb" + strings.Repeat("ü", 500), "HX-Request": "true", "HX-Current-URL": "\xff",
			"Accept-Language": "xx;q=abc", "Origin": env.URL, "Authorization": "Bearer \xff\t",
		})
		check(who, rt, path, "odd headers", nil, res)
	}
	t.Logf("%d routes, %d requests, answers by status: %v", len(routes), requests, statuses)
	if len(failures) > 0 {
		slices.Sort(failures)
		failures = slices.Compact(failures)
		t.Fatalf("%d failures:\n%s", len(failures), strings.Join(failures, "\n"))
	}
}

// errorText is the message of an error page or fragment (or the body).
func errorText(body string) string {
	if m := regexp.MustCompile(`(?s)class="error-fragment"[^>]*>(.*?)</p>|<main[^>]*>(.*?)</main>`).FindStringSubmatch(body); m != nil {
		return strings.Join(strings.Fields(m[1]+m[2]), " ")
	}
	return body
}

// capQuery encodes the first fields that fit in a query string well under the
// server's 4 KB header buffer (the cookies need room too).
func capQuery(fs [][2]string) string {
	q := encodeFields(fs)
	for n := len(fs); len(q) > 2500 && n > 1; n-- {
		q = encodeFields(fs[:n-1])
	}
	if len(q) > 2500 {
		q = strings.TrimRight(q[:2500], "%0123456789ABCDEF")
	}
	return q
}

// fieldBadValues replace one field of a valid form at a time.
var fieldBadValues = []struct {
	name, value string
	refused     bool
}{
	{"nul", "a\x00b", true},
	{"invalid-utf8", "\xff\xfe", true},
	{"huge", strings.Repeat("x", 100<<10), false},
	{"huge-unicode", strings.Repeat("😀", 10000), false},
	{"empty", "", false},
	{"negative", "-1", false},
	{"overflow", "99999999999999999999999", false},
	{"float", "1.5e300", false},
	{"controls", "a\x01\x1b\r\nb", false},
}

// formFields is a form as a browser would send it, with its empty text
// fields filled in with something valid for their name.
func formFields(f *goquery.Selection) [][2]string {
	var out [][2]string
	radios := map[string]bool{}
	f.Find("input[name], select[name], textarea[name]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		if name == "_csrf" {
			return
		}
		switch goquery.NodeName(in) {
		case "select":
			opt := in.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = in.Find(`option:not([value=""])`).First()
			}
			v, ok := opt.Attr("value")
			if !ok {
				v = strings.TrimSpace(opt.Text())
			}
			out = append(out, [2]string{name, v})
			return
		case "textarea":
			v := in.Text()
			if strings.TrimSpace(v) == "" {
				v = fillValue(name, "text")
			}
			out = append(out, [2]string{name, v})
			return
		}
		typ, _ := in.Attr("type")
		v, _ := in.Attr("value")
		_, checked := in.Attr("checked")
		switch typ {
		case "checkbox":
			if checked {
				out = append(out, [2]string{name, v})
			}
			return
		case "radio":
			if radios[name] {
				return
			}
			if checked || in.NextAllFiltered(`input[type="radio"][name="`+name+`"]`).Length() == 0 ||
				f.Find(`input[type="radio"][name="`+name+`"][checked]`).Length() == 0 {
				radios[name] = true
				out = append(out, [2]string{name, v})
			}
			return
		case "submit", "button":
			return
		}
		if v == "" {
			v = fillValue(name, typ)
		}
		out = append(out, [2]string{name, v})
	})
	return out
}

// fillValue is a valid value for an empty field, by its name and type.
func fillValue(name, typ string) string {
	switch {
	case typ == "email" || strings.Contains(name, "email"):
		return "walk-" + name + "@example.com"
	case typ == "url" || name == "website" || name == "destination" || name == "domain":
		return "https://example.com/walk"
	case typ == "number" || strings.Contains(name, "value") || name == "revenue" || strings.HasSuffix(name, "_days"):
		return "30"
	case name == "phone":
		return "+1 555 0100"
	case name == "currency":
		return "USD"
	case name == "iban":
		return "DE89370400440532013000"
	case name == "bic":
		return "COBADEFFXXX"
	case typ == "date":
		return "2026-01-15"
	}
	return "Walk " + name
}

// destructive routes take away what other routes need (a lead, the walk's
// own member, a key): phase 2 sends them last, phase 1 not at all.
func destructive(path string) bool {
	for _, suffix := range []string{"/delete", "/revoke", "/remove"} {
		if strings.HasSuffix(path, suffix) {
			return true
		}
	}
	return false
}
