package app_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"

	"partnerportal/app/apptest"
	"partnerportal/app/money"
)

func listIDs(t *testing.T, env *apptest.Env, sql string, args ...any) []string {
	t.Helper()
	rows, err := env.Store.Pool.Query(t.Context(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, "lead-"+strconv.FormatInt(id, 10))
	}
	return ids
}

// yours is the SQL condition of "Your Leads" for a partner given by name.
const yours = `partner_id = (SELECT id FROM partners WHERE name = $1) AND source IN ('partner', 'referral_link')`

// testLead is a lead inserted by hand with known values.
type testLead struct {
	Partner, Company, Contact, Email, Domain, Phone, Status, Stage, Source, Currency string
	Value, Revenue                                                                   int64
	Created                                                                          time.Time
	Won                                                                              *time.Time
	CreatedBy                                                                        string // user email
}

func listInsertLead(t *testing.T, env *apptest.Env, l testLead) int64 {
	t.Helper()
	if l.Status == "" {
		l.Status = "in_review"
	}
	if l.Stage == "" {
		l.Stage = "new"
	}
	if l.Source == "" {
		l.Source = "partner"
	}
	if l.Currency == "" {
		l.Currency = "USD"
	}
	if l.Created.IsZero() {
		l.Created = env.Clock.Now()
	}
	var id int64
	err := env.Store.Pool.QueryRow(t.Context(), `
		INSERT INTO leads (organization_id, partner_id, created_by_user_id, source, status, stage, company, domain,
		                   contact_name, email, phone, currency, deal_value_minor, revenue_minor, created_at, won_at)
		SELECT p.organization_id, p.id, (SELECT id FROM users WHERE email = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
		FROM partners p WHERE p.name = $1
		RETURNING id`,
		l.Partner, l.CreatedBy, l.Source, l.Status, l.Stage, l.Company, l.Domain, l.Contact, l.Email, l.Phone,
		l.Currency, l.Value, l.Revenue, l.Created, l.Won).Scan(&id)
	if err != nil {
		t.Fatalf("insert lead %s: %v", l.Company, err)
	}
	return id
}

// rowIDs lists the ids (lead-N) of the rows the page shows.
func rowIDs(doc *goquery.Document) []string {
	var ids []string
	doc.Find("#lead-rows tr").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("id", "")) })
	return ids
}

func tabCount(doc *goquery.Document, status string) string {
	return strings.TrimSpace(doc.Find(`.status-tabs a[data-status="` + status + `"] .count`).Text())
}

