package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/queries"
)

func lwStr(t *testing.T, env *apptest.Env, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := env.Store.Pool.QueryRow(t.Context(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return s
}

// lwSeedLead picks a Northwind lead of the demo data matching the condition.
func lwSeedLead(t *testing.T, env *apptest.Env, cond string, args ...any) int64 {
	t.Helper()
	return queryInt(t, env, `SELECT l.id FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE p.name = 'Northwind Agency' AND `+cond+` ORDER BY l.id LIMIT 1`, args...)
}

func lwUserID(t *testing.T, env *apptest.Env, email string) int64 {
	t.Helper()
	return queryInt(t, env, "SELECT id FROM users WHERE email = $1", email)
}

func lwLeadForm(company, email string) url.Values {
	return url.Values{
		"company": {company}, "domain": {"https://www." + strings.ToLower(strings.ReplaceAll(company, " ", "")) + ".test/pricing"},
		"contact_name": {"Riley Park"}, "email": {email}, "phone": {"+1 555 0100"},
		"deal_value": {"12,500.00"}, "currency": {"EUR"}, "notes": {"Met at the Berlin expo."},
	}
}

// lwCreate registers a lead through the form and returns its id.
func lwCreate(t *testing.T, c *apptest.Client, form url.Values) int64 {
	t.Helper()
	r := c.Post("/leads/new", form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /leads/new: status %d: %s", r.StatusCode, r.Body)
	}
	loc := r.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/leads/"), 10, 64)
	if err != nil {
		t.Fatalf("redirected to %q, want /leads/{id}", loc)
	}
	return id
}

func TestLeadCreateShowsErrorsThenSaves(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "user@northwind.test")

	r := c.Get("/leads/new")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /leads/new: %d", r.StatusCode)
	}
	if got, _ := r.Doc.Find("#currency option[selected]").Attr("value"); got != "USD" {
		t.Fatalf("default currency %q, want the organization's USD", got)
	}
	if r.Doc.Find(`#user-menu a[href="/leads/new"]`).Length() != 1 {
		t.Fatal("the top-right menu does not link to /leads/new")
	}

	bad := lwLeadForm("Contoso Trading", "not-an-email")
	bad.Set("contact_name", "")
	bad.Set("deal_value", "12.345")
	r = c.Post("/leads/new", bad)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid lead: status %d, want 422", r.StatusCode)
	}
	for _, f := range []string{"email", "contact_name", "deal_value"} {
		if r.Doc.Find("#"+f+"-error").Length() != 1 {
			t.Errorf("no error shown beside %s", f)
		}
		if v, _ := r.Doc.Find("#" + f).Attr("aria-invalid"); v != "true" {
			t.Errorf("%s not marked invalid", f)
		}
	}
	if r.Doc.Find("#company-error").Length() != 0 {
		t.Error("company is valid but has an error")
	}
	if v, _ := r.Doc.Find("#company").Attr("value"); v != "Contoso Trading" {
		t.Errorf("company not kept: %q", v)
	}
	if v, _ := r.Doc.Find("#email").Attr("value"); v != "not-an-email" {
		t.Errorf("email not kept: %q", v)
	}
	if v, _ := r.Doc.Find("#deal_value").Attr("value"); v != "12.345" {
		t.Errorf("deal value not kept: %q", v)
	}
	if v, _ := r.Doc.Find("#currency option[selected]").Attr("value"); v != "EUR" {
		t.Errorf("currency not kept: %q", v)
	}
	if v := r.Doc.Find("#notes").Text(); v != "Met at the Berlin expo." {
		t.Errorf("notes not kept: %q", v)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE company = 'Contoso Trading'"); n != 0 {
		t.Fatalf("an invalid lead was saved (%d rows)", n)
	}

	id := lwCreate(t, c, lwLeadForm("Contoso Trading", "Riley.Park@Contoso.test"))
	var l queries.Lead
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT status, source, domain, email, currency, deal_value_minor, created_by_user_id
		FROM leads WHERE id = $1`, id).Scan(&l.Status, &l.Source, &l.Domain, &l.Email, &l.Currency, &l.DealValueMinor, &l.CreatedByUserID); err != nil {
		t.Fatal(err)
	}
	userID := lwUserID(t, env, "user@northwind.test")
	if l.Status != "in_review" || l.Source != "partner" || l.Domain != "contosotrading.test" || l.Email != "riley.park@contoso.test" ||
		l.Currency != "EUR" || l.DealValueMinor != 1250000 || l.CreatedByUserID == nil || *l.CreatedByUserID != userID {
		t.Fatalf("saved lead: %+v", l)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'created' AND actor_user_id = $2", id, userID); n != 1 {
		t.Fatalf("%d 'created' events by the user, want 1", n)
	}

	r = c.Get(fmt.Sprintf("/leads/%d", id))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("detail: %d", r.StatusCode)
	}
	if !strings.Contains(r.Doc.Find(".flash").Text(), "Lead registered") {
		t.Error("no confirmation after registering")
	}
	if got := strings.TrimSpace(r.Doc.Find("#lead-company").Text()); got != "Contoso Trading" {
		t.Errorf("heading %q", got)
	}
	if got := strings.TrimSpace(r.Doc.Find("#lead-status").Text()); got != "In Review" {
		t.Errorf("status %q", got)
	}
	if !strings.Contains(r.Doc.Find("#lead-deal").Text(), "€12,500.00") {
		t.Errorf("deal value not shown: %q", r.Doc.Find("#lead-deal").Text())
	}
	if got := strings.TrimSpace(r.Doc.Find(`#pipeline [aria-current="step"]`).Text()); got != "New" {
		t.Errorf("current pipeline step %q, want New", got)
	}
	if !strings.Contains(r.Doc.Find("#lead-history").Text(), "Registered the lead") {
		t.Error("history lacks the registration")
	}
	if r.Doc.Find("#duplicate-warning").Length() != 0 {
		t.Error("a new company is flagged as duplicate")
	}
	if r.Doc.Find(fmt.Sprintf(`#lead-actions a[href="/leads/%d/edit"]`, id)).Length() != 1 {
		t.Error("the creator is not offered Edit")
	}
}

