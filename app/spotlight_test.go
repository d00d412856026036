package app_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{200, 30, 30, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadLogo posts a file to the logo form as a browser would.
func uploadLogo(t *testing.T, env *apptest.Env, c *apptest.Client, name string, body []byte) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF())
	fw, _ := mw.CreateFormFile("logo", name)
	_, _ = fw.Write(body)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/manage/spotlight/logo", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, ck := range c.Cookies() {
		req.AddCookie(ck)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestSpotlightDirectoryListsOnlyPublishedOfItsOrganization(t *testing.T) {
	env := noAgreementsEnv(t)
	v := env.Client(t)
	r := v.Get("/partners/acme")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /partners/acme: %d", r.StatusCode)
	}
	names := r.Doc.Find(".dir-card h3").Text()
	if !strings.Contains(names, "Northwind Agency") || !strings.Contains(names, "Globex Partners") {
		t.Fatalf("directory lacks the published partners: %q", names)
	}
	if r.Doc.Find(`link[rel="canonical"]`).Length() != 1 {
		t.Fatal("directory has no canonical link")
	}
	// Initech's directory: Initrode is a draft, and Acme's partners never show.
	r = v.Get("/partners/initech")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /partners/initech: %d", r.StatusCode)
	}
	if n := r.Doc.Find(".dir-card").Length(); n != 0 {
		t.Fatalf("Initech directory lists %d partners, want 0: %s", n, r.Doc.Find(".dir-card").Text())
	}
	for _, path := range []string{"/partners/initech/initrode-resellers", "/partners/initech/northwind-agency",
		"/partners/acme/initrode-resellers", "/partners/initech/initrode-resellers/contact", "/partners/nope"} {
		if r := v.Get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.StatusCode)
		}
	}
	// A declined profile is not public either; a published one has its page.
	if r := v.Get("/partners/acme/globex-partners"); r.StatusCode != http.StatusOK {
		t.Fatalf("published profile: %d", r.StatusCode)
	}
	// The sitemap is cached per version of the published set: read it
	// now, so the one below proves a change is seen.
	if r := v.Get("/partners/acme/sitemap.xml"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "/partners/acme/globex-partners") {
		t.Fatalf("sitemap before the decline: %d, lacks Globex:\n%s", r.StatusCode, r.Body)
	}
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE partner_profiles SET state = 'declined', decline_reason = 'x' WHERE slug = 'globex-partners'"); err != nil {
		t.Fatal(err)
	}
	if r := v.Get("/partners/acme/globex-partners"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("declined profile: %d, want 404", r.StatusCode)
	}
	if r := v.Get("/partners/acme"); strings.Contains(r.Doc.Find(".dir-card").Text(), "Globex") {
		t.Fatal("declined profile listed")
	}
	r = v.Get("/partners/acme/sitemap.xml")
	var set struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if r.StatusCode != http.StatusOK {
		t.Fatalf("sitemap: %d %s", r.StatusCode, r.Body)
	}
	if err := xml.Unmarshal([]byte(r.Body), &set); err != nil {
		t.Fatalf("sitemap is not a urlset: %v\n%s", err, r.Body)
	}
	var locs []string
	for _, u := range set.URLs {
		locs = append(locs, u.Loc)
		if _, err := time.Parse("2006-01-02", u.LastMod); strings.Contains(u.Loc, "northwind-agency") && err != nil {
			t.Errorf("sitemap lastmod of %s: %q", u.Loc, u.LastMod)
		}
	}
	if len(locs) != 2 || !strings.HasSuffix(locs[0], "/partners/acme") || !strings.HasSuffix(locs[1], "/partners/acme/northwind-agency") {
		t.Fatalf("sitemap lists %q, want the directory and Northwind only", locs)
	}
}

