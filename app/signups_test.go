package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/app/clicks"
	"partnerportal/app/secret"
)

// sgExec runs SQL against the test's database.
func sgExec(t *testing.T, env *apptest.Env, sql string, args ...any) {
	t.Helper()
	if _, err := env.Store.Pool.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// sgAPIKey stores an API key of the organization (revoked if asked) the way
// the console does, only its hash, and returns the raw key.
func sgAPIKey(t *testing.T, env *apptest.Env, org string, revoked bool) string {
	t.Helper()
	key := "pp_live_" + secret.New()
	sgExec(t, env, `INSERT INTO api_keys (organization_id, name, prefix, key_hash, revoked_at)
		SELECT id, 'Test key', left($4, 12), $2, CASE WHEN $3 THEN $5::timestamptz END FROM organizations WHERE slug = $1`,
		org, secret.Hash(key), revoked, key, env.Clock.Now())
	return key
}

// sgClick follows a tracking link like a browser and returns the click id the
// redirect appended to the destination.
func sgClick(t *testing.T, env *apptest.Env, code string) string {
	t.Helper()
	r := click(env.Client(t), http.MethodGet, "/r/"+code, browserUA)
	loc, err := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("/r/%s: %d %q", code, r.StatusCode, r.Header.Get("Location"))
	}
	id := loc.Query().Get(clicks.ClickParam)
	if len(id) != 22 {
		t.Fatalf("/r/%s: no click id in %q", code, loc)
	}
	return id
}

// sgWaitRedis waits until the recorder has written the click to the Redis
// stream, and checks it is not in PostgreSQL yet: a sign-up now takes the
// catch-up path (findClick → clicks.CatchUp).
func sgWaitRedis(t *testing.T, env *apptest.Env, id string) {
	t.Helper()
	if err := env.Clicks.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	entries, err := env.Redis.XRange(t.Context(), clicks.Stream, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	in := false
	for _, e := range entries {
		b, _ := e.Values["b"].(string)
		in = in || strings.HasPrefix(b, id+" ") || strings.Contains(b, "\n"+id+" ")
	}
	if !in {
		t.Fatalf("click %s is not in the Redis stream", id)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM clicks WHERE click_id = $1", id); n != 0 {
		t.Fatalf("click %s is already in PostgreSQL", id)
	}
}

// sgRollUp runs the rollup until the click is in PostgreSQL.
func sgRollUp(t *testing.T, env *apptest.Env, id string) {
	t.Helper()
	if err := env.Clicks.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for queryInt(t, env, "SELECT count(*) FROM clicks WHERE click_id = $1", id) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("click %s never reached PostgreSQL", id)
		}
		rollUp(t, env)
		time.Sleep(20 * time.Millisecond)
	}
}

type sgResponse struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (r sgResponse) fieldError(k string) string {
	errs, _ := r.Body["errors"].(map[string]any)
	s, _ := errs[k].(string)
	return s
}

// sgPost sends a request with a raw body to the portal.
func sgPost(t *testing.T, env *apptest.Env, method, path, body string, headers map[string]string) sgResponse {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := sgResponse{Status: res.StatusCode, Header: res.Header, Raw: string(b)}
	if len(b) > 0 {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s: Content-Type %q, body %s", method, path, ct, b)
		}
		if err := json.Unmarshal(b, &out.Body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, path, b)
		}
	}
	return out
}

