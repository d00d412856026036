package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
	"partnerportal/app/money"
)

// tlLinkID is the id of the link with a code.
func tlLinkID(t *testing.T, env *apptest.Env, code string) int64 {
	t.Helper()
	return queryInt(t, env, "SELECT id FROM tracking_links WHERE code = $1", code)
}

func tlRow(r *apptest.Response, code string) *goquery.Selection {
	return r.Doc.Find(`tr.link-row[data-code="` + code + `"]`)
}

func tlText(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// tlSpans joins the texts of the spans inside s with "|".
func tlSpans(s *goquery.Selection) string {
	return strings.Join(s.Find("span").Map(func(_ int, e *goquery.Selection) string { return e.Text() }), "|")
}

func TestLinksTabListsTheCompanysLinks(t *testing.T) {
	env := noAgreementsEnv(t)
	user := signedIn(t, env, "user@northwind.test")
	r := user.Get("/dashboard/links")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	if r.Doc.Find(`.tabs a[href="/dashboard/links"][aria-current=page]`).Length() != 1 ||
		r.Doc.Find(`.tabs a[href="/dashboard"]`).Length() != 1 || r.Doc.Find(`.tabs a[href="/dashboard/rewards"]`).Length() != 1 {
		t.Fatal("the Overview / Tracking Links / Rewards tabs are missing")
	}
	row := r.Doc.Find("#referral-links").Find(`tr.link-row[data-code="northwind"]`)
	if row.Length() != 1 {
		t.Fatalf("default link not in the referral table:\n%s", r.Doc.Find("#period-body").Text())
	}
	want := env.URL + "/r/northwind"
	if got := row.Find(".link-url code").Text(); got != want {
		t.Fatalf("URL %q, want %q", got, want)
	}
	if got := row.Find("[data-copy]").AttrOr("data-copy", ""); got != want {
		t.Fatalf("copy button copies %q", got)
	}
	if !strings.Contains(row.Find(".link-status").Text(), "Active") || !strings.Contains(row.Find(".link-name").Text(), "Default referral link") {
		t.Fatalf("row %q", tlText(row))
	}
	if r.Doc.Find(`script[src^="/static/copy."]`).Length() != 1 {
		t.Fatal("copy.js is not loaded")
	}
	if r.Doc.Find("#marketplace-links .link-row").Length() != 0 || r.Doc.Find("#marketplace-links .empty").Length() != 1 {
		t.Fatal("the marketplace section should be empty")
	}
	// Only the company's links: Globex's link is not listed.
	if tlRow(r, "globex").Length() != 0 || strings.Contains(r.Body, "/r/globex") {
		t.Fatal("another partner's link is listed")
	}
	// A User reads only: no New link button, no actions.
	if r.Doc.Find("#new-link").Length() != 0 || r.Doc.Find(".row-actions").Length() != 0 || r.Doc.Find(`form[action*="/active"]`).Length() != 0 {
		t.Fatal("a partner User sees link actions")
	}
	// An htmx period change gets just the tables.
	f := user.Do(http.MethodGet, "/dashboard/links?period=last_30_days", nil, map[string]string{"HX-Request": "true"})
	if f.StatusCode != http.StatusOK || strings.Contains(f.Body, "<html") || f.Doc.Find("#period-body").Length() != 1 ||
		!strings.Contains(f.Doc.Find("#period-label").Text(), "Last 30 days") {
		t.Fatalf("fragment: %d\n%s", f.StatusCode, f.Body)
	}
}

func TestLinkCreateByPartnerAdmin(t *testing.T) {
	env := noAgreementsEnv(t)
	admin := signedIn(t, env, "admin@northwind.test")
	r := admin.Get("/dashboard/links")
	if r.Doc.Find(`a#new-link[href="/dashboard/links/new"]`).Length() != 1 {
		t.Fatal("no New link button for an admin")
	}
	r = admin.Get("/dashboard/links/new")
	if r.StatusCode != http.StatusOK || r.Doc.Find("#destination").AttrOr("value", "") != "https://acme.test/" {
		t.Fatalf("new form: %d, destination %q", r.StatusCode, r.Doc.Find("#destination").AttrOr("value", ""))
	}
	before := queryInt(t, env, "SELECT count(*) FROM tracking_links")
	form := func(mod func(url.Values)) url.Values {
		f := url.Values{"name": {"Spring newsletter"}, "kind": {"marketplace"}, "destination": {"https://acme.test/pricing"},
			"utm_source": {"newsletter"}, "utm_medium": {"email"}, "utm_campaign": {"spring-2026"}}
		if mod != nil {
			mod(f)
		}
		return f
	}
	cases := []struct {
		name, field string
		form        url.Values
	}{
		{"other site", "destination", form(func(f url.Values) { f.Set("destination", "https://evil.test/acme.test/") })},
		{"lookalike host", "destination", form(func(f url.Values) { f.Set("destination", "https://acme.test.evil.test/") })},
		{"not a URL", "destination", form(func(f url.Values) { f.Set("destination", "javascript:alert(1)") })},
		{"no name", "name", form(func(f url.Values) { f.Set("name", " ") })},
		{"long name", "name", form(func(f url.Values) { f.Set("name", strings.Repeat("n", 201)) })},
		{"bad kind", "kind", form(func(f url.Values) { f.Set("kind", "affiliate") })},
		{"utm with space", "utm_campaign", form(func(f url.Values) { f.Set("utm_campaign", "spring sale") })},
		{"utm too long", "utm_source", form(func(f url.Values) { f.Set("utm_source", strings.Repeat("s", 101)) })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.Post("/dashboard/links", tc.form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.StatusCode)
			}
			msg := r.Doc.Find("#" + tc.field + "-error").Text()
			if msg == "" || r.Doc.Find(".field-error").Length() != 1 {
				t.Fatalf("errors: %q", r.Doc.Find(".field-error").Text())
			}
			if tc.field == "destination" && !strings.Contains(msg, "https://acme.test/") {
				t.Fatalf("the message does not list the allowed destinations: %q", msg)
			}
			if got := r.Doc.Find("#destination").AttrOr("value", ""); got != tc.form.Get("destination") {
				t.Fatalf("destination not kept: %q", got)
			}
			if n := queryInt(t, env, "SELECT count(*) FROM tracking_links"); n != before {
				t.Fatal("a link was saved despite the error")
			}
		})
	}

	r = admin.Post("/dashboard/links", form(nil))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	var code string
	var id int64
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT id, code FROM tracking_links WHERE name = 'Spring newsletter'
		AND kind = 'marketplace' AND NOT is_default AND active AND partner_id = (SELECT id FROM partners WHERE name = 'Northwind Agency')`).Scan(&id, &code); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^northwind-agency-[a-z2-7]{6}$`).MatchString(code) {
		t.Fatalf("code %q", code)
	}
	if loc := r.Header.Get("Location"); loc != "/dashboard/links/"+tlItoa(id) {
		t.Fatalf("redirected to %q", loc)
	}
	// The link works at once, with its UTM parameters.
	res := click(env.Client(t), http.MethodGet, "/r/"+code, browserUA)
	dest, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || dest == nil || dest.Host != "acme.test" || dest.Path != "/pricing" ||
		dest.Query().Get("utm_source") != "newsletter" || dest.Query().Get("utm_medium") != "email" ||
		dest.Query().Get("utm_campaign") != "spring-2026" || dest.Query().Get("pp_click") == "" {
		t.Fatalf("GET /r/%s: %d %s", code, res.StatusCode, res.Header.Get("Location"))
	}
	r = admin.Get("/dashboard/links")
	if row := r.Doc.Find("#marketplace-links " + `tr.link-row[data-code="` + code + `"]`); row.Length() != 1 ||
		!strings.Contains(row.Text(), "Spring newsletter") {
		t.Fatal("the new link is not in the marketplace table")
	}
	d := admin.Get("/dashboard/links/" + tlItoa(id))
	if d.StatusCode != http.StatusOK || d.Doc.Find("#link-name").Text() != "Spring newsletter" ||
		d.Doc.Find("#link-url").Text() != env.URL+"/r/"+code || !strings.Contains(d.Doc.Find("#link-destination").Text(), "utm_campaign=spring-2026") {
		t.Fatalf("detail page: %d %q", d.StatusCode, tlText(d.Doc.Find("#link-facts")))
	}
}