func TestLeadDuplicateAcrossPartnersIsFlaggedWithoutNamingThem(t *testing.T) {
	env := noAgreementsEnv(t)
	northwind := signedIn(t, env, "user@northwind.test")
	globex := signedIn(t, env, "admin@globex.test")

	first := lwCreate(t, northwind, lwLeadForm("Umbrella Labs", "cto@umbrella-labs.test"))
	form := lwLeadForm("Umbrella Laboratories", "CTO@umbrella-labs.test")
	form.Set("domain", "umbrella-laboratories.test")
	second := lwCreate(t, globex, form)

	if got := queryInt(t, env, "SELECT coalesce(duplicate_of_lead_id, 0) FROM leads WHERE id = $1", second); got != first {
		t.Fatalf("duplicate_of_lead_id %d, want %d", got, first)
	}
	r := globex.Get(fmt.Sprintf("/leads/%d", second))
	warn := r.Doc.Find("#duplicate-warning").Text()
	if !strings.Contains(warn, "duplicate") || !strings.Contains(warn, "another partner") || !strings.Contains(warn, "same contact email") {
		t.Fatalf("duplicate warning %q", warn)
	}
	if strings.Contains(r.Body, "Northwind") {
		t.Fatal("the page names the partner who registered first")
	}
	if !strings.Contains(r.Doc.Find("#lead-history").Text(), "possible duplicate") {
		t.Error("the flag is not in the history")
	}
	// The first registrant is not flagged.
	if r := northwind.Get(fmt.Sprintf("/leads/%d", first)); r.Doc.Find("#duplicate-warning").Length() != 0 {
		t.Error("the first lead is flagged too")
	}
}