func sgJSON(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func bearer(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }

func signupLeads(t *testing.T, env *apptest.Env) int64 {
	return queryInt(t, env, "SELECT count(*) FROM leads WHERE source = 'referral_link'")
}

func TestSignupAPIKeys(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	good := sgAPIKey(t, env, "acme", false)
	revoked := sgAPIKey(t, env, "acme", true)
	id := sgClick(t, env, "northwind")
	sgWaitRedis(t, env, id)
	body := sgJSON(map[string]any{"click_id": id, "email": "ada@lovelace.test", "name": "Ada", "company": "Lovelace"})

	for name, h := range map[string]map[string]string{
		"missing":      nil,
		"not bearer":   {"Authorization": "Basic " + good},
		"empty bearer": {"Authorization": "Bearer "},
		"wrong":        bearer("pp_live_" + secret.New()),
		"revoked":      bearer(revoked),
		"too long":     bearer(strings.Repeat("k", 500)),
	} {
		r := sgPost(t, env, http.MethodPost, "/api/v1/signups", body, h)
		if r.Status != http.StatusUnauthorized || r.Body["error"] == "" || r.Body["error"] == nil {
			t.Fatalf("%s key: %d %s", name, r.Status, r.Raw)
		}
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("%s key: no WWW-Authenticate", name)
		}
	}
	if r := sgPost(t, env, http.MethodPost, "/api/v1/signups", body, bearer(revoked)); !strings.Contains(r.Body["error"].(string), "revoked") {
		t.Fatalf("revoked key message: %s", r.Raw)
	}
	if n := signupLeads(t, env); n != 0 {
		t.Fatalf("%d leads created without a valid key", n)
	}
	if queryInt(t, env, "SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL") != 0 {
		t.Fatal("a refused key was marked used")
	}

	// The good key works and is marked used.
	if r := sgPost(t, env, http.MethodPost, "/api/v1/signups", body, bearer(good)); r.Status != http.StatusCreated {
		t.Fatalf("good key: %d %s", r.Status, r.Raw)
	}
	if queryInt(t, env, "SELECT count(*) FROM api_keys WHERE key_hash = $1 AND last_used_at > $2::timestamptz - interval '1 minute'", secret.Hash(good), env.Clock.Now()) != 1 {
		t.Fatal("last_used_at not updated")
	}
	// An Initech key cannot use an Acme click: the organization is the key's.
	initech := sgAPIKey(t, env, "initech", false)
	body2 := sgJSON(map[string]any{"click_id": id, "email": "grace@hopper.test"})
	if r := sgPost(t, env, http.MethodPost, "/api/v1/signups", body2, bearer(initech)); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.fieldError("click_id"), "no valid click") {
		t.Fatalf("Acme click with an Initech key: %d %s", r.Status, r.Raw)
	}
}