func TestLeadListStatusTabsAndCounts(t *testing.T) {
	env := noAgreementsEnv(t)
	// A lead the organization referred to Northwind belongs to the other tab.
	listInsertLead(t, env, testLead{Partner: "Northwind Agency", Company: "Referred Elsewhere", Source: "referral", Status: "approved"})
	c := signedIn(t, env, "admin@northwind.test")
	r := c.Get("/leads")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /leads: %d", r.StatusCode)
	}
	for _, tc := range []struct{ status, cond string }{
		{"", "true"}, {"approved", "status = 'approved'"}, {"in_review", "status = 'in_review'"}, {"rejected", "status = 'rejected'"},
	} {
		want := queryInt(t, env, "SELECT count(*) FROM leads WHERE "+yours+" AND "+tc.cond, "Northwind Agency")
		if got := tabCount(r.Doc, tc.status); got != strconv.FormatInt(want, 10) {
			t.Errorf("tab %q shows %q, SQL says %d", tc.status, got, want)
		}
		page := c.Get("/leads?status=" + tc.status)
		wantIDs := listIDs(t, env, "SELECT id FROM leads WHERE "+yours+" AND "+tc.cond+" ORDER BY created_at DESC, id DESC LIMIT 25", "Northwind Agency")
		if got := rowIDs(page.Doc); !slices.Equal(got, wantIDs) {
			t.Errorf("status %q: rows %v, want %v", tc.status, got, wantIDs)
		}
		if cur := page.Doc.Find(`.status-tabs a[aria-current="page"]`).AttrOr("data-status", "?"); cur != tc.status {
			t.Errorf("status %q: the current tab is %q", tc.status, cur)
		}
		if tc.status != "" {
			page.Doc.Find("#lead-rows .status").Each(func(_ int, s *goquery.Selection) {
				if !s.HasClass("status-" + tc.status) {
					t.Errorf("status %q: a row shows %q", tc.status, s.Text())
				}
			})
		}
	}
	if strings.Contains(r.Body, "Referred Elsewhere") || strings.Contains(c.Get("/leads?q=referred").Body, "Referred Elsewhere") {
		t.Error("a lead referred by the organization is listed under Your Leads")
	}
	// The page around the list.
	for _, sel := range []string{`a[href="/leads/new"]`, `nav a[href="/leads/referrals"]`, "#metric-leads", "#metric-won", "#metric-pending", "#metric-paid"} {
		if r.Doc.Find(sel).Length() == 0 {
			t.Errorf("the Leads page has no %s", sel)
		}
	}
	leads := queryInt(t, env, "SELECT count(*) FROM leads WHERE "+yours, "Northwind Agency")
	won := queryInt(t, env, "SELECT count(*) FROM leads WHERE "+yours+" AND stage = 'won' AND won_at IS NOT NULL", "Northwind Agency")
	if got := r.Doc.Find("#metric-leads").Text(); got != strconv.FormatInt(leads, 10) {
		t.Errorf("Leads metric %q, want %d", got, leads)
	}
	if got := r.Doc.Find("#metric-won").Text(); got != strconv.FormatInt(won, 10) {
		t.Errorf("Leads Won metric %q, want %d", got, won)
	}
	// The figures are the company's, whatever the list is narrowed to.
	if got := c.Get("/leads?q=umber&status=rejected").Doc.Find("#metric-leads").Text(); got != strconv.FormatInt(leads, 10) {
		t.Errorf("Leads metric under a search %q, want %d", got, leads)
	}
	// The commission figures are the sums of the company's rows (the demo's
	// won leads have commissions in several states).
	pending := queryInt(t, env, `SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE status IN ('pending', 'approved')
		AND partner_id = (SELECT id FROM partners WHERE name = $1)`, "Northwind Agency")
	paid := queryInt(t, env, `SELECT coalesce(sum(amount_minor), 0) FROM commissions WHERE status = 'paid'
		AND partner_id = (SELECT id FROM partners WHERE name = $1)`, "Northwind Agency")
	if pending == 0 || paid == 0 {
		t.Errorf("demo commissions: pending %d, paid %d; want both", pending, paid)
	}
	if got, want := r.Doc.Find("#metric-pending").Text()+"|"+r.Doc.Find("#metric-paid").Text(),
		money.Format(pending, "USD")+"|"+money.Format(paid, "USD"); got != want {
		t.Errorf("commissions read %q, want %q", got, want)
	}
	// Unknown filter values fall back instead of failing.
	if r := c.Get("/leads?status=bogus&sort=nope&dir=up&page=-3"); r.StatusCode != http.StatusOK || tabCount(r.Doc, "") == "" {
		t.Errorf("bad filter values: %d", r.StatusCode)
	}
}

