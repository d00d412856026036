package app_test

// Native fuzz targets for the form handlers, against the real portal (web
// tier, PostgreSQL, Redis through app/apptest). Each takes a form as its page
// shows it, filled in validly, and fuzzes up to four of its fields; whatever
// comes in, the answer is never a 500, and text the database cannot store is
// a 422. `go test` runs the seed corpus; `make fuzz` runs each for a while.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"partnerportal/app/apptest"
)

// formTarget is one form under fuzz.
type formTarget struct {
	who        string   // the user who posts it ("" signed out)
	page       string   // the page that shows the form ({lead}, {staffLead}, {agreement}, {member} are filled in)
	action     string   // the form's action; "" when it posts to page
	fields     []string // the fuzzed fields (at most 4), the others keep the page's values
	agreements bool     // leave agreement signing on (the signing form)
	setupSQL   string   // run first (data the demo set lacks)
}

func fuzzIDs(t testing.TB, env *apptest.Env) map[string]string {
	t.Helper()
	one := func(sql string) string {
		var id int64
		if err := env.Store.Pool.QueryRow(t.Context(), sql).Scan(&id); err != nil {
			return "0" // none in the demo data: the target using it says so (no form)
		}
		return fmt.Sprint(id)
	}
	nw := `(SELECT id FROM partners WHERE name = 'Northwind Agency')`
	return map[string]string{
		"{lead}": one(`SELECT id FROM leads WHERE partner_id = ` + nw + ` AND status = 'in_review' AND source = 'partner'
			AND created_by_user_id = (SELECT id FROM users WHERE email = 'user@northwind.test') ORDER BY id LIMIT 1`),
		"{anyLead}":   one(`SELECT id FROM leads WHERE partner_id = ` + nw + ` ORDER BY id LIMIT 1`),
		"{staffLead}": one(`SELECT id FROM leads WHERE partner_id = ` + nw + ` AND status = 'in_review' ORDER BY id LIMIT 1`),
		"{wonLead}":   one(`SELECT id FROM leads WHERE partner_id = ` + nw + ` AND status = 'approved' AND stage <> 'won' AND stage <> 'lost' ORDER BY id LIMIT 1`),
		"{agreement}": one(`SELECT a.id FROM agreements a JOIN organizations o ON o.id = a.organization_id WHERE o.slug = 'acme' ORDER BY a.id LIMIT 1`),
		"{member}":    one(`SELECT id FROM users WHERE email = 'user@northwind.test'`),
		"{partner}":   one(`SELECT id FROM partners WHERE name = 'Northwind Agency'`),
		"{link}":      one(`SELECT id FROM tracking_links WHERE partner_id = ` + nw + ` ORDER BY id LIMIT 1`),
		"{referral}":  one(`SELECT id FROM leads WHERE partner_id = ` + nw + ` AND source = 'referral' AND status = 'in_review' ORDER BY id LIMIT 1`),
	}
}

func expandIDs(s string, ids map[string]string) string {
	for k, v := range ids {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// errorLog keeps the portal's ERROR lines (testing.F may not log from
// inside the fuzz function, so the log does not go to the test).
type errorLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *errorLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("level=ERROR")) {
		l.mu.Lock()
		l.lines = append(l.lines, string(p))
		l.mu.Unlock()
	}
	return len(p), nil
}

// since returns the ERROR lines logged after the first n.
func (l *errorLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string{}, l.lines[n:]...)
}