func TestSpotlightDirectoryFilters(t *testing.T) {
	env := noAgreementsEnv(t)
	v := env.Client(t)
	cases := []struct {
		query string
		want  []string
		not   []string
	}{
		{"area=SE&platform=Shopify", []string{"Northwind"}, []string{"Globex"}},             // Sweden via the Nordics region
		{"area=R-EUROPE", []string{"Northwind", "Globex"}, nil},                             // Germany, UK, France are in Europe
		{"area=CA", []string{"Globex"}, []string{"Northwind"}},                              // Canada via North America
		{"specialty=Analytics", []string{"Globex"}, []string{"Northwind"}},                  // vendor list
		{"language=de", []string{"Northwind"}, []string{"Globex"}},                          // languages
		{"budget=%2410k%E2%80%93%2450k", []string{"Globex"}, []string{"Northwind"}},         // $10k–$50k
		{"q=migrations", []string{"Northwind"}, []string{"Globex"}},                         // text search
		{"area=JP", nil, []string{"Northwind", "Globex"}},                                   // nobody
		{"area=%3Cscript%3E&platform=nope&sort=evil", []string{"Northwind", "Globex"}, nil}, // unknown values are ignored
	}
	for _, tc := range cases {
		r := v.Get("/partners/acme?" + tc.query)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tc.query, r.StatusCode)
		}
		got := r.Doc.Find(".dir-card h3").Text()
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q missing from %q", tc.query, w, got)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: %q listed in %q", tc.query, w, got)
			}
		}
	}
	// htmx gets the results fragment only.
	r := v.Do(http.MethodGet, "/partners/acme?area=SE", nil, map[string]string{"HX-Request": "true"})
	if r.Doc.Find("#dir-filters").Length() != 0 || r.Doc.Find("#dir-results").Length() != 1 {
		t.Fatalf("fragment: %s", r.Body)
	}
}

// The count stops at 1,000 (the page says "1,000+"); below that it is exact.
func TestSpotlightDirectoryCountStopsAtCap(t *testing.T) {
	env := noAgreementsEnv(t)
	if _, err := env.Store.Pool.Exec(t.Context(), `
		WITH org AS (SELECT organization_id AS id FROM directory_settings WHERE slug = 'acme'),
		p AS (INSERT INTO partners (organization_id, name, created_at)
		      SELECT org.id, 'Cap Partner ' || g, $1 FROM org, generate_series(1, 1005) g RETURNING organization_id, id, name)
		INSERT INTO partner_profiles (organization_id, partner_id, slug, company_name, facets, state, published_at, created_at, updated_at)
		SELECT organization_id, id, 'cap-' || id, name, '{l:en,g:IS}', 'published', $1, $1, $1 FROM p`, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	v := env.Client(t)
	for q, want := range map[string]string{"": "1,000+ partners", "area=IS": "1,000+ partners match", "language=de": "1 partner matches",
		"area=JP": "0 partners match"} {
		if got := strings.Join(strings.Fields(v.Get("/partners/acme?"+q).Doc.Find("#dir-count").Text()), " "); got != want {
			t.Errorf("?%s: count %q, want %q", q, got, want)
		}
	}
	// The last page is the 42nd (1,000 / 24); one further on shows it too.
	for _, page := range []string{"42", "5000"} {
		r := v.Get("/partners/acme?page=" + page)
		if r.StatusCode != http.StatusOK || r.Doc.Find(".dir-card").Length() == 0 || r.Doc.Find(`a[rel="next"]`).Length() != 0 {
			t.Errorf("page %s: %d, %d cards, next link %d", page, r.StatusCode, r.Doc.Find(".dir-card").Length(), r.Doc.Find(`a[rel="next"]`).Length())
		}
	}
}

func TestSpotlightFramingHeaderOnlyOnDirectoryRoutes(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	form := url.Values{"enabled": {"on"}, "slug": {"acme"}, "specialties": {"SEO\nAnalytics\nStore migrations\nB2B commerce"},
		"platforms": {"Shopify\nBigCommerce"}, "budget_bands": {"Under $10k"}, "frame_origins": {"https://www.acme.test\nhttp://localhost:3000"}}
	if r := staff.Post("/console/directory", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	// Bad origins: 422 in place, nothing saved.
	bad := url.Values{"enabled": {"on"}, "slug": {"acme"}, "frame_origins": {"https://*.evil.test"}}
	if r := staff.Post("/console/directory", bad); r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#frame_origins-error").Length() != 1 {
		t.Fatalf("bad origins: %d", r.StatusCode)
	}
	v := env.Client(t)
	for _, path := range []string{"/partners/acme", "/partners/acme/northwind-agency", "/partners/acme/northwind-agency/contact"} {
		r := v.Get(path)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'self' https://www.acme.test http://localhost:3000") || r.Header.Get("X-Frame-Options") != "" {
			t.Errorf("%s: CSP %q XFO %q", path, csp, r.Header.Get("X-Frame-Options"))
		}
	}
	// Inside a frame the contact form opens in its own tab (our cookies are not sent in a third-party frame).
	if r := v.Do(http.MethodGet, "/partners/acme/northwind-agency", nil, map[string]string{"Sec-Fetch-Dest": "iframe"}); r.Doc.Find(`#contact-partner[target="_blank"]`).Length() != 1 {
		t.Error("framed profile: the contact link does not open a new tab")
	}
	if r := v.Get("/partners/acme/northwind-agency"); r.Doc.Find(`#contact-partner[target]`).Length() != 0 {
		t.Error("unframed profile: the contact link opens a new tab")
	}
	for _, path := range []string{"/login", "/partners/initech", "/invite/nope"} {
		r := v.Get(path)
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || r.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: CSP %q XFO %q", path, csp, r.Header.Get("X-Frame-Options"))
		}
	}
}