func TestLeadListSearch(t *testing.T) {
	env := noAgreementsEnv(t)
	np := "Northwind Agency"
	zyx := listInsertLead(t, env, testLead{Partner: np, Company: "Zyxwv Widgets", Contact: "Quinn Zebra", Email: "qz@zyx-mail.test", Domain: "zyxwv-widgets.test"})
	pct := listInsertLead(t, env, testLead{Partner: np, Company: "100% Pure_Data", Status: "approved"})
	listInsertLead(t, env, testLead{Partner: np, Company: "1000 Pure Data"})
	listInsertLead(t, env, testLead{Partner: "Globex Partners", Company: "Zyxwv Globex Branch"})
	umlaut := listInsertLead(t, env, testLead{Partner: np, Company: "Größenwahn Bäckerei", Domain: "groessenwahn.test"})
	c := signedIn(t, env, "user@northwind.test")
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"ZYXWV", []int64{zyx}},         // case-insensitive, another partner's match left out
		{"wv widg", []int64{zyx}},       // partial, across words
		{"quinn zeb", []int64{zyx}},     // contact name
		{"qz@zyx-MAIL", []int64{zyx}},   // email
		{"wv-widgets.te", []int64{zyx}}, // domain
		{"100%", []int64{pct}},          // % is literal
		{"pure_d", []int64{pct}},        // _ is literal
		{"RÖßENW", []int64{umlaut}},     // beyond ASCII, lower-cased too
		{"n bäc", []int64{umlaut}},      // a term ending inside a word
		{"  zyxwv  ", []int64{zyx}},     // trimmed
	} {
		r := c.Get("/leads?q=" + url.QueryEscape(tc.q))
		var want []string
		for _, id := range tc.want {
			want = append(want, fmt.Sprintf("lead-%d", id))
		}
		if got := rowIDs(r.Doc); !slices.Equal(got, want) {
			t.Errorf("q=%q: rows %v, want %v", tc.q, got, want)
		}
		if got := tabCount(r.Doc, ""); got != strconv.Itoa(len(tc.want)) {
			t.Errorf("q=%q: the All tab counts %s", tc.q, got)
		}
		if v := r.Doc.Find("#lead-q").AttrOr("value", ""); v != strings.ReplaceAll(strings.TrimSpace(tc.q), "\x00", "") {
			t.Errorf("q=%q: the search box shows %q", tc.q, v)
		}
	}
	// A NUL byte or text that is not UTF-8 in the search is refused at the
	// edge (input_check.go), like in any other field: a 422 naming it.
	for _, q := range []string{"zyx\x00wv", "zyx\xffwv"} {
		r := c.Get("/leads?q=" + url.QueryEscape(q))
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("main").Text(), "“q”") {
			t.Errorf("q=%q: %d %q", q, r.StatusCode, strings.TrimSpace(r.Doc.Find("main").Text()))
		}
	}
	// Fewer than three letters or digits in a row: the list says so and is
	// not filtered (such a term has no trigram to look up).
	all := tabCount(c.Get("/leads").Doc, "")
	for _, q := range []string{"zy", "e_d", "1 2 3"} {
		r := c.Get("/leads?q=" + url.QueryEscape(q))
		if !strings.Contains(r.Doc.Find("#search-hint").Text(), "at least three letters or digits") {
			t.Errorf("q=%q: no hint about the term's length", q)
		}
		if got := tabCount(r.Doc, ""); got != all {
			t.Errorf("q=%q: the All tab counts %s, want every lead (%s)", q, got, all)
		}
		if v := r.Doc.Find("#lead-q").AttrOr("value", ""); v != q {
			t.Errorf("q=%q: the search box shows %q", q, v)
		}
	}
	if c.Get("/leads?q=zyx").Doc.Find("#search-hint").Length() != 0 {
		t.Error("a searchable term shows the length hint")
	}
	// Counts follow the search: "pure" finds one approved and one in review.
	r := c.Get("/leads?q=pure")
	if tabCount(r.Doc, "approved") != "1" || tabCount(r.Doc, "in_review") != "1" || tabCount(r.Doc, "rejected") != "0" {
		t.Errorf("counts under a search: approved %s, in review %s, rejected %s",
			tabCount(r.Doc, "approved"), tabCount(r.Doc, "in_review"), tabCount(r.Doc, "rejected"))
	}
	// The status tabs keep the search.
	if href := r.Doc.Find(`.status-tabs a[data-status="approved"]`).AttrOr("href", ""); href != "/leads?q=pure&status=approved" {
		t.Errorf("approved tab links to %q", href)
	}
	// Nothing found: an empty state that says so and offers a way back.
	r = c.Get("/leads?q=no-such-lead-anywhere")
	if !strings.Contains(r.Doc.Find("#lead-empty").Text(), "No leads match") || r.Doc.Find("#clear-filters").AttrOr("href", "") != "/leads" {
		t.Errorf("no-match state: %q", r.Doc.Find("#lead-empty").Text())
	}
}

func TestLeadListSortOrders(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "admin@northwind.test")
	for _, tc := range []struct{ sort, dir, order string }{
		{"created", "desc", "created_at DESC, id DESC"},
		{"created", "asc", "created_at ASC, id ASC"},
		{"company", "asc", "lower(company) ASC, id ASC"},
		{"company", "desc", "lower(company) DESC, id DESC"},
		{"value", "asc", "deal_value_minor ASC, id ASC"},
		{"value", "desc", "deal_value_minor DESC, id DESC"},
	} {
		for _, page := range []int{1, 2} {
			r := c.Get(fmt.Sprintf("/leads?sort=%s&dir=%s&page=%d", tc.sort, tc.dir, page))
			want := listIDs(t, env, "SELECT id FROM leads WHERE "+yours+" ORDER BY "+tc.order+" LIMIT 25 OFFSET $2",
				"Northwind Agency", (page-1)*25)
			if got := rowIDs(r.Doc); !slices.Equal(got, want) {
				t.Errorf("%s %s page %d: rows %v, want %v", tc.sort, tc.dir, page, got, want)
			}
			if sel := r.Doc.Find("#lead-sort option[selected]").AttrOr("value", ""); sel != tc.sort {
				t.Errorf("%s %s: the sort select shows %q", tc.sort, tc.dir, sel)
			}
			// A search's page comes from its one pass over the matches
			// (SearchLeadPageForPartner): the same order.
			r = c.Get(fmt.Sprintf("/leads?q=example&sort=%s&dir=%s&page=%d", tc.sort, tc.dir, page))
			want = listIDs(t, env, "SELECT id FROM leads WHERE "+yours+" AND search_text LIKE '%example%' ORDER BY "+tc.order+" LIMIT 25 OFFSET $2",
				"Northwind Agency", (page-1)*25)
			if got := rowIDs(r.Doc); !slices.Equal(got, want) {
				t.Errorf("q=example %s %s page %d: rows %v, want %v", tc.sort, tc.dir, page, got, want)
			}
		}
	}
}