func (l *errorLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// fuzzEnv is the portal for a fuzz target; its ERROR lines fail the target.
func fuzzEnv(f *testing.F) (*apptest.Env, *errorLog) {
	l := &errorLog{}
	return apptest.NewEnv(f, apptest.Options{LogWriter: l}), l
}

func fuzzForm(f *testing.F, ft formTarget) {
	env, errs := fuzzEnv(f)
	if !ft.agreements {
		if _, err := env.Store.Pool.Exec(f.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
			f.Fatal(err)
		}
	}
	if ft.setupSQL != "" {
		if _, err := env.Store.Pool.Exec(f.Context(), ft.setupSQL); err != nil {
			f.Fatal(err)
		}
	}
	c := env.Client(f)
	if ft.who != "" {
		c.SignIn(ft.who)
	}
	ids := fuzzIDs(f, env)
	page := expandIDs(ft.page, ids)
	action := page
	if ft.action != "" {
		action = expandIDs(ft.action, ids)
	}
	r := c.Get(page)
	if r.StatusCode != http.StatusOK {
		f.Fatalf("GET %s: %d", page, r.StatusCode)
	}
	sel := r.Doc.Find(`form[method="post"][action="` + action + `"]`).First()
	if sel.Length() == 0 {
		f.Fatalf("no form posting to %s on %s", action, page)
	}
	base := formFields(sel)
	values := make([]string, 4)
	for i, name := range ft.fields {
		found := false
		for _, kv := range base {
			if kv[0] == name {
				values[i], found = kv[1], true
			}
		}
		if !found {
			base = append(base, [2]string{name, ""})
		}
	}
	f.Add(values[0], values[1], values[2], values[3])
	for i := range ft.fields {
		for _, bad := range fieldBadValues {
			seed := append([]string{}, values...)
			seed[i] = bad.value
			f.Add(seed[0], seed[1], seed[2], seed[3])
		}
	}
	w := newWalkClient(f, env, ft.who, c)
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		in := []string{a, b, c, d}
		form := make([][2]string, len(base))
		copy(form, base)
		storable := true
		for i, name := range ft.fields {
			for j := range form {
				if form[j][0] == name {
					form[j][1] = in[i]
				}
			}
			storable = storable && utf8.ValidString(in[i]) && !strings.ContainsRune(in[i], 0) && utf8.ValidString(name)
		}
		logged := errs.count()
		res, err := w.try("POST", action, "application/x-www-form-urlencoded", []byte(encodeFields(form)), nil)
		if lines := errs.since(logged); len(lines) > 0 {
			t.Fatalf("POST %s %q logged an error: %s", action, in, lines[0])
		}
		if err != nil {
			if len(encodeFields(form)) > 2<<20 {
				return // over the body limit: the server hangs up (413)
			}
			t.Fatal(err)
		}
		if res.status >= 500 {
			t.Fatalf("POST %s %q: %d\n%.300s", action, in, res.status, errorText(res.body))
		}
		if !storable && res.status != http.StatusUnprocessableEntity {
			t.Fatalf("POST %s %q (unstorable): %d, want 422", action, in, res.status)
		}
	})
}

func FuzzFormLeadNew(f *testing.F) {
	fuzzForm(f, formTarget{who: "user@northwind.test", page: "/leads/new", fields: []string{"company", "email", "deal_value", "domain"}})
}

func FuzzFormLeadEdit(f *testing.F) {
	fuzzForm(f, formTarget{who: "user@northwind.test", page: "/leads/{lead}/edit", fields: []string{"contact_name", "phone", "currency", "notes"}})
}

func FuzzFormLeadNote(f *testing.F) {
	fuzzForm(f, formTarget{who: "user@northwind.test", page: "/leads/{anyLead}", action: "/leads/{anyLead}/notes", fields: []string{"note"}})
}

func FuzzFormLinkNew(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/dashboard/links/new", action: "/dashboard/links",
		fields: []string{"name", "destination", "utm_source", "utm_campaign"}})
}

func FuzzFormLinkEdit(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/dashboard/links/{link}/edit",
		fields: []string{"name", "destination", "utm_medium", "utm_source"}})
}

func FuzzFormLinkActive(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/dashboard/links/{link}", action: "/dashboard/links/{link}/active", fields: []string{"active"}})
}

func FuzzFormMemberRole(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/manage", action: "/manage/users/{member}/role", fields: []string{"role"}})
}

func FuzzFormReferralDecline(f *testing.F) {
	fuzzForm(f, formTarget{who: "user@northwind.test", page: "/leads/referrals", action: "/leads/{referral}/decline", fields: []string{"reason"},
		setupSQL: `INSERT INTO leads (organization_id, partner_id, source, status, company, contact_name, email, currency)
			SELECT organization_id, id, 'referral', 'in_review', 'Fuzz Referral Co', 'Rae Ferral', 'rae@fuzz.example', 'USD'
			FROM partners WHERE name = 'Northwind Agency'`})
}

func FuzzFormAgreementEnabled(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/agreements/{agreement}", action: "/console/agreements/{agreement}/enabled", fields: []string{"enabled"}})
}

func FuzzFormAgreementsSwitch(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/agreements", action: "/console/agreements/settings", fields: []string{"agreements_enabled"}})
}