func TestLeadDetailIsScopedToTheCompany(t *testing.T) {
	env := noAgreementsEnv(t)
	adminID := lwUserID(t, env, "admin@northwind.test")
	colleagues := lwSeedLead(t, env, "l.created_by_user_id = $1 AND l.stage = 'won'", adminID)

	// A partner User reads every lead of the company, colleague's included.
	user := signedIn(t, env, "user@northwind.test")
	r := user.Get(fmt.Sprintf("/leads/%d", colleagues))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("user reading a colleague's lead: %d", r.StatusCode)
	}
	if got := strings.TrimSpace(r.Doc.Find(`#pipeline [aria-current="step"]`).Text()); got != "Won" {
		t.Errorf("won lead: current step %q", got)
	}
	if r.Doc.Find("#lead-revenue").Length() != 1 {
		t.Error("a won lead does not show its revenue")
	}
	if r.Doc.Find("#lead-actions").Length() != 0 {
		t.Error("edit/delete offered on a reviewed lead")
	}

	for _, email := range []string{"admin@globex.test", "admin@initrode.test"} {
		c := signedIn(t, env, email)
		for _, req := range []struct{ method, path string }{
			{"GET", "/leads/%d"}, {"GET", "/leads/%d/edit"}, {"GET", "/leads/%d/delete"},
			{"POST", "/leads/%d/edit"}, {"POST", "/leads/%d/delete"}, {"POST", "/leads/%d/notes"},
		} {
			path := fmt.Sprintf(req.path, colleagues)
			var r *apptest.Response
			if req.method == "GET" {
				r = c.Get(path)
			} else {
				r = c.Post(path, url.Values{"note": {"hello"}, "company": {"X"}})
			}
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %s %s: %d, want 404", email, req.method, path, r.StatusCode)
			}
		}
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'note'", colleagues); n != 0 {
		t.Fatal("another partner added a note")
	}
}