func TestLeadListPaginationKeepsFilters(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "admin@northwind.test")
	// Every seeded lead's domain ends in .example.
	base := "/leads?q=example&sort=company&dir=asc"
	total := queryInt(t, env, "SELECT count(*) FROM leads WHERE "+yours+" AND search_text LIKE '%example%'", "Northwind Agency")
	if total <= 25 {
		t.Fatalf("need more than one page, have %d", total)
	}
	r := c.Get(base)
	next, ok := r.Doc.Find(`.pager a[rel="next"]`).Attr("href")
	if !ok {
		t.Fatal("no Next link")
	}
	u, _ := url.Parse(next)
	q := u.Query()
	if u.Path != "/leads" || q.Get("q") != "example" || q.Get("sort") != "company" || q.Get("dir") != "asc" || q.Get("page") != "2" {
		t.Fatalf("Next link %q loses the filter", next)
	}
	if r.Doc.Find(`.pager a[rel="next"]`).AttrOr("hx-get", "") != next {
		t.Error("the Next link does not load through htmx")
	}
	r2 := c.Get(next)
	want := listIDs(t, env, "SELECT id FROM leads WHERE "+yours+" AND search_text LIKE '%example%' ORDER BY lower(company), id LIMIT 25 OFFSET 25", "Northwind Agency")
	if got := rowIDs(r2.Doc); !slices.Equal(got, want) {
		t.Errorf("page 2: rows %v, want %v", got, want)
	}
	prev := r2.Doc.Find(`.pager a[rel="prev"]`).AttrOr("href", "")
	if pu, _ := url.Parse(prev); pu.Query().Get("q") != "example" || pu.Query().Has("page") {
		t.Errorf("Previous link %q", prev)
	}
	if got := r2.Doc.Find("#lead-summary").Text(); !strings.Contains(got, fmt.Sprintf("Showing 26–%d of %d", min(50, total), total)) {
		t.Errorf("summary %q", got)
	}
	// The export link carries the same filter, without the page.
	if href := r2.Doc.Find("#export-csv").AttrOr("href", ""); href != "/leads/export.csv?dir=asc&q=example&sort=company" {
		t.Errorf("export link %q", href)
	}
	// Past the end: a way back, not an error.
	r3 := c.Get(base + "&page=99")
	if r3.StatusCode != http.StatusOK || r3.Doc.Find("#lead-empty a").AttrOr("href", "") != "/leads?dir=asc&q=example&sort=company" {
		t.Errorf("page past the end: %d %q", r3.StatusCode, r3.Doc.Find("#lead-empty").Text())
	}
}

func TestLeadListFragmentOrPage(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "admin@northwind.test")
	for _, tc := range []struct {
		name     string
		path     string
		headers  map[string]string
		fragment bool
	}{
		{"plain request", "/leads?status=approved", nil, false},
		{"htmx from the filters", "/leads?status=approved", map[string]string{"HX-Request": "true", "HX-Target": "lead-results"}, true},
		{"history restore", "/leads?status=approved", map[string]string{"HX-Request": "true", "HX-Target": "lead-results", "HX-History-Restore-Request": "true"}, false},
		{"boosted", "/leads?status=approved", map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(http.MethodGet, tc.path, nil, tc.headers)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d", r.StatusCode)
			}
			if !strings.Contains(r.Header.Get("Vary"), "HX-Request") {
				t.Errorf("Vary %q", r.Header.Get("Vary"))
			}
			full := strings.Contains(r.Body, "<html") && r.Doc.Find("header.topbar").Length() == 1
			if full == tc.fragment {
				t.Fatalf("fragment %v wanted, got full page %v", tc.fragment, full)
			}
			if r.Doc.Find("#lead-results").Length() != 1 || r.Doc.Find(`#lead-results .status-tabs a[aria-current="page"][data-status="approved"]`).Length() != 1 {
				t.Error("the results with the approved tab are missing")
			}
			if tc.fragment {
				if r.Doc.Find("#metric-leads, #lead-filters").Length() != 0 {
					t.Error("the fragment carries more than the results")
				}
				if got := r.Header.Get("HX-Push-Url"); got != "/leads?status=approved" {
					t.Errorf("HX-Push-Url %q", got)
				}
			} else if r.Doc.Find("#lead-filters").Length() != 1 {
				t.Error("the page has no filter form")
			}
		})
	}
	// The filter form works without JavaScript: a GET form on the page it is on.
	r := c.Get("/leads")
	f := r.Doc.Find("form#lead-filters")
	if f.AttrOr("method", "") != "get" || f.AttrOr("action", "") != "/leads" || f.AttrOr("hx-get", "") != "/leads" ||
		f.AttrOr("hx-push-url", "") != "true" || !strings.Contains(f.AttrOr("hx-trigger", ""), "input changed delay:300ms") ||
		f.Find("button[type=submit]").Length() != 1 {
		h, _ := goquery.OuterHtml(f)
		t.Errorf("filter form: %s", h)
	}
}