func TestLinkDeactivateEditAndActivate(t *testing.T) {
	env := noAgreementsEnv(t)
	admin := signedIn(t, env, "admin@northwind.test")
	id := tlLinkID(t, env, "northwind")
	visitor := env.Client(t)
	if r := click(visitor, http.MethodGet, "/r/northwind", browserUA); r.StatusCode != http.StatusFound {
		t.Fatalf("before: %d", r.StatusCode) // the link is now cached
	}

	// The deactivate button asks first.
	r := admin.Get("/dashboard/links")
	if _, ok := tlRow(r, "northwind").Find(`form[action$="/active"]`).Attr("data-confirm"); !ok {
		t.Fatal("deactivating does not ask for confirmation")
	}
	r = admin.Post("/dashboard/links/"+tlItoa(id)+"/active", url.Values{"active": {"off"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard/links" {
		t.Fatalf("deactivate: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := click(visitor, http.MethodGet, "/r/northwind", browserUA); r.StatusCode != http.StatusNotFound || r.Header.Get("Location") != "" {
		t.Fatalf("after deactivating: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r = admin.Get("/dashboard/links")
	if st := tlRow(r, "northwind").Find(".link-status").Text(); !strings.Contains(st, "Inactive") {
		t.Fatalf("status %q", st)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM tracking_links WHERE code = 'northwind' AND is_default"); n != 1 {
		t.Fatal("the default link was deleted or lost its flag")
	}

	// Edit: a bad destination is refused, a good one takes effect at once.
	editPath := "/dashboard/links/" + tlItoa(id) + "/edit"
	if r := admin.Get(editPath); r.StatusCode != http.StatusOK || r.Doc.Find("#name").AttrOr("value", "") != "Default referral link" {
		t.Fatalf("edit form: %d", r.StatusCode)
	}
	r = admin.Post(editPath, url.Values{"name": {"Main link"}, "destination": {"http://acme.test/partners"}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#destination-error").Length() != 1 {
		t.Fatalf("http instead of https: %d", r.StatusCode)
	}
	r = admin.Post(editPath, url.Values{"name": {"Main link"}, "destination": {"https://acme.test/partners"}, "utm_source": {"northwind"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	r = admin.Post("/dashboard/links/"+tlItoa(id)+"/active", url.Values{"active": {"on"}, "return": {"detail"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard/links/"+tlItoa(id) {
		t.Fatalf("activate: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	res := click(visitor, http.MethodGet, "/r/northwind", browserUA)
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "https://acme.test/partners?utm_source=northwind&pp_click=") {
		t.Fatalf("after editing and activating: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	d := admin.Get("/dashboard/links/" + tlItoa(id))
	if d.Doc.Find("#link-name").Text() != "Main link" || !strings.Contains(d.Doc.Find("#link-status").Text(), "Active") {
		t.Fatalf("detail after edit: %q", tlText(d.Doc.Find(".pagehead")))
	}
}

func TestLinkWritesForbiddenToUsers(t *testing.T) {
	env := noAgreementsEnv(t)
	user := signedIn(t, env, "user@northwind.test")
	id := tlItoa(tlLinkID(t, env, "northwind"))
	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{http.MethodGet, "/dashboard/links/new", nil},
		{http.MethodPost, "/dashboard/links", url.Values{"name": {"Mine"}, "kind": {"referral"}, "destination": {"https://acme.test/"}}},
		{http.MethodGet, "/dashboard/links/" + id + "/edit", nil},
		{http.MethodPost, "/dashboard/links/" + id + "/edit", url.Values{"name": {"Mine"}, "destination": {"https://acme.test/"}}},
		{http.MethodPost, "/dashboard/links/" + id + "/active", url.Values{"active": {"off"}}},
	} {
		var r *apptest.Response
		if tc.method == http.MethodGet {
			r = user.Get(tc.path)
		} else {
			r = user.Post(tc.path, tc.form)
		}
		if r.StatusCode != http.StatusForbidden {
			t.Fatalf("%s %s: %d, want 403", tc.method, tc.path, r.StatusCode)
		}
	}
	if n := queryInt(t, env, "SELECT count(*) FROM tracking_links WHERE code = 'northwind' AND active AND name = 'Default referral link'"); n != 1 {
		t.Fatal("a User changed the link")
	}
	if n := queryInt(t, env, "SELECT count(*) FROM tracking_links WHERE name = 'Mine'"); n != 0 {
		t.Fatal("a User created a link")
	}
	// Reading the link's page is fine, without the buttons.
	r := user.Get("/dashboard/links/" + id)
	if r.StatusCode != http.StatusOK || r.Doc.Find("#edit-link").Length() != 0 || r.Doc.Find(`form[action$="/active"]`).Length() != 0 {
		t.Fatalf("User's link page: %d", r.StatusCode)
	}
}

func TestLinksOfOtherPartnersAndOrganizations(t *testing.T) {
	env := noAgreementsEnv(t)
	northwind := tlItoa(tlLinkID(t, env, "northwind"))
	for _, email := range []string{"admin@globex.test", "admin@initrode.test"} {
		c := signedIn(t, env, email)
		for _, tc := range []struct {
			method, path string
			form         url.Values
		}{
			{http.MethodGet, "/dashboard/links/" + northwind, nil},
			{http.MethodGet, "/dashboard/links/" + northwind + "/edit", nil},
			{http.MethodPost, "/dashboard/links/" + northwind + "/edit", url.Values{"name": {"Taken"}, "destination": {"https://acme.test/"}}},
			{http.MethodPost, "/dashboard/links/" + northwind + "/active", url.Values{"active": {"off"}}},
		} {
			var r *apptest.Response
			if tc.method == http.MethodGet {
				r = c.Get(tc.path)
			} else {
				r = c.Post(tc.path, tc.form)
			}
			if r.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: %s %s: %d, want 404", email, tc.method, tc.path, r.StatusCode)
			}
		}
		r := c.Get("/dashboard/links")
		if tlRow(r, "northwind").Length() != 0 || r.Doc.Find(".link-row").Length() != 1 {
			t.Fatalf("%s sees %d links", email, r.Doc.Find(".link-row").Length())
		}
	}
	if n := queryInt(t, env, "SELECT count(*) FROM tracking_links WHERE code = 'northwind' AND active AND name = 'Default referral link'"); n != 1 {
		t.Fatal("another company changed Northwind's link")
	}
	// Initech's admin can only point links at Initech's destinations.
	initrode := signedIn(t, env, "admin@initrode.test")
	r := initrode.Post("/dashboard/links", url.Values{"name": {"Sneaky"}, "kind": {"referral"}, "destination": {"https://acme.test/"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("#destination-error").Text(), "https://initech.test/") {
		t.Fatalf("Initech link to Acme: %d %q", r.StatusCode, r.Doc.Find("#destination-error").Text())
	}
}

// tlInsertLead adds a lead credited to a link (as the sign-up API would).
func tlInsertLead(t *testing.T, env *apptest.Env, linkID int64, email, currency, stage string, revenue int64, created time.Time) int64 {
	t.Helper()
	var wonAt *time.Time
	if stage == "won" {
		wonAt = &created
	}
	var id int64
	if err := env.Store.Pool.QueryRow(t.Context(), `INSERT INTO leads (organization_id, partner_id, source, status, stage, company, email,
		currency, revenue_minor, tracking_link_id, created_at, won_at)
		SELECT l.organization_id, l.partner_id, 'referral_link', 'approved', $2::text, 'Signup ' || $3::text, $3::text,
		       $4::text, $5::bigint, l.id, $6::timestamptz, $7::timestamptz
		FROM tracking_links l WHERE l.id = $1 RETURNING id`, linkID, stage, email, currency, revenue, created, wonAt).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func tlInsertCommission(t *testing.T, env *apptest.Env, leadID, amount int64, currency, status string) {
	t.Helper()
	if _, err := env.Store.Pool.Exec(t.Context(), `INSERT INTO commissions (organization_id, partner_id, lead_id, kind, amount_minor, currency, status, earning_key, reason)
		SELECT organization_id, partner_id, id, 'revenue_share', $2::bigint, $3::text, $4::text, 'test:' || gen_random_uuid(), 'Test'
		FROM leads WHERE id = $1`, leadID, amount, currency, status); err != nil {
		t.Fatal(err)
	}
}

func TestLinkFiguresForThePeriod(t *testing.T) {
	env := noAgreementsEnv(t)
	link := tlLinkID(t, env, "northwind")
	globexLink := tlLinkID(t, env, "globex")

	// Three clicks from two browsers, a bot that is not counted, a Globex click.
	first, second := env.Client(t), env.Client(t)
	for _, c := range []*apptest.Client{first, first, second} {
		if r := click(c, http.MethodGet, "/r/northwind", browserUA); r.StatusCode != http.StatusFound {
			t.Fatal(r.StatusCode)
		}
	}
	click(env.Client(t), http.MethodGet, "/r/northwind", "Slackbot-LinkExpanding 1.0")
	click(env.Client(t), http.MethodGet, "/r/globex", browserUA)
	rollUp(t, env)

	now := env.Clock.Now()
	won := tlInsertLead(t, env, link, "a@signup.test", "USD", "won", 120000, now.Add(-time.Second))
	tlInsertCommission(t, env, won, 18000, "USD", "pending")
	wonEUR := tlInsertLead(t, env, link, "b@signup.test", "EUR", "won", 50000, now.Add(-time.Second))
	tlInsertCommission(t, env, wonEUR, 7500, "EUR", "void") // void: counts nowhere
	tlInsertLead(t, env, link, "c@signup.test", "USD", "new", 0, now.Add(-time.Second))
	old := tlInsertLead(t, env, link, "d@signup.test", "USD", "won", 30000, now.AddDate(-2, 0, 0))
	tlInsertCommission(t, env, old, 4500, "USD", "paid")
	tlInsertLead(t, env, globexLink, "e@signup.test", "USD", "won", 99900, now.Add(-time.Second))

	user := signedIn(t, env, "user@northwind.test")
	check := func(period string, clicks, uniques, leads string, revenue, commission []string) {
		t.Helper()
		r := user.Get("/dashboard/links?period=" + period)
		row := tlRow(r, "northwind")
		got := []string{row.Find(".link-clicks").Text(), row.Find(".link-uniques").Text(), row.Find(".link-leads").Text()}
		if strings.Join(got, " ") != clicks+" "+uniques+" "+leads {
			t.Fatalf("%s: clicks/uniques/leads %v, want %s %s %s", period, got, clicks, uniques, leads)
		}
		rev, _ := row.Find(".link-revenue").Html()
		com, _ := row.Find(".link-commission").Html()
		if rev != strings.Join(revenue, "<br/>") || com != strings.Join(commission, "<br/>") {
			t.Fatalf("%s: revenue %q commission %q, want %v %v", period, rev, com, revenue, commission)
		}
		// The link's own page shows the same figures.
		d := user.Get("/dashboard/links/" + tlItoa(link) + "?period=" + period)
		if d.Doc.Find("#metric-clicks").Text() != clicks || d.Doc.Find("#metric-uniques").Text() != uniques ||
			d.Doc.Find("#metric-leads").Text() != leads || tlSpans(d.Doc.Find("#metric-revenue")) != strings.Join(revenue, "|") ||
			tlSpans(d.Doc.Find("#metric-commission")) != strings.Join(commission, "|") {
			t.Fatalf("%s: link page %q", period, tlText(d.Doc.Find(".metrics")))
		}
	}
	usd, eur := func(m int64) string { return money.Format(m, "USD") }, func(m int64) string { return money.Format(m, "EUR") }
	check("this_month", "3", "2", "3", []string{usd(120000), eur(50000)}, []string{usd(18000)})
	check("lifetime", "3", "2", "4", []string{usd(150000), eur(50000)}, []string{usd(22500)})
	check("last_year", "0", "0", "0", []string{usd(0)}, []string{usd(0)})

	// The chart: one day with three clicks, described in words and as a table.
	d := user.Get("/dashboard/links/" + tlItoa(link) + "?period=last_30_days")
	svg := d.Doc.Find("#click-chart svg")
	if svg.Length() != 1 || svg.AttrOr("role", "") != "img" || svg.Find(".click-chart-bars rect").Length() != 1 {
		t.Fatalf("chart: %d svg, %d bars\n%s", svg.Length(), svg.Find(".click-chart-bars rect").Length(), d.Body)
	}
	if title := svg.Find("title#click-chart-title").Text(); title != "Clicks per day, Last 30 days" {
		t.Fatalf("chart title %q", title)
	}
	if desc := svg.Find("desc").Text(); !strings.HasPrefix(desc, "3 clicks from ") {
		t.Fatalf("chart description %q", desc)
	}
	if n := svg.Find(".click-chart-axis text").Length(); n < 4 {
		t.Fatalf("%d axis labels", n)
	}
	if rows := d.Doc.Find("#click-chart-table tbody tr"); rows.Length() != 30 || !strings.Contains(rows.Text(), "3") {
		t.Fatalf("chart table has %d rows", rows.Length())
	}
	if strings.Contains(d.Body, "style=") {
		t.Fatal("inline style attribute (forbidden by the CSP)")
	}
	if r := user.Get("/dashboard/links/" + tlItoa(link) + "?period=last_year"); r.Doc.Find("#click-chart-empty").Length() != 1 {
		t.Fatal("no empty state for a period without clicks")
	}
}

func TestRewardsTab(t *testing.T) {
	env := noAgreementsEnv(t)
	user := signedIn(t, env, "user@northwind.test")
	r := user.Get("/dashboard/rewards")
	if r.StatusCode != http.StatusOK || r.Doc.Find(`.tabs a[href="/dashboard/rewards"][aria-current=page]`).Length() != 1 {
		t.Fatalf("status %d", r.StatusCode)
	}
	if r.Doc.Find("#tier-name").Text() != "Premium" || r.Doc.Find("#tier-rate").Text() != money.FormatBps(1500) ||
		!strings.Contains(r.Doc.Find("#tier-benefits").Text(), "Co-marketing budget") {
		t.Fatalf("current tier: %q", tlText(r.Doc.Find("#current-tier")))
	}
	if items := r.Doc.Find("#tier-rewards li"); items.Length() != 4 || items.First().Text() != "Partner badge for your website" {
		t.Fatalf("off-platform rewards: %d %q", items.Length(), items.Text())
	}
	rows := r.Doc.Find("#all-tiers tr.tier-row")
	if rows.Length() != 2 || r.Doc.Find("#all-tiers tr.current-tier").Length() != 1 ||
		!strings.Contains(r.Doc.Find("#all-tiers tr.current-tier").Text(), "Premium") ||
		!strings.Contains(rows.First().Text(), money.FormatBps(1000)) {
		t.Fatalf("tier table: %q", tlText(r.Doc.Find("#all-tiers")))
	}

	// A company without a tier is told so honestly.
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE partners SET tier_id = NULL WHERE name = 'Globex Partners'"); err != nil {
		t.Fatal(err)
	}
	globex := signedIn(t, env, "admin@globex.test")
	r = globex.Get("/dashboard/rewards")
	if !strings.Contains(r.Doc.Find("#current-tier h2").Text(), "not assigned") || r.Doc.Find("#tier-rate").Length() != 0 ||
		r.Doc.Find("#all-tiers tr.current-tier").Length() != 0 {
		t.Fatalf("no tier: %q", tlText(r.Doc.Find("#current-tier")))
	}
}