func TestLeadEditAndDeleteRules(t *testing.T) {
	env := noAgreementsEnv(t)
	adminID := lwUserID(t, env, "admin@northwind.test")
	userID := lwUserID(t, env, "user@northwind.test")
	colleagues := lwSeedLead(t, env, "l.created_by_user_id = $1 AND l.status = 'in_review' AND l.source = 'partner'", adminID)
	approved := lwSeedLead(t, env, "l.created_by_user_id = $1 AND l.status = 'approved'", userID)
	user := signedIn(t, env, "user@northwind.test")
	admin := signedIn(t, env, "admin@northwind.test")

	// A User can't change a colleague's lead, and isn't offered to.
	if r := user.Get(fmt.Sprintf("/leads/%d", colleagues)); r.Doc.Find("#lead-actions").Length() != 0 {
		t.Error("user is offered edit/delete on a colleague's lead")
	}
	for _, r := range []*apptest.Response{
		user.Get(fmt.Sprintf("/leads/%d/edit", colleagues)),
		user.Post(fmt.Sprintf("/leads/%d/edit", colleagues), lwLeadForm("Hijacked", "x@hijack.test")),
		user.Get(fmt.Sprintf("/leads/%d/delete", colleagues)),
		user.Post(fmt.Sprintf("/leads/%d/delete", colleagues), nil),
	} {
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s by user: %d, want 403", r.Request.Method, r.Request.URL.Path, r.StatusCode)
		}
		if !strings.Contains(r.Body, "registered this lead") {
			t.Errorf("403 without a clear message: %s", r.Doc.Find("main").Text())
		}
	}
	if got := lwStr(t, env, "SELECT company FROM leads WHERE id = $1", colleagues); got == "Hijacked" {
		t.Fatal("user edited a colleague's lead")
	}
	// Their Admin can.
	if r := admin.Get(fmt.Sprintf("/leads/%d/edit", colleagues)); r.StatusCode != http.StatusOK {
		t.Fatalf("admin GET edit: %d", r.StatusCode)
	}

	// Nobody changes an approved lead, but anyone of the company adds notes.
	for _, c := range []*apptest.Client{user, admin} {
		for _, r := range []*apptest.Response{
			c.Get(fmt.Sprintf("/leads/%d/edit", approved)),
			c.Post(fmt.Sprintf("/leads/%d/edit", approved), lwLeadForm("Changed", "x@changed.test")),
			c.Post(fmt.Sprintf("/leads/%d/delete", approved), nil),
		} {
			if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "reviewed") {
				t.Errorf("%s %s on an approved lead: %d", r.Request.Method, r.Request.URL.Path, r.StatusCode)
			}
		}
	}
	before := lwStr(t, env, "SELECT company || updated_at::text FROM leads WHERE id = $1", approved)
	r := admin.Post(fmt.Sprintf("/leads/%d/notes", approved), url.Values{"note": {"  Customer asked for a demo next week.  "}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("note on approved lead: %d", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'note' AND note = 'Customer asked for a demo next week.' AND actor_user_id = $2", approved, adminID); n != 1 {
		t.Fatalf("%d note events", n)
	}
	if after := lwStr(t, env, "SELECT company || updated_at::text FROM leads WHERE id = $1", approved); after != before {
		t.Fatal("a note changed the lead")
	}
	r = user.Get(fmt.Sprintf("/leads/%d", approved))
	if !strings.Contains(r.Doc.Find("#lead-history").Text(), "Customer asked for a demo next week.") {
		t.Error("the note is not in the history")
	}
	if r.Doc.Find("#lead-actions").Length() != 0 || !strings.Contains(r.Doc.Find("#lock-reason").Text(), "reviewed") {
		t.Error("approved lead: actions shown or no reason given")
	}
	// Empty and overlong notes come back in place.
	for _, note := range []string{"   ", strings.Repeat("a", 2001)} {
		r := user.Post(fmt.Sprintf("/leads/%d/notes", approved), url.Values{"note": {note}})
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#note-error").Length() != 1 {
			t.Errorf("note of %d chars: status %d", len(note), r.StatusCode)
		}
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'note'", approved); n != 1 {
		t.Fatalf("invalid notes were saved: %d notes", n)
	}

	// The rule also holds in SQL, whatever the handler checked.
	for _, tc := range []struct {
		name    string
		id      int64
		isAdmin bool
		userID  int64
	}{
		{"approved lead, admin", approved, true, adminID},
		{"colleague's lead, user", colleagues, false, userID},
	} {
		var partnerID, orgID int64
		if err := env.Store.Pool.QueryRow(t.Context(), "SELECT partner_id, organization_id FROM leads WHERE id = $1", tc.id).Scan(&partnerID, &orgID); err != nil {
			t.Fatal(err)
		}
		n, err := env.Store.UpdateLeadForPartner(t.Context(), queries.UpdateLeadForPartnerParams{Now: env.Clock.Now(),
			Company: "Raced", Currency: "USD", OrganizationID: orgID, PartnerID: partnerID, ID: tc.id, IsAdmin: tc.isAdmin, UserID: tc.userID})
		if err != nil || n != 0 {
			t.Errorf("%s: UPDATE changed %d rows (%v), want 0", tc.name, n, err)
		}
		if _, err := env.Store.DeleteLeadForPartner(t.Context(), queries.DeleteLeadForPartnerParams{
			OrganizationID: orgID, PartnerID: partnerID, ID: tc.id, IsAdmin: tc.isAdmin, UserID: tc.userID}); !queries.IsNotFound(err) {
			t.Errorf("%s: DELETE went through (%v)", tc.name, err)
		}
	}

	// An admin deletes a colleague's In Review lead: it and its history are gone.
	if _, err := env.Store.Pool.Exec(t.Context(), "INSERT INTO lead_events (organization_id, partner_id, lead_id, kind, note) SELECT organization_id, partner_id, id, 'note', 'x' FROM leads WHERE id = $1", colleagues); err != nil {
		t.Fatal(err)
	}
	r = admin.Get(fmt.Sprintf("/leads/%d/delete", colleagues))
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("h1").Text(), "Delete lead") {
		t.Fatalf("delete confirmation: %d %q", r.StatusCode, r.Doc.Find("h1").Text())
	}
	r = admin.Post(fmt.Sprintf("/leads/%d/delete", colleagues), nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/leads" {
		t.Fatalf("delete: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE id = $1", colleagues) + queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1", colleagues); n != 0 {
		t.Fatal("the lead or its history is still there")
	}
	if r := admin.Get("/leads"); !strings.Contains(r.Doc.Find(".flash").Text(), "was deleted") {
		t.Error("no confirmation after deleting")
	}
	if r := admin.Get(fmt.Sprintf("/leads/%d", colleagues)); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleted lead still opens: %d", r.StatusCode)
	}
}