func TestLeadListOnlyTheCompanysLeads(t *testing.T) {
	env := noAgreementsEnv(t)
	listInsertLead(t, env, testLead{Partner: "Northwind Agency", Company: "Northwind Secret Deal"})
	for _, tc := range []struct{ email, partner, org string }{
		{"admin@globex.test", "Globex Partners", "acme"},
		{"admin@initrode.test", "Initrode Resellers", "initech"},
	} {
		c := signedIn(t, env, tc.email)
		want := listIDs(t, env, "SELECT id FROM leads WHERE "+yours+" ORDER BY created_at DESC, id DESC LIMIT 25", tc.partner)
		r := c.Get("/leads")
		if got := rowIDs(r.Doc); !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("%s sees %v, want %v", tc.email, got, want)
		}
		all := queryInt(t, env, "SELECT count(*) FROM leads WHERE "+yours, tc.partner)
		if got := tabCount(r.Doc, ""); got != strconv.FormatInt(all, 10) {
			t.Errorf("%s: All counts %s, want %d", tc.email, got, all)
		}
		for _, p := range []string{"/leads?q=northwind+secret", "/dashboard?q=northwind+secret", "/leads/export.csv?q=northwind+secret"} {
			if body := c.Get(p).Body; strings.Contains(body, "Northwind Secret Deal") {
				t.Errorf("%s sees Northwind's lead on %s", tc.email, p)
			}
		}
	}
	// Staff do not get the partner list.
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Get("/leads/export.csv"); r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusNotFound {
		t.Errorf("staff export: %d", r.StatusCode)
	}
}

func TestLeadListRowActionsAndDuplicates(t *testing.T) {
	env := noAgreementsEnv(t)
	np := "Northwind Agency"
	mine := listInsertLead(t, env, testLead{Partner: np, Company: "Umar's Own Lead", CreatedBy: "user@northwind.test"})
	nora := listInsertLead(t, env, testLead{Partner: np, Company: "Nora's Lead", CreatedBy: "admin@northwind.test"})
	approved := listInsertLead(t, env, testLead{Partner: np, Company: "Umar's Approved Lead", Status: "approved", CreatedBy: "user@northwind.test"})
	dup := listInsertLead(t, env, testLead{Partner: np, Company: "Dup & Co", CreatedBy: "admin@northwind.test"})
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE leads SET duplicate_of_lead_id = $1, duplicate_reason = 'Possible duplicate: same domain (dup.test).' WHERE id = $2", nora, dup); err != nil {
		t.Fatal(err)
	}
	row := func(doc *goquery.Document, id int64) *goquery.Selection { return doc.Find(fmt.Sprintf("#lead-%d", id)) }

	user := signedIn(t, env, "user@northwind.test")
	r := user.Get("/leads")
	for _, tc := range []struct {
		id   int64
		edit bool
	}{{mine, true}, {nora, false}, {approved, false}, {dup, false}} {
		tr := row(r.Doc, tc.id)
		if tr.Length() != 1 {
			t.Fatalf("lead %d not on the first page", tc.id)
		}
		if tr.Find(fmt.Sprintf(`a[href="/leads/%d"]`, tc.id)).Length() != 1 {
			t.Errorf("lead %d: the company does not link to the lead", tc.id)
		}
		edit := tr.Find(fmt.Sprintf(`a[href="/leads/%d/edit"]`, tc.id)).Length() == 1
		del := tr.Find(fmt.Sprintf(`form[method="post"][action="/leads/%d/delete"]`, tc.id))
		if edit != tc.edit || (del.Length() == 1) != tc.edit {
			t.Errorf("partner User, lead %d: edit %v delete %d, want %v", tc.id, edit, del.Length(), tc.edit)
		}
		if tc.edit {
			if del.Find(`input[name="_csrf"]`).AttrOr("value", "") == "" {
				t.Error("the delete form has no CSRF token")
			}
			if got := del.AttrOr("data-confirm", ""); got != "Delete the lead for Umar's Own Lead? This cannot be undone." {
				t.Errorf("data-confirm %q", got)
			}
		}
	}
	admin := signedIn(t, env, "admin@northwind.test")
	r = admin.Get("/leads")
	for _, tc := range []struct {
		id   int64
		edit bool
	}{{mine, true}, {nora, true}, {approved, false}} {
		if got := row(r.Doc, tc.id).Find(`a[href$="/edit"]`).Length() == 1; got != tc.edit {
			t.Errorf("partner Admin, lead %d: edit %v, want %v", tc.id, got, tc.edit)
		}
	}
	m := row(r.Doc, dup).Find(".dup-marker")
	if m.Length() != 1 || m.AttrOr("title", "") != "Possible duplicate: same domain (dup.test)." {
		t.Errorf("duplicate marker: %d, title %q", m.Length(), m.AttrOr("title", ""))
	}
	if row(r.Doc, nora).Find(".dup-marker").Length() != 0 {
		t.Error("a lead that is not a duplicate is marked")
	}
}