func contactForm(t *testing.T, v *apptest.Client, path string) url.Values {
	t.Helper()
	r := v.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	ts, _ := r.Doc.Find(`input[name="form_ts"]`).Attr("value")
	return url.Values{"form_ts": {ts}, "name": {"Vera Visitor"}, "email": {"vera@shopco.test"}, "company": {"ShopCo"},
		"website": {"https://shopco.test"}, "budget": {"$50k–$250k"}, "message": {"We want to move to Shopify."}}
}

func TestSpotlightContactCreatesDirectoryLead(t *testing.T) {
	env := noAgreementsEnv(t)
	v := env.Client(t)
	const path = "/partners/acme/northwind-agency/contact"
	leads := func() int64 {
		return queryInt(t, env, "SELECT count(*) FROM leads WHERE source = 'directory'")
	}
	// Sent at once: refused by the timing check, nothing created.
	f := contactForm(t, v, path)
	if r := v.Post(path, f); r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#form-error").Length() != 1 {
		t.Fatalf("too fast: %d", r.StatusCode)
	}
	// A forged stamp is refused too.
	env.Clock.Advance(10 * time.Second)
	forged := contactForm(t, v, path)
	forged.Set("form_ts", "AAAAAAAAAAA"+forged.Get("form_ts")[11:])
	env.Clock.Advance(10 * time.Second)
	if r := v.Post(path, forged); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("forged stamp: %d", r.StatusCode)
	}
	// Field errors in place, values kept.
	f = contactForm(t, v, path)
	env.Clock.Advance(10 * time.Second)
	badForm := url.Values{}
	for k, vv := range f {
		badForm[k] = vv
	}
	badForm.Set("email", "not-an-email")
	badForm.Set("message", "")
	badForm.Set("budget", "a million")
	r := v.Post(path, badForm)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad fields: %d", r.StatusCode)
	}
	for _, id := range []string{"#email-error", "#message-error", "#budget-error"} {
		if r.Doc.Find(id).Length() != 1 {
			t.Errorf("no %s", id)
		}
	}
	if got, _ := r.Doc.Find("#company").Attr("value"); got != "ShopCo" {
		t.Errorf("company not kept: %q", got)
	}
	// The honeypot: answered as sent, nothing created.
	hp := contactForm(t, v, path)
	hp.Set("nickname", "bot")
	env.Clock.Advance(10 * time.Second)
	if r := v.Post(path, hp); r.StatusCode != http.StatusOK || r.Doc.Find("#contact-sent").Length() != 1 {
		t.Fatalf("honeypot: %d", r.StatusCode)
	}
	if n := leads(); n != 0 {
		t.Fatalf("%d leads after spam and bad input, want 0", n)
	}
	// A good request: a referral lead for Northwind from the directory.
	f = contactForm(t, v, path)
	env.Clock.Advance(10 * time.Second)
	if r := v.Post(path, f); r.StatusCode != http.StatusOK || r.Doc.Find("#contact-sent").Length() != 1 {
		t.Fatalf("send: %d %s", r.StatusCode, r.Doc.Find(".field-error, .form-errors").Text())
	}
	var partner, source, status, company string
	var dup *int64
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT p.name, l.source, l.status, l.company, l.duplicate_of_lead_id
		FROM leads l JOIN partners p ON p.id = l.partner_id WHERE l.company = 'ShopCo'`).Scan(&partner, &source, &status, &company, &dup); err != nil {
		t.Fatal(err)
	}
	if partner != "Northwind Agency" || source != "directory" || status != "in_review" || company != "ShopCo" || dup != nil {
		t.Fatalf("lead: %s %s %s %s dup=%v", partner, source, status, company, dup)
	}
	if n := queryInt(t, env, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.email = 'admin@northwind.test' AND n.body LIKE '%partner directory%'`); n != 1 {
		t.Fatalf("notifications to Northwind's admin: %d", n)
	}
	// The same company again through Globex: flagged as a possible duplicate.
	g := contactForm(t, v, "/partners/acme/globex-partners/contact")
	env.Clock.Advance(10 * time.Second)
	if r := v.Post("/partners/acme/globex-partners/contact", g); r.StatusCode != http.StatusOK {
		t.Fatalf("second send: %d", r.StatusCode)
	}
	if n := queryInt(t, env, `SELECT count(*) FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE l.source = 'directory' AND p.name = 'Globex Partners' AND l.duplicate_of_lead_id IS NOT NULL`); n != 1 {
		t.Fatal("the second request is not flagged as a duplicate")
	}
	// Staff see it in the review queue; Northwind under Referral Leads.
	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	r = staff.Get("/console/leads")
	row := r.Doc.Find(".review-row").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Find(".lead-company").Text(), "ShopCo") && strings.Contains(s.Text(), "Northwind")
	})
	if row.Length() != 1 {
		t.Fatal("directory lead not in the review queue")
	}
	// Like a team referral it waits for its partner: staff do not approve it.
	if row.Find(".channel-directory").Length() != 1 || row.Find("button.approve").Length() != 0 || !strings.Contains(row.Text(), "Waiting for Northwind") {
		t.Fatalf("queue row of the directory lead: %s", row.Text())
	}
	nw := env.Client(t)
	nw.SignIn("admin@northwind.test")
	r = nw.Get("/leads/referrals")
	if !strings.Contains(r.Doc.Find("#referral-table").Text(), "ShopCo") || r.Doc.Find("#referral-table .channel-directory").Length() != 1 {
		t.Fatal("directory lead not under Northwind's Referral Leads, or without its label")
	}
	// Northwind accepts it as it would a team referral.
	id := queryInt(t, env, "SELECT l.id FROM leads l JOIN partners p ON p.id = l.partner_id WHERE p.name = 'Northwind Agency' AND l.company = 'ShopCo'")
	if r := refPost(nw, fmt.Sprintf("/leads/%d/accept", id), nil); r.StatusCode != http.StatusOK {
		t.Fatalf("accept the directory lead: %d %.300s", r.StatusCode, r.Body)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE id = $1 AND source = 'directory' AND status = 'approved'", id); n != 1 {
		t.Fatal("the accepted directory lead is not approved")
	}
	// Rate limit: five an hour from one address (two were sent).
	for i := range 4 {
		f := contactForm(t, v, path)
		f.Set("email", "other"+string(rune('a'+i))+"@x"+string(rune('a'+i))+".test")
		f.Set("website", "")
		env.Clock.Advance(10 * time.Second)
		r := v.Post(path, f)
		want := http.StatusOK
		if i >= 3 {
			want = http.StatusTooManyRequests
		}
		if r.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i+3, r.StatusCode, want)
		}
	}
}