func TestLeadEditWritesHistory(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "user@northwind.test")
	id := lwCreate(t, c, lwLeadForm("Initial Co", "ana@initial.test"))

	r := c.Get(fmt.Sprintf("/leads/%d/edit", id))
	if v, _ := r.Doc.Find("#deal_value").Attr("value"); r.StatusCode != http.StatusOK || v != "12500.00" {
		t.Fatalf("edit form: %d, deal value %q", r.StatusCode, v)
	}
	if v, _ := r.Doc.Find("#email").Attr("value"); v != "ana@initial.test" {
		t.Fatalf("edit form email %q", v)
	}

	// Invalid: 422 in place, nothing saved.
	form := lwLeadForm("Initial Co", "ana@initial.test")
	form.Set("company", "")
	form.Set("phone", "call me maybe")
	r = c.Post(fmt.Sprintf("/leads/%d/edit", id), form)
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#company-error").Length() != 1 || r.Doc.Find("#phone-error").Length() != 1 {
		t.Fatalf("invalid edit: %d", r.StatusCode)
	}
	if v, _ := r.Doc.Find("#phone").Attr("value"); v != "call me maybe" {
		t.Errorf("phone not kept: %q", v)
	}

	// Nothing changed: no history entry.
	r = c.Post(fmt.Sprintf("/leads/%d/edit", id), lwLeadForm("Initial Co", "ana@initial.test"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("unchanged save: %d", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'updated'", id); n != 0 {
		t.Fatalf("%d 'updated' events for an unchanged save", n)
	}

	form = lwLeadForm("Initial Co", "bo@initial.test")
	form.Set("deal_value", "20000")
	r = c.Post(fmt.Sprintf("/leads/%d/edit", id), form)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/leads/%d", id) {
		t.Fatalf("save: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if got := lwStr(t, env, "SELECT email || ' ' || deal_value_minor FROM leads WHERE id = $1", id); got != "bo@initial.test 2000000" {
		t.Fatalf("saved %q", got)
	}
	var raw []byte
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT changes FROM lead_events WHERE lead_id = $1 AND kind = 'updated'", id).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var changes map[string]struct{ Old, New string }
	if err := json.Unmarshal(raw, &changes); err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes["Email"].Old != "ana@initial.test" || changes["Email"].New != "bo@initial.test" ||
		changes["Deal value"].Old != "€12,500.00" || changes["Deal value"].New != "€20,000.00" {
		t.Fatalf("changes %s", raw)
	}
	r = c.Get(fmt.Sprintf("/leads/%d", id))
	ev := r.Doc.Find("#lead-history li.event-updated")
	if ev.Find("del").First().Text() != "ana@initial.test" || ev.Find("ins").First().Text() != "bo@initial.test" {
		t.Fatalf("history shows %q", ev.Text())
	}
	if !strings.Contains(ev.Text(), "Umar User") || ev.Find("time").Length() != 1 {
		t.Errorf("history entry lacks who/when: %q", ev.Text())
	}
	if !strings.Contains(r.Doc.Find(".flash").Text(), "saved") {
		t.Error("no confirmation after saving")
	}
}