func TestLeadListEmptyState(t *testing.T) {
	env := noAgreementsEnv(t)
	if _, err := env.Store.Pool.Exec(t.Context(), "DELETE FROM leads WHERE partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')"); err != nil {
		t.Fatal(err)
	}
	c := signedIn(t, env, "admin@globex.test")
	r := c.Get("/leads")
	if !strings.Contains(r.Doc.Find("#lead-empty").Text(), "No leads yet") || r.Doc.Find(`#lead-empty a[href="/leads/new"]`).Length() != 1 {
		t.Errorf("empty state: %q", r.Doc.Find("#lead-empty").Text())
	}
	if r.Doc.Find("#lead-table").Length() != 0 {
		t.Error("an empty table is shown")
	}
}

func TestLeadsExportCSV(t *testing.T) {
	env := noAgreementsEnv(t)
	np := "Northwind Agency"
	won := time.Date(2026, 2, 3, 15, 4, 5, 0, time.UTC)
	evil := listInsertLead(t, env, testLead{Partner: np, Company: `=HYPERLINK("http://evil.test","x")`, Contact: "+1 Caller",
		Email: "@sum@evil.test", Phone: "-2+3", Domain: "evil.test", Status: "approved", Stage: "won", Value: 123450,
		Revenue: 100005, Created: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), Won: &won})
	c := signedIn(t, env, "admin@northwind.test")

	r := c.Get("/leads/export.csv?status=approved&sort=company&dir=asc")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", r.StatusCode, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "Company,Domain,Contact,Email,Phone,Status,Stage,Currency,Deal value,Revenue,Created,Won" {
		t.Errorf("header %s", got)
	}
	want := queryInt(t, env, "SELECT count(*) FROM leads WHERE "+yours+" AND status = 'approved'", np)
	if int64(len(recs)-1) != want || want <= 25 {
		t.Errorf("%d rows, want every approved lead (%d), not one page", len(recs)-1, want)
	}
	var companies []string
	for _, rec := range recs[1:] {
		if rec[5] != "Approved" {
			t.Errorf("a %s lead in an Approved export", rec[5])
		}
		if _, err := time.Parse(time.RFC3339, rec[10]); err != nil {
			t.Errorf("created %q is not RFC 3339", rec[10])
		}
		companies = append(companies, strings.ToLower(strings.TrimPrefix(rec[0], "'")))
	}
	if !slices.IsSorted(companies) {
		t.Error("the export ignores the sort order")
	}
	var got []string
	for _, rec := range recs {
		if strings.Contains(rec[0], "HYPERLINK") {
			got = rec
		}
	}
	if got == nil {
		t.Fatalf("lead %d missing from the export", evil)
	}
	for i, w := range map[int]string{0: `'=HYPERLINK("http://evil.test","x")`, 1: "evil.test", 2: "'+1 Caller", 3: "'@sum@evil.test",
		4: "'-2+3", 6: "Won", 7: "USD", 8: "1234.50", 9: "1000.05"} {
		if got[i] != w {
			t.Errorf("column %s = %q, want %q", recs[0][i], got[i], w)
		}
	}
	if ct, _ := time.Parse(time.RFC3339, got[10]); !ct.Equal(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("created %q", got[10])
	}
	if wt, _ := time.Parse(time.RFC3339, got[11]); !wt.Equal(won) {
		t.Errorf("won %q", got[11])
	}

	// A search narrows the export just like the list.
	r = c.Get("/leads/export.csv?q=" + url.QueryEscape("evil.test"))
	recs, _ = csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if len(recs) != 2 || !strings.Contains(recs[1][0], "HYPERLINK") {
		t.Errorf("search export: %v", recs)
	}
	// Another partner's export never holds it.
	if body := signedIn(t, env, "admin@globex.test").Get("/leads/export.csv").Body; strings.Contains(body, "evil.test") {
		t.Error("Globex's export holds Northwind's lead")
	}
}