func TestSpotlightEditorPublishAndApproval(t *testing.T) {
	env, c := manageEnv(t, "admin@globex.test")
	r := c.Get("/manage/spotlight")
	if r.StatusCode != http.StatusOK || r.Doc.Find("#profile-state").Text() != "Published" {
		t.Fatalf("editor: %d state %q", r.StatusCode, r.Doc.Find("#profile-state").Text())
	}
	// Invalid input: 422 with errors in place, values kept, nothing saved.
	bad := url.Values{"company_name": {""}, "website": {"ftp://x"}, "tagline": {"Kept tagline"}, "areas": {"DE", "ZZ"}, "platforms": {"Wix"}}
	r = c.Post("/manage/spotlight", bad)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad save: %d", r.StatusCode)
	}
	for _, id := range []string{"#company_name-error", "#website-error", "#areas-error", "#platforms-error"} {
		if r.Doc.Find(id).Length() != 1 {
			t.Errorf("no %s", id)
		}
	}
	if got, _ := r.Doc.Find("#tagline").Attr("value"); got != "Kept tagline" {
		t.Errorf("tagline not kept: %q", got)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM partner_profiles WHERE tagline = 'Kept tagline'"); n != 0 {
		t.Fatal("invalid form saved")
	}
	// SVG refused; a PNG becomes a 256×256 PNG.
	if resp := uploadLogo(t, env, c, "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("svg: %d", resp.StatusCode)
	}
	if resp := uploadLogo(t, env, c, "logo.png", pngOf(t, 600, 200)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("png: %d", resp.StatusCode)
	}
	v := env.Client(t)
	page := v.Get("/partners/acme/globex-partners")
	src, _ := page.Doc.Find(".dir-profile img.dir-logo").Attr("src")
	logo := v.Get(src)
	img, err := png.Decode(strings.NewReader(logo.Body))
	if err != nil || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 256 || logo.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("logo %s: %v %v", src, err, logo.Header)
	}
	// Approval on: unpublish, publish → pending (not public) → declined with reason.
	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	if r := staff.Post("/console/directory", url.Values{"enabled": {"on"}, "slug": {"acme"}, "approval_required": {"on"},
		"specialties": {"B2B commerce\nAnalytics"}, "platforms": {"BigCommerce\nAdobe Commerce"}, "budget_bands": {"$10k–$50k"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", r.StatusCode)
	}
	c.Post("/manage/spotlight/unpublish", nil)
	if r := v.Get("/partners/acme/globex-partners"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("draft public: %d", r.StatusCode)
	}
	c.Post("/manage/spotlight/publish", nil)
	if r := v.Get("/partners/acme/globex-partners"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("pending public: %d", r.StatusCode)
	}
	var pid string
	_ = env.Store.Pool.QueryRow(t.Context(), "SELECT partner_id::text FROM partner_profiles WHERE slug = 'globex-partners'").Scan(&pid)
	r = staff.Do(http.MethodPost, "/console/directory/profiles/"+pid, url.Values{"_csrf": {staff.CSRF()}, "decision": {"decline"}, "reason": {""}},
		map[string]string{"HX-Request": "true", "X-CSRF-Token": staff.CSRF()})
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(".field-error").Length() != 1 {
		t.Fatalf("decline without reason: %d %s", r.StatusCode, r.Body)
	}
	r = staff.Do(http.MethodPost, "/console/directory/profiles/"+pid, url.Values{"_csrf": {staff.CSRF()}, "decision": {"decline"}, "reason": {"Add a description of your services."}},
		map[string]string{"HX-Request": "true", "X-CSRF-Token": staff.CSRF()})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("decline: %d", r.StatusCode)
	}
	r = c.Get("/manage/spotlight")
	if !strings.Contains(r.Doc.Find("#decline-reason").Text(), "Add a description") {
		t.Fatalf("partner does not see the reason: %q", r.Doc.Find("#spotlight-state").Text())
	}
	if r := v.Get("/partners/acme/globex-partners"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("declined public: %d", r.StatusCode)
	}
	// Publish again, approve: public.
	c.Post("/manage/spotlight/publish", nil)
	staff.Post("/console/directory/profiles/"+pid, url.Values{"decision": {"approve"}})
	if r := v.Get("/partners/acme/globex-partners"); r.StatusCode != http.StatusOK {
		t.Fatalf("approved: %d", r.StatusCode)
	}
	// Preview works for the partner admin.
	if r := c.Get("/manage/spotlight/preview"); r.StatusCode != http.StatusOK || r.Doc.Find("#profile-name").Text() != "Globex Partners" {
		t.Fatalf("preview: %d", r.StatusCode)
	}
}