func FuzzFormMemberEdit(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/manage/users/{member}/edit", fields: []string{"name", "role"}})
}

func FuzzFormPartnerTier(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/partners/{partner}", action: "/console/partners/{partner}/tier", fields: []string{"tier_id"}})
}

func FuzzFormProgramSettings(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/program", action: "/console/program/settings", fields: []string{"hold_days", "approval"}})
}

func FuzzFormSpiffCreate(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/spiffs", fields: []string{"name", "amount", "starts", "cap"}})
}

func FuzzFormCommissionAdjust(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/commissions/adjust", fields: []string{"partner", "direction", "amount", "reason"}})
}

func FuzzFormPayout(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/manage/payout", fields: []string{"method", "iban", "bic", "paypal_email"}})
}

func FuzzFormBillingDetails(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/manage/billing", fields: []string{"legal_name", "address", "country", "tax_id"}})
}

func FuzzFormCompanySettings(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/manage/organization", fields: []string{"name", "website"}})
}

func FuzzFormInvite(f *testing.F) {
	fuzzForm(f, formTarget{who: "admin@northwind.test", page: "/manage/invite", fields: []string{"name", "email", "role"}})
}

func FuzzFormAccount(f *testing.F) {
	fuzzForm(f, formTarget{who: "user@northwind.test", page: "/account", fields: []string{"name", "time_zone"}})
}

func FuzzFormLogin(f *testing.F) {
	fuzzForm(f, formTarget{page: "/login", fields: []string{"email", "next"}})
}

func FuzzFormConsoleSettings(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/settings",
		fields: []string{"link_destinations", "allowed_origins", "attribution_window_days", "signup_lead_status"}})
}

func FuzzFormPartnerNew(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/partners/new", fields: []string{"name", "website", "admin_name", "admin_email"}})
}

func FuzzFormReferralLead(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/leads/new", fields: []string{"partner_id", "company", "email", "deal_value"}})
}

func FuzzFormReviewEdit(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/leads/{staffLead}/edit", fields: []string{"company", "deal_value", "currency", "contact_name"}})
}

func FuzzFormReviewReject(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/leads/{staffLead}", action: "/console/leads/{staffLead}/reject", fields: []string{"reason"}})
}

func FuzzFormReviewOutcome(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/leads/{wonLead}", action: "/console/leads/{wonLead}/outcome", fields: []string{"outcome", "revenue", "currency"}})
}

func FuzzFormAPIKey(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/api-keys", fields: []string{"name"}})
}

func FuzzFormAgreementCreate(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/agreements", fields: []string{"title"}})
}

func FuzzFormAgreementDraft(f *testing.F) {
	fuzzForm(f, formTarget{who: "staff@acme.test", page: "/console/agreements/{agreement}", fields: []string{"title", "body"}})
}

func FuzzFormSignAgreement(f *testing.F) {
	fuzzForm(f, formTarget{who: "user@northwind.test", page: "/agreements/sign", agreements: true,
		fields: []string{"signer_name", "kind", "signature", "version_id"}})
}

// fuzzQuery fuzzes a GET page's query parameters (a filter form).
func fuzzQuery(f *testing.F, who, path string, params []string, valid []string) {
	env, errs := fuzzEnv(f)
	if _, err := env.Store.Pool.Exec(f.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		f.Fatal(err)
	}
	c := env.Client(f)
	c.SignIn(who)
	f.Add(valid[0], valid[1], valid[2], valid[3])
	for i := range params {
		for _, s := range fuzzSeeds {
			seed := append([]string{}, valid...)
			seed[i] = s
			f.Add(seed[0], seed[1], seed[2], seed[3])
		}
	}
	w := newWalkClient(f, env, who, c)
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		in := []string{a, b, c, d}
		q := url.Values{}
		storable := true
		for i, p := range params {
			q.Set(p, in[i])
			storable = storable && utf8.ValidString(in[i]) && !strings.ContainsRune(in[i], 0)
		}
		if len(q.Encode()) > 6000 {
			return // past the header limit: a 431, tested elsewhere
		}
		for _, hx := range []map[string]string{nil, {"HX-Request": "true"}} {
			logged := errs.count()
			res, err := w.try("GET", path+"?"+q.Encode(), "", nil, hx)
			if lines := errs.since(logged); len(lines) > 0 {
				t.Fatalf("GET %s?%s logged an error: %s", path, q.Encode(), lines[0])
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.status >= 500 {
				t.Fatalf("GET %s?%s: %d\n%.300s", path, q.Encode(), res.status, errorText(res.body))
			}
			if !storable && res.status != http.StatusUnprocessableEntity {
				t.Fatalf("GET %s?%s (unstorable): %d, want 422", path, q.Encode(), res.status)
			}
		}
	})
}