// The rows are written in Go (app/lead_rows.go), not by html/template: text
// from the database must still come out as text, in content and attributes.
func TestLeadListRowsEscapeText(t *testing.T) {
	env := noAgreementsEnv(t)
	evil := `Evil "Co" <script>alert('x')</script> & Sons`
	id := listInsertLead(t, env, testLead{Partner: "Northwind Agency", Company: evil, Contact: `<b>Bold</b>`,
		Email: `a"b@evil.test`, CreatedBy: "user@northwind.test"})
	if _, err := env.Store.Pool.Exec(t.Context(), `UPDATE leads SET duplicate_of_lead_id = id, duplicate_reason = $2 WHERE id = $1`,
		id, `Same "email" as <lead>`); err != nil {
		t.Fatal(err)
	}
	r := signedIn(t, env, "user@northwind.test").Get("/leads")
	if strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, "<b>Bold") || strings.Contains(r.Body, `"Co"`) {
		t.Fatalf("unescaped text in the rows:\n%s", r.Body)
	}
	row := r.Doc.Find(fmt.Sprintf("#lead-%d", id))
	if got := row.Find(".lead-company").Text(); got != evil {
		t.Errorf("company reads %q", got)
	}
	if got := row.Find(".delete-lead").AttrOr("data-confirm", ""); got != "Delete the lead for "+evil+"? This cannot be undone." {
		t.Errorf("delete confirmation reads %q", got)
	}
	if got := row.Find(".dup-marker").AttrOr("title", ""); got != `Same "email" as <lead>` {
		t.Errorf("duplicate reason reads %q", got)
	}
	if got := row.Find("small").Text(); got != `a"b@evil.test` {
		t.Errorf("email reads %q", got)
	}
	if row.Find(`.delete-lead input[name="_csrf"]`).AttrOr("value", "") == "" {
		t.Error("the delete form has no CSRF token")
	}
}