func TestSignupAPIRejectsBadInput(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	key := sgAPIKey(t, env, "acme", false)
	id := sgClick(t, env, "northwind")
	sgWaitRedis(t, env, id)
	valid := map[string]any{"click_id": id, "email": "ada@lovelace.test", "name": "Ada Lovelace", "company": "Lovelace Labs"}
	with := func(k string, v any) string {
		m := map[string]any{}
		for kk, vv := range valid {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return sgJSON(m)
	}

	for _, tc := range []struct {
		name    string
		body    string
		headers map[string]string
		status  int
		field   string // for 422: the field that must carry a message
		contain string // part of the message
	}{
		{"malformed", `{"email": "ada@lovelace.test",`, nil, 400, "", "Malformed JSON"},
		{"syntax", `{email: 1}`, nil, 400, "", "Malformed JSON"},
		{"array", `[1, 2]`, nil, 400, "", "JSON object"},
		{"null", `null`, nil, 400, "", "JSON object"},
		{"trailing", with("name", "Ada") + ` {}`, nil, 400, "", "more after"},
		{"empty body", ``, map[string]string{"Content-Type": "application/json"}, 400, "", "empty"},
		{"form encoded", "email=ada%40lovelace.test", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "", "JSON"},
		{"text", with("name", "Ada"), map[string]string{"Content-Type": "text/plain"}, 415, "", "JSON"},
		{"too big", with("name", strings.Repeat("a", 17<<10)), nil, 413, "", "16 KB"},
		{"no email", with("email", nil), nil, 422, "email", "email"},
		{"bad email", with("email", "ada@"), nil, 422, "email", "email address"},
		{"email not a string", with("email", 42), nil, 422, "email", "string"},
		{"long name", with("name", strings.Repeat("n", 201)), nil, 422, "name", "200"},
		{"control characters", with("name", "Ada\u0000Lovelace"), nil, 422, "name", "control"},
		{"long company", with("company", strings.Repeat("c", 201)), nil, 422, "company", "200"},
		{"unknown field", with("phone", "+1 555 0100"), nil, 422, "phone", "Unknown field"},
		{"no click", with("click_id", nil), nil, 422, "click_id", "no valid click"},
		{"malformed click", with("click_id", "../../etc/passwd"), nil, 422, "click_id", "no valid click"},
		{"unknown click", with("click_id", secret.New()[:22]), nil, 422, "click_id", "no valid click"},
	} {
		h := bearer(key)
		for k, v := range tc.headers {
			h[k] = v
		}
		r := sgPost(t, env, http.MethodPost, "/api/v1/signups", tc.body, h)
		if r.Status != tc.status {
			t.Fatalf("%s: status %d, want %d: %s", tc.name, r.Status, tc.status, r.Raw)
		}
		msg, _ := r.Body["error"].(string)
		if tc.field != "" {
			msg = r.fieldError(tc.field)
			if r.Body["error"] != nil {
				t.Fatalf("%s: field errors come as {\"errors\": …}: %s", tc.name, r.Raw)
			}
		}
		if !strings.Contains(msg, tc.contain) {
			t.Fatalf("%s: message %q does not mention %q (%s)", tc.name, msg, tc.contain, r.Raw)
		}
	}
	// Several problems come back together.
	r := sgPost(t, env, http.MethodPost, "/api/v1/signups", sgJSON(map[string]any{"email": "x", "name": strings.Repeat("n", 300), "extra": 1}), bearer(key))
	if r.Status != 422 || r.fieldError("email") == "" || r.fieldError("name") == "" || r.fieldError("extra") == "" || r.fieldError("click_id") == "" {
		t.Fatalf("several problems: %s", r.Raw)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE source = 'referral_link' OR lower(email) = 'ada@lovelace.test'"); n != 0 {
		t.Fatalf("%d leads saved from rejected sign-ups", n)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events e JOIN leads l ON l.id = e.lead_id WHERE l.source = 'referral_link'"); n != 0 {
		t.Fatal("history written for a rejected sign-up")
	}
	// The same input is fine once corrected: the click was not used up.
	if r := sgPost(t, env, http.MethodPost, "/api/v1/signups", with("name", "Ada"), bearer(key)); r.Status != http.StatusCreated {
		t.Fatalf("valid after errors: %d %s", r.Status, r.Raw)
	}
}

func TestSignupAPIRefusesForeignAndOldClicks(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	key := sgAPIKey(t, env, "acme", false)
	sgExec(t, env, "UPDATE organizations SET attribution_window_days = 90 WHERE slug = 'acme'")

	// Initrode is Initech's partner: its click, before and after the rollup,
	// is no click of Acme's.
	foreign := sgClick(t, env, "initrode")
	sgWaitRedis(t, env, foreign)
	post := func(id, email string) sgResponse {
		return sgPost(t, env, http.MethodPost, "/api/v1/signups", sgJSON(map[string]any{"click_id": id, "email": email}), bearer(key))
	}
	if r := post(foreign, "a@foreign.test"); r.Status != 422 || !strings.Contains(r.fieldError("click_id"), "no valid click") {
		t.Fatalf("Initrode click (Redis) with an Acme key: %d %s", r.Status, r.Raw)
	}
	sgRollUp(t, env, foreign)
	if r := post(foreign, "a@foreign.test"); r.Status != 422 || !strings.Contains(r.fieldError("click_id"), "no valid click") {
		t.Fatalf("Initrode click (PostgreSQL) with an Acme key: %d %s", r.Status, r.Raw)
	}

	// A Northwind click aged past the 90-day window credits nobody, although
	// its Redis entry is still there.
	old := sgClick(t, env, "northwind")
	sgRollUp(t, env, old)
	sgExec(t, env, "UPDATE clicks SET clicked_at = $2::timestamptz - interval '100 days' WHERE click_id = $1", old, env.Clock.Now())
	r := post(old, "b@old.test")
	if r.Status != 422 || !strings.Contains(r.fieldError("click_id"), "90-day attribution window") {
		t.Fatalf("old click: %d %s", r.Status, r.Raw)
	}
	// Inside a longer window the same click counts.
	sgExec(t, env, "UPDATE organizations SET attribution_window_days = 120 WHERE slug = 'acme'")
	if n := signupLeads(t, env); n != 0 {
		t.Fatalf("%d leads from refused clicks", n)
	}
	if r := post(old, "b@old.test"); r.Status != http.StatusCreated {
		t.Fatalf("old click in a 120-day window: %d %s", r.Status, r.Raw)
	}
}

// sgLead is the stored sign-up lead for an email.
type sgLead struct {
	ID, PartnerID, LinkID                          int64
	Source, Status, Company, Name, Email, Currency string
	CreatedBy                                      *int64
}

func signupLead(t *testing.T, env *apptest.Env, email string) sgLead {
	t.Helper()
	var l sgLead
	var link *int64
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT id, partner_id, tracking_link_id, source, status, company,
		contact_name, email, currency, created_by_user_id FROM leads WHERE lower(email) = lower($1)`, email).Scan(
		&l.ID, &l.PartnerID, &link, &l.Source, &l.Status, &l.Company, &l.Name, &l.Email, &l.Currency, &l.CreatedBy); err != nil {
		t.Fatalf("lead for %s: %v", email, err)
	}
	if link != nil {
		l.LinkID = *link
	}
	return l
}

func linkOf(t *testing.T, env *apptest.Env, code string) (linkID, partnerID int64) {
	t.Helper()
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT id, partner_id FROM tracking_links WHERE code = $1", code).Scan(&linkID, &partnerID); err != nil {
		t.Fatal(err)
	}
	return linkID, partnerID
}

func TestSignupAPICreditsTheClickedLink(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	key := sgAPIKey(t, env, "acme", false)
	sgExec(t, env, "UPDATE organizations SET signup_lead_status = 'approved' WHERE slug = 'acme'")
	post := func(m map[string]any) sgResponse {
		return sgPost(t, env, http.MethodPost, "/api/v1/signups", sgJSON(m), bearer(key))
	}

	// Before the rollup: the click is only in Redis.
	id := sgClick(t, env, "northwind")
	sgWaitRedis(t, env, id)
	r := post(map[string]any{"click_id": id, "email": "Ada@Lovelace-Labs.test", "name": "Ada Lovelace", "company": "Lovelace Labs"})
	if r.Status != http.StatusCreated || r.Body["partner"] != "Northwind Agency" || r.Body["lead_id"] == nil {
		t.Fatalf("Redis path: %d %s", r.Status, r.Raw)
	}
	if queryInt(t, env, "SELECT count(*) FROM clicks WHERE click_id = $1", id) != 1 {
		t.Fatal("the sign-up found the click, but its catch-up did not roll it up")
	}
	link, partner := linkOf(t, env, "northwind")
	l := signupLead(t, env, "ada@lovelace-labs.test")
	if float64(l.ID) != r.Body["lead_id"] || l.PartnerID != partner || l.LinkID != link || l.Source != "referral_link" ||
		l.Status != "approved" || l.Company != "Lovelace Labs" || l.Name != "Ada Lovelace" || l.Email != "ada@lovelace-labs.test" ||
		l.Currency != "USD" || l.CreatedBy != nil {
		t.Fatalf("stored lead %+v (response %s)", l, r.Raw)
	}
	if queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'created' AND actor_user_id IS NULL", l.ID) != 1 {
		t.Fatal("no history entry for the sign-up lead")
	}

	// The same email again, in another case and through another link: one lead.
	other := sgClick(t, env, "globex")
	sgWaitRedis(t, env, other)
	r2 := post(map[string]any{"click_id": other, "email": "ADA@lovelace-labs.TEST", "name": "Ada L."})
	if r2.Status != http.StatusOK || r2.Body["duplicate"] != true || r2.Body["lead_id"] != r.Body["lead_id"] {
		t.Fatalf("same email again: %d %s", r2.Status, r2.Raw)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE lower(email) = 'ada@lovelace-labs.test'"); n != 1 {
		t.Fatalf("%d leads for one email", n)
	}

	// After the rollup (which removes the click from Redis): from PostgreSQL.
	// An empty company takes the email's domain; the status follows the setting.
	sgExec(t, env, "UPDATE organizations SET signup_lead_status = 'in_review' WHERE slug = 'acme'")
	gid := sgClick(t, env, "globex")
	sgRollUp(t, env, gid)
	if n, err := env.Redis.XLen(t.Context(), clicks.Stream).Result(); err != nil || n != 0 {
		t.Fatalf("the stream holds %d entries (%v): this case would not test the PostgreSQL path", n, err)
	}
	r3 := post(map[string]any{"click_id": gid, "email": "grace@hopper.test", "name": "Grace Hopper", "company": ""})
	if r3.Status != http.StatusCreated || r3.Body["partner"] != "Globex Partners" {
		t.Fatalf("PostgreSQL path: %d %s", r3.Status, r3.Raw)
	}
	glink, gpartner := linkOf(t, env, "globex")
	g := signupLead(t, env, "grace@hopper.test")
	if g.PartnerID != gpartner || g.LinkID != glink || g.Status != "in_review" || g.Company != "hopper.test" {
		t.Fatalf("stored lead %+v", g)
	}
}

// Sign-ups of one email arriving at the same moment make one lead: the
// others answer with it (the unique index settles the race).
func TestSignupSameEmailAtOnce(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	key := sgAPIKey(t, env, "acme", false)
	id := sgClick(t, env, "northwind")
	sgWaitRedis(t, env, id)
	type answer struct {
		status int
		body   map[string]any
		err    error
	}
	const n = 8
	answers := make(chan answer, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			email := "Twin@Example.test"
			if i%2 == 1 {
				email = strings.ToLower(email)
			}
			req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/v1/signups",
				strings.NewReader(sgJSON(map[string]any{"click_id": id, "email": email})))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			defer res.Body.Close()
			var a answer
			a.status, a.err = res.StatusCode, json.NewDecoder(res.Body).Decode(&a.body)
			answers <- a
		}()
	}
	close(start)
	created, dups := 0, 0
	ids := map[any]bool{}
	for range n {
		a := <-answers
		switch {
		case a.err != nil:
			t.Fatal(a.err)
		case a.status == http.StatusCreated:
			created++
		case a.status == http.StatusOK && a.body["duplicate"] == true:
			dups++
		default:
			t.Fatalf("status %d %v", a.status, a.body)
		}
		ids[a.body["lead_id"]] = true
	}
	if created != 1 || dups != n-1 || len(ids) != 1 {
		t.Fatalf("%d created, %d duplicates, %d lead ids", created, dups, len(ids))
	}
	if c := queryInt(t, env, "SELECT count(*) FROM leads WHERE lower(email) = 'twin@example.test'"); c != 1 {
		t.Fatalf("%d leads for one email", c)
	}
}

func TestSignupRateLimit(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	key := sgAPIKey(t, env, "acme", false)
	id := sgClick(t, env, "northwind")
	sgWaitRedis(t, env, id)
	body := sgJSON(map[string]any{"click_id": id, "email": "ada@lovelace.test"})
	if err := env.Redis.Set(context.Background(), "rl:signup:ip:127.0.0.1", 60, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	r := sgPost(t, env, http.MethodPost, "/api/v1/signups", body, bearer(key))
	if r.Status != http.StatusTooManyRequests || r.Body["error"] == nil || r.Header.Get("Retry-After") == "" {
		t.Fatalf("61st sign-up in a minute: %d %s", r.Status, r.Raw)
	}
	if signupLeads(t, env) != 0 {
		t.Fatal("a rate-limited sign-up was saved")
	}
	env.Redis.Del(context.Background(), "rl:signup:ip:127.0.0.1")
	if r := sgPost(t, env, http.MethodPost, "/api/v1/signups", body, bearer(key)); r.Status != http.StatusCreated {
		t.Fatalf("after the window: %d %s", r.Status, r.Raw)
	}
}

func TestSignupBrowserCORS(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	const site = "https://www.acme.test"
	sgExec(t, env, "UPDATE organizations SET allowed_origins = ARRAY[$1, 'https://acme.test'] WHERE slug = 'acme'", site)
	preflight := func(org, origin string) sgResponse {
		return sgPost(t, env, http.MethodOptions, "/api/v1/signups/browser?org="+org, "", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
	}

	r := preflight("acme", site)
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != site ||
		!strings.Contains(r.Header.Get("Vary"), "Origin") || r.Header.Get("Access-Control-Allow-Methods") != "POST" ||
		!strings.EqualFold(r.Header.Get("Access-Control-Allow-Headers"), "Content-Type") || r.Header.Get("Access-Control-Max-Age") == "" {
		t.Fatalf("allowed preflight: %d %v", r.Status, r.Header)
	}
	if r.Header.Get("Set-Cookie") != "" || r.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("preflight sets cookies or allows credentials: %v", r.Header)
	}
	for _, origin := range []string{"https://evil.test", "https://www.acme.test.evil.test", "http://www.acme.test", "https://www.acme.test:8443", "null", ""} {
		r := preflight("acme", origin)
		if r.Status != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" || r.Body["error"] == nil {
			t.Fatalf("preflight from %q: %d %v %s", origin, r.Status, r.Header, r.Raw)
		}
	}
	// Acme's origin is not Initech's; an unknown organization has none.
	if r := preflight("initech", site); r.Status != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("Acme's site for Initech: %d", r.Status)
	}
	if r := preflight("nosuchorg", site); r.Status != http.StatusNotFound || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("unknown organization: %d", r.Status)
	}

	id := sgClick(t, env, "northwind")
	sgWaitRedis(t, env, id)
	body := sgJSON(map[string]any{"click_id": id, "email": "ada@lovelace.test", "name": "Ada"})
	post := func(org, origin, body string) sgResponse {
		return sgPost(t, env, http.MethodPost, "/api/v1/signups/browser?org="+org, body, map[string]string{"Origin": origin})
	}
	for _, origin := range []string{"https://evil.test", ""} {
		r := post("acme", origin, body)
		if r.Status != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("POST from %q: %d %s", origin, r.Status, r.Raw)
		}
	}
	if signupLeads(t, env) != 0 {
		t.Fatal("a sign-up from a disallowed origin was saved")
	}
	// Errors for an allowed origin carry the CORS header, so the script can read them.
	bad := post("acme", site, sgJSON(map[string]any{"click_id": secret.New()[:22], "email": "ada@lovelace.test"}))
	if bad.Status != 422 || bad.Header.Get("Access-Control-Allow-Origin") != site || !strings.Contains(bad.fieldError("click_id"), "no valid click") {
		t.Fatalf("unknown click from the allowed site: %d %v %s", bad.Status, bad.Header, bad.Raw)
	}
	ok := post("acme", site, body)
	if ok.Status != http.StatusCreated || ok.Header.Get("Access-Control-Allow-Origin") != site || ok.Body["partner"] != "Northwind Agency" {
		t.Fatalf("sign-up from the allowed site: %d %v %s", ok.Status, ok.Header, ok.Raw)
	}
	if ok.Header.Get("Set-Cookie") != "" {
		t.Fatal("the sign-up endpoint set a cookie")
	}
	if l := signupLead(t, env, "ada@lovelace.test"); l.Source != "referral_link" || l.Status != "in_review" {
		t.Fatalf("lead %+v", l)
	}
}

func TestAttributionScript(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	sgExec(t, env, "UPDATE organizations SET attribution_window_days = 30, attribution_model = 'first_click' WHERE slug = 'acme'")
	res, err := http.Get(env.URL + "/t/acme.js")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	js := string(b)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/javascript") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "max-age=300") || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("GET /t/acme.js: %d %v", res.StatusCode, res.Header)
	}
	// The settings are one JSON object in place of the placeholder.
	_, rest, found := strings.Cut(js, "var CONFIG = ")
	cfgText, _, found2 := strings.Cut(rest, ";\n")
	var cfg map[string]any
	if !found || !found2 || json.Unmarshal([]byte(cfgText), &cfg) != nil {
		t.Fatalf("no JSON config in the script:\n%s", js)
	}
	want := map[string]any{"base_url": env.URL, "org": "acme", "window_days": float64(30), "model": "first_click"}
	for k, v := range want {
		if cfg[k] != v {
			t.Fatalf("config %s = %v, want %v", k, cfg[k], v)
		}
	}
	if !strings.Contains(js, "reportSignup") || strings.Contains(js, "PP_CONFIG") {
		t.Fatal("script body missing or placeholder left in")
	}
	for _, path := range []string{"/t/nosuchorg.js", "/t/Bad_Slug!.js"} {
		res, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
}