func FuzzQueryLeads(f *testing.F) {
	fuzzQuery(f, "user@northwind.test", "/leads", []string{"q", "period", "from", "to"}, []string{"acme", "custom", "2026-01-01", "2026-01-31"})
}

func FuzzQueryLeadsSortPage(f *testing.F) {
	fuzzQuery(f, "user@northwind.test", "/leads", []string{"status", "sort", "dir", "page"}, []string{"approved", "company", "asc", "2"})
}

func FuzzQueryDashboard(f *testing.F) {
	fuzzQuery(f, "user@northwind.test", "/dashboard", []string{"period", "from", "to", "q"}, []string{"last_30_days", "", "", ""})
}

func FuzzQueryLinks(f *testing.F) {
	fuzzQuery(f, "user@northwind.test", "/dashboard/links", []string{"period", "from", "to", "tab"}, []string{"custom", "2026-01-01", "2026-02-01", ""})
}

func FuzzQueryReviewQueue(f *testing.F) {
	fuzzQuery(f, "staff@acme.test", "/console/leads", []string{"status", "partner", "q", "page"}, []string{"in_review", "1", "acme", "1"})
}

// FuzzSignupAPI fuzzes the sign-up API's JSON body with a valid API key.
func FuzzSignupAPI(f *testing.F) {
	env, errs := fuzzEnv(f)
	staff := env.Client(f)
	staff.SignIn("staff@acme.test")
	r := staff.Post("/console/api-keys", url.Values{"name": {"fuzz"}})
	key := apiKeyRe.FindString(r.Body)
	if key == "" {
		f.Fatal("no API key shown")
	}
	w := newWalkClient(f, env, "api", env.Client(f))
	w.apiKey = key
	// A real click on a Northwind link, so a good sign-up becomes a lead.
	var code string
	if err := env.Store.Pool.QueryRow(f.Context(), `SELECT l.code FROM tracking_links l JOIN partners p ON p.id = l.partner_id
		WHERE p.name = 'Northwind Agency' AND l.active ORDER BY l.id LIMIT 1`).Scan(&code); err != nil {
		f.Fatal(err)
	}
	browser := map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"}
	loc, _ := url.Parse(env.Client(f).Do(http.MethodGet, "/r/"+code, nil, browser).Header.Get("Location"))
	click := loc.Query().Get("pp_click")
	if click == "" {
		f.Fatalf("the redirect of /r/%s carries no click id", code)
	}
	f.Add(click, "ann@example.com", "Ann Example", "Example Co")
	for _, s := range fuzzSeeds {
		f.Add(click, "ann@example.com", s, "Acme")
		f.Add(click, s, "Ann", s)
		f.Add(s, s, s, s)
	}
	f.Fuzz(func(t *testing.T, clickID, email, name, company string) {
		// The per-address limit (60 a minute) would answer 429 to nearly
		// every input; the fuzzer is one address, so it starts afresh.
		if err := env.Redis.Del(t.Context(), "rl:signup:ip:127.0.0.1").Err(); err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]string{"click_id": clickID, "email": email, "name": name, "company": company})
		logged := errs.count()
		res, err := w.try("POST", "/api/v1/signups", "application/json", body, nil)
		if lines := errs.since(logged); len(lines) > 0 {
			t.Fatalf("%s logged an error: %s", body, lines[0])
		}
		if err != nil {
			t.Fatal(err)
		}
		if res.status >= 500 || !strings.HasPrefix(res.ctype, "application/json") {
			t.Fatalf("%s: %d %q %.200s", body, res.status, res.ctype, res.body)
		}
	})
}

var fuzzSeeds = []string{"", "a\x00b", "\xff", strings.Repeat("x", 5000), "-1", "<b>", "\u202e"}

var apiKeyRe = regexp.MustCompile(`pp_live_[A-Za-z0-9_-]+`)