// A term that matches more than searchCountCap leads is not counted to the
// end: the All tab says "more than", the status tabs show no number, and the
// pages still come in the chosen order with a working next link.
func TestLeadListSearchBeyondTheCountCap(t *testing.T) {
	env := noAgreementsEnv(t)
	if _, err := env.Store.Pool.Exec(t.Context(), `
		INSERT INTO leads (organization_id, partner_id, source, status, stage, company, domain, contact_name, email,
		                   currency, deal_value_minor, created_at)
		SELECT p.organization_id, p.id, 'partner', (ARRAY['in_review','approved','rejected'])[1 + i % 3], 'new',
		       'Capword Holding ' || i, 'capword' || i || '.test', 'Contact ' || i, 'c' || i || '@capword.test',
		       'USD', (i * 7919) % 100000, $1::timestamptz - i * interval '1 minute'
		FROM partners p, generate_series(1, 5100) AS i WHERE p.name = 'Northwind Agency'`, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	c := signedIn(t, env, "admin@northwind.test")
	r := c.Get("/leads?q=capword&sort=value&dir=desc")
	if r.StatusCode != http.StatusOK || r.Doc.Find("#search-capped").Length() != 1 {
		t.Fatalf("status %d, capped notice %d", r.StatusCode, r.Doc.Find("#search-capped").Length())
	}
	if got := tabCount(r.Doc, ""); got != "2,500+" {
		t.Errorf("All tab counts %q", got)
	}
	if n := r.Doc.Find(`.status-tabs a[data-status="approved"] .count`).Length(); n != 0 {
		t.Errorf("the approved tab shows a count under a capped search")
	}
	if got := r.Doc.Find("#lead-summary span").First().Text(); !strings.HasPrefix(got, "Showing 1–25 of more than 2,500") {
		t.Errorf("summary %q", got)
	}
	// The order is the real one: the 25 largest deals that match.
	want := func(offset int, status string) []string {
		rows, err := env.Store.Pool.Query(t.Context(), `SELECT 'lead-' || id FROM leads
			WHERE company LIKE 'Capword%' AND ($2 = '' OR status = $2)
			ORDER BY deal_value_minor DESC, id DESC LIMIT 25 OFFSET $1`, offset, status)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := rowIDs(r.Doc); !slices.Equal(got, want(0, "")) {
		t.Errorf("page 1: %v, want %v", got, want(0, ""))
	}
	next := r.Doc.Find(`.pager a[rel="next"]`).AttrOr("href", "")
	if next == "" || r.Doc.Find(".pager").Text() == "" || strings.Contains(r.Doc.Find(".pager").Text(), " of ") {
		t.Fatalf("pager: next %q, text %q", next, r.Doc.Find(".pager").Text())
	}
	r2 := c.Get(next)
	if got := rowIDs(r2.Doc); !slices.Equal(got, want(25, "")) {
		t.Errorf("page 2: %v, want %v", got, want(25, ""))
	}
	// A status tab of a capped search: its rows, in order.
	r3 := c.Get("/leads?q=capword&sort=value&dir=desc&status=approved&page=3")
	if got := rowIDs(r3.Doc); !slices.Equal(got, want(50, "approved")) {
		t.Errorf("approved page 3: %v, want %v", got, want(50, "approved"))
	}
	// The walk in another order (company names, A to Z).
	r7 := c.Get("/leads?q=capword&sort=company&dir=asc&page=2")
	var wantCo []string
	coRows, err := env.Store.Pool.Query(t.Context(), `SELECT 'lead-' || id FROM leads WHERE company LIKE 'Capword%'
		ORDER BY lower(company), id LIMIT 25 OFFSET 25`)
	if err != nil {
		t.Fatal(err)
	}
	if wantCo, err = pgx.CollectRows(coRows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if got := rowIDs(r7.Doc); !slices.Equal(got, wantCo) {
		t.Errorf("company page 2: %v, want %v", got, wantCo)
	}
	// A page the walk along the sort order does not reach within its limit
	// (1,475 approved leads before it: about 4,400 of the partner's leads)
	// comes from the search keys, sorted: the same rows.
	r6 := c.Get("/leads?q=capword&sort=value&dir=desc&status=approved&page=60")
	if got := rowIDs(r6.Doc); len(got) != 25 || !slices.Equal(got, want(59*25, "approved")) {
		t.Errorf("approved page 60: %v, want %v", got, want(59*25, "approved"))
	}
	// Below the cap the rows come from the search keys: same order, exact
	// counts. "capword49" is in 111 of the leads (49, 490–499, 4900–4999).
	r5 := c.Get("/leads?q=capword49&sort=value&dir=desc&page=2")
	var want49 []string
	rows, err := env.Store.Pool.Query(t.Context(), `SELECT 'lead-' || id FROM leads WHERE search_text LIKE '%capword49%'
		ORDER BY deal_value_minor DESC, id DESC LIMIT 25 OFFSET 25`)
	if err != nil {
		t.Fatal(err)
	}
	if want49, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if got := rowIDs(r5.Doc); !slices.Equal(got, want49) || tabCount(r5.Doc, "") != "111" {
		t.Errorf("capword49 page 2: %v (All %s), want %v (111)", got, tabCount(r5.Doc, ""), want49)
	}
	// A narrower term is counted exactly again.
	r4 := c.Get("/leads?q=capword4999")
	if r4.Doc.Find("#search-capped").Length() != 0 || tabCount(r4.Doc, "") != "1" {
		t.Errorf("narrow search: capped %d, All %q", r4.Doc.Find("#search-capped").Length(), tabCount(r4.Doc, ""))
	}
}

// The status tabs are written in Go too (leadList.TabsHTML): a search term
// with markup in it comes back in each tab's link as the same term.
func TestLeadListTabsKeepTheSearchTerm(t *testing.T) {
	env := noAgreementsEnv(t)
	term := `"><script>x</script>&b='1'`
	r := signedIn(t, env, "user@northwind.test").Get("/leads?status=rejected&q=" + url.QueryEscape(term))
	if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "<script>x") {
		t.Fatalf("status %d, or the term came back as markup", r.StatusCode)
	}
	for _, key := range []string{"all", "approved", "in_review", "rejected"} {
		tab := r.Doc.Find("#tab-" + key)
		u, err := url.Parse(tab.AttrOr("href", ""))
		if err != nil || u.Path != "/leads" || u.Query().Get("q") != term || tab.AttrOr("hx-get", "") != tab.AttrOr("href", "-") {
			t.Errorf("tab %s links to %q (hx-get %q)", key, tab.AttrOr("href", ""), tab.AttrOr("hx-get", ""))
		}
		if current := tab.AttrOr("aria-current", ""); (key == "rejected") != (current == "page") {
			t.Errorf("tab %s: aria-current %q", key, current)
		}
	}
}
