package app_test

// Lead review in the vendor console: the queue, inline decisions and edits,
// the durable Won event, referral leads and the notifications they send.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"partnerportal/app/apptest"
)

const rvAcme = "(SELECT id FROM organizations WHERE slug = 'acme')"

func rvStr(t *testing.T, env *apptest.Env, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := env.Store.Pool.QueryRow(t.Context(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func rvExec(t *testing.T, env *apptest.Env, sql string, args ...any) {
	t.Helper()
	if _, err := env.Store.Pool.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// rvLead picks a Northwind lead in the given state, created by the given
// user, and makes it the newest so it heads the queue.
func rvLead(t *testing.T, env *apptest.Env, status, stage, creator string) int64 {
	t.Helper()
	id := queryInt(t, env, `SELECT l.id FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE p.name = 'Northwind Agency' AND l.status = $1 AND l.stage = $2 AND l.source = 'partner'
		ORDER BY l.id LIMIT 1`, status, stage)
	rvExec(t, env, `UPDATE leads SET created_at = $3, duplicate_of_lead_id = NULL,
		created_by_user_id = (SELECT id FROM users WHERE email = $2) WHERE id = $1`, id, creator, env.Clock.Now())
	return id
}

// rvHTMX sends a form the way htmx does from the queue.
func rvHTMX(c *apptest.Client, method, path string, form url.Values) *apptest.Response {
	headers := map[string]string{"HX-Request": "true", "X-CSRF-Token": c.CSRF()}
	return c.Do(method, path, form, headers)
}

// rvFragment parses an htmx answer that starts with a table row, the way the
// browser does (inside a tbody); a plain document parse would drop the <tr>.
func rvFragment(t *testing.T, body string) *goquery.Document {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "tbody", DataAtom: atom.Tbody})
	if err != nil {
		t.Fatal(err)
	}
	root := &html.Node{Type: html.DocumentNode}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return goquery.NewDocumentFromNode(root)
}

func rvCounter(doc *goquery.Document, status string) string {
	return strings.TrimSpace(doc.Find(`#review-counters a[data-status="` + status + `"] .count`).Text())
}

func rvQueueIDs(r *apptest.Response) []int64 {
	var ids []int64
	r.Doc.Find("#review-table tbody tr.review-row").Each(func(_ int, s *goquery.Selection) {
		id, _ := strconv.ParseInt(strings.TrimPrefix(s.AttrOr("id", ""), "lead-"), 10, 64)
		ids = append(ids, id)
	})
	return ids
}

func rvMatched(t *testing.T, r *apptest.Response) int64 {
	t.Helper()
	f := strings.Fields(r.Doc.Find("#review-matched").Text())
	if len(f) == 0 {
		t.Fatalf("no match count on the page: %s", r.Body)
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		t.Fatalf("match count %q", f[0])
	}
	return n
}

func TestReviewQueueScopedToOrganization(t *testing.T) {
	env := noAgreementsEnv(t)
	acmeLead := rvLead(t, env, "in_review", "new", "user@northwind.test")

	acme := signedIn(t, env, "staff@acme.test")
	r := acme.Get("/console/leads")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /console/leads: %d", r.StatusCode)
	}
	if r.Doc.Find(`nav a[href="/console/leads"][aria-current="page"]`).Length() != 1 {
		t.Error("the console navigation does not mark Leads as the current section")
	}
	ids := rvQueueIDs(r)
	if len(ids) == 0 || ids[0] != acmeLead {
		t.Fatalf("Acme queue starts with %v, want the newest in-review lead %d first", ids, acmeLead)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE organization_id = "+rvAcme+" AND status = 'in_review'"); rvMatched(t, r) != n {
		t.Errorf("Acme queue says %d leads match, SQL says %d in review", rvMatched(t, r), n)
	}
	if strings.Contains(r.Body, "Initrode") {
		t.Error("Acme staff see Initech's partner")
	}

	initech := signedIn(t, env, "staff@initech.test")
	r = initech.Get("/console/leads?status=in_review")
	for _, id := range rvQueueIDs(r) {
		if org := rvStr(t, env, "SELECT o.slug FROM leads l JOIN organizations o ON o.id = l.organization_id WHERE l.id = $1", id); org != "initech" {
			t.Errorf("Initech staff see lead %d of %s", id, org)
		}
	}
	if len(rvQueueIDs(r)) == 0 && queryInt(t, env, "SELECT count(*) FROM leads l JOIN organizations o ON o.id = l.organization_id WHERE o.slug = 'initech' AND l.status = 'in_review'") > 0 {
		t.Error("Initech's own in-review leads are missing")
	}
	if strings.Contains(r.Body, "Northwind") || strings.Contains(r.Body, "Globex") {
		t.Error("Initech staff see Acme's partners")
	}
	// Opening or changing an Acme lead by id: 404, and nothing changes.
	path := fmt.Sprintf("/console/leads/%d", acmeLead)
	for _, req := range []struct{ method, path string }{
		{"GET", path}, {"GET", path + "/edit"}, {"GET", path + "/row"},
		{"POST", path + "/approve"}, {"POST", path + "/reject"}, {"POST", path + "/outcome"}, {"POST", path + "/edit"},
	} {
		var res *apptest.Response
		if req.method == "GET" {
			res = initech.Get(req.path)
		} else {
			res = initech.Post(req.path, url.Values{"reason": {"Not ours to judge"}, "outcome": {"won"}, "revenue": {"100"},
				"company": {"Hijacked"}, "contact_name": {"X"}, "email": {"x@example.com"}})
		}
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("Initech staff %s %s: %d, want 404", req.method, req.path, res.StatusCode)
		}
	}
	if s := rvStr(t, env, "SELECT status || '/' || stage || '/' || company FROM leads WHERE id = $1", acmeLead); !strings.HasPrefix(s, "in_review/new/") || strings.Contains(s, "Hijacked") {
		t.Errorf("another organization changed the lead: %s", s)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind <> 'created'", acmeLead); n != 0 {
		t.Errorf("%d history entries written by another organization", n)
	}

	// Partners never reach the console's lead review.
	for _, email := range []string{"admin@northwind.test", "user@northwind.test"} {
		p := signedIn(t, env, email)
		for _, res := range []*apptest.Response{p.Get("/console/leads"), p.Get(path), p.Get("/console/leads/new"),
			p.Post(path+"/approve", nil), p.Post("/console/leads/new", url.Values{"company": {"X"}})} {
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s reached the lead review: %d %s", email, res.StatusCode, res.Request.URL.Path)
			}
		}
	}
	if s := rvStr(t, env, "SELECT status FROM leads WHERE id = $1", acmeLead); s != "in_review" {
		t.Errorf("a partner changed the lead to %s", s)
	}
}

func TestReviewQueueFilters(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	globex := queryInt(t, env, "SELECT id FROM partners WHERE name = 'Globex Partners'")

	// Status: every row has it, and the count is the database's.
	r := staff.Get("/console/leads?status=approved")
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE organization_id = "+rvAcme+" AND status = 'approved'"); rvMatched(t, r) != n {
		t.Errorf("approved: page says %d, SQL %d", rvMatched(t, r), n)
	}
	r.Doc.Find("#review-table tbody tr").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("data-status", "") != "approved" {
			t.Errorf("approved filter shows a %s lead", s.AttrOr("data-status", ""))
		}
	})
	if r.Doc.Find(`#review-status option[value="approved"][selected]`).Length() != 1 {
		t.Error("the status select does not keep the chosen status")
	}
	// The counters are the organization's, per status.
	for _, st := range []string{"in_review", "approved", "rejected"} {
		want := queryInt(t, env, "SELECT count(*) FROM leads WHERE organization_id = "+rvAcme+" AND status = $1", st)
		if got := rvCounter(r.Doc, st); got != strconv.FormatInt(want, 10) {
			t.Errorf("counter %s shows %q, SQL says %d", st, got, want)
		}
	}

	// Partner.
	r = staff.Get(fmt.Sprintf("/console/leads?status=approved&partner=%d", globex))
	if n := queryInt(t, env, "SELECT count(*) FROM leads WHERE partner_id = $1 AND status = 'approved'", globex); rvMatched(t, r) != n || n == 0 {
		t.Errorf("partner filter: page says %d, SQL %d", rvMatched(t, r), n)
	}
	for _, id := range rvQueueIDs(r) {
		if p := queryInt(t, env, "SELECT partner_id FROM leads WHERE id = $1", id); p != globex {
			t.Errorf("partner filter shows lead %d of partner %d", id, p)
		}
	}

	// Duplicates only.
	dup := rvLead(t, env, "in_review", "new", "user@northwind.test")
	other := queryInt(t, env, "SELECT id FROM leads WHERE partner_id = $1 ORDER BY id LIMIT 1", globex)
	rvExec(t, env, "UPDATE leads SET duplicate_of_lead_id = NULL WHERE organization_id = "+rvAcme)
	rvExec(t, env, "UPDATE leads SET duplicate_of_lead_id = $2, duplicate_reason = 'Possible duplicate: same domain' WHERE id = $1", dup, other)
	r = staff.Get("/console/leads?status=in_review&duplicates=1")
	if ids := rvQueueIDs(r); len(ids) != 1 || ids[0] != dup {
		t.Errorf("duplicates filter shows %v, want only %d", ids, dup)
	}
	if r.Doc.Find("#lead-"+strconv.FormatInt(dup, 10)+" .flag-duplicate").Length() != 1 {
		t.Error("the duplicate is not flagged in its row")
	}

	// Search, with LIKE wildcards taken literally.
	northwind := queryInt(t, env, "SELECT id FROM partners WHERE name = 'Northwind Agency'")
	rvExec(t, env, `INSERT INTO leads (organization_id, partner_id, company, contact_name, email, domain, currency, created_at)
		VALUES (`+rvAcme+`, $1, 'Zebra_Quantum 100% Ltd', 'Quinn Zed', 'quinn@zebra.example', 'zebra.example', 'USD', $2)`, northwind, env.Clock.Now())
	zebra := queryInt(t, env, "SELECT id FROM leads WHERE company = 'Zebra_Quantum 100% Ltd'")
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"ZEBRA_quantum", []int64{zebra}},
		{"quinn@zebra", []int64{zebra}},
		{"zebra.example", []int64{zebra}},
		{"100%", []int64{zebra}},
		{"_", []int64{zebra}}, // unescaped, "_" would match every lead
		{"%", []int64{zebra}},
		{"no such company anywhere", nil},
	} {
		r := staff.Get("/console/leads?status=in_review&q=" + url.QueryEscape(tc.q))
		if got := rvQueueIDs(r); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("search %q: rows %v, want %v", tc.q, got, tc.want)
		}
		if v := r.Doc.Find("#review-q").AttrOr("value", ""); v != tc.q {
			t.Errorf("search box keeps %q, want %q", v, tc.q)
		}
	}

	// htmx asks for the results only; the same URL alone is the whole page.
	u := fmt.Sprintf("/console/leads?status=approved&partner=%d", globex)
	frag := staff.Do("GET", u, nil, map[string]string{"HX-Request": "true"})
	if frag.StatusCode != http.StatusOK || strings.Contains(frag.Body, "<html") || frag.Doc.Find("#review-results").Length() != 1 ||
		frag.Doc.Find("#review-filters").Length() != 0 {
		t.Errorf("htmx filter answer is not just the results (status %d)", frag.StatusCode)
	}
	if !strings.Contains(frag.Header.Get("Vary"), "HX-Request") {
		t.Error("no Vary: HX-Request")
	}
	full := staff.Get(u)
	if full.Doc.Find("header.topbar").Length() != 1 || full.Doc.Find("#review-filters").Length() != 1 || full.Doc.Find("#review-results").Length() != 1 {
		t.Error("a pushed filter URL does not render the whole page")
	}
	if f := full.Doc.Find("#review-filters"); f.AttrOr("method", "") != "get" || f.AttrOr("hx-push-url", "") != "true" {
		t.Error("the filter form is not a GET form that pushes its URL")
	}

	// Pages.
	r = staff.Get("/console/leads?status=approved")
	next := r.Doc.Find(`.pager a[rel="next"]`).AttrOr("href", "")
	if next == "" {
		t.Fatal("no next page link for the approved leads")
	}
	page2 := staff.Get(next)
	first, second := rvQueueIDs(r), rvQueueIDs(page2)
	if len(first) != 25 || len(second) == 0 || first[0] == second[0] {
		t.Errorf("pages: %d rows then %d rows", len(first), len(second))
	}
}

func TestReviewApproveInlineNotifiesPartner(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	id := rvLead(t, env, "in_review", "new", "user@northwind.test")
	before := staff.Get("/console/leads")
	inReview, approved := rvCounter(before.Doc, "in_review"), rvCounter(before.Doc, "approved")

	r := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/approve", id), url.Values{"return": {"/console/leads?status=in_review"}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
	}
	if !strings.HasPrefix(strings.TrimSpace(r.Body), "<tr") || strings.Contains(r.Body, "<html") || strings.Contains(r.Body, "topbar") {
		t.Fatalf("approve answered more than the row:\n%s", r.Body)
	}
	doc := rvFragment(t, r.Body)
	row := doc.Find(fmt.Sprintf("tr#lead-%d", id))
	if row.Length() != 1 || row.AttrOr("data-status", "") != "approved" || !strings.Contains(row.Find(".status").Text(), "Approved") {
		t.Fatalf("the row does not show the lead approved:\n%s", r.Body)
	}
	if row.Find("button.approve").Length() != 0 {
		t.Error("an approved row still offers Approve")
	}
	if a := row.Find("form[hx-post]").First(); a.Length() != 0 && a.AttrOr("hx-target", "") != "closest tr" {
		t.Error("the row's forms do not target their row")
	}
	oob := doc.Find(`#review-counters[hx-swap-oob="true"]`)
	if oob.Length() != 1 {
		t.Fatalf("no out-of-band counters:\n%s", r.Body)
	}
	if n, _ := strconv.Atoi(inReview); rvCounter(doc, "in_review") != strconv.Itoa(n-1) {
		t.Errorf("in-review counter %s → %s, want one less", inReview, rvCounter(doc, "in_review"))
	}
	if n, _ := strconv.Atoi(approved); rvCounter(doc, "approved") != strconv.Itoa(n+1) {
		t.Errorf("approved counter %s → %s, want one more", approved, rvCounter(doc, "approved"))
	}

	if s := rvStr(t, env, "SELECT status FROM leads WHERE id = $1", id); s != "approved" {
		t.Fatalf("status %s", s)
	}
	staffID := queryInt(t, env, "SELECT id FROM users WHERE email = 'staff@acme.test'")
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'approved' AND actor_user_id = $2", id, staffID); n != 1 {
		t.Errorf("%d 'approved' history entries by the staff user", n)
	}
	// The creator (a partner User) and the company's admin; nobody else.
	link := fmt.Sprintf("/leads/%d", id)
	var got []string
	rows, err := env.Store.Pool.Query(t.Context(), `SELECT u.email FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.link = $1 ORDER BY u.email`, link)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		got = append(got, e)
	}
	rows.Close()
	if fmt.Sprint(got) != "[admin@northwind.test user@northwind.test]" {
		t.Errorf("notified %v", got)
	}
	for _, to := range []string{"user@northwind.test", "admin@northwind.test"} {
		m := env.Inbox.WaitFor(t, to, "approved your lead")
		if !strings.Contains(m.Body, env.URL+link) {
			t.Errorf("email to %s has no link to the lead:\n%s", to, m.Body)
		}
	}
	if env.Inbox.Count("admin@globex.test") != 0 {
		t.Error("another partner was emailed")
	}

	// Approving twice: refused with the row, nothing more written.
	r = rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/approve", id), url.Values{})
	if r.StatusCode != http.StatusUnprocessableEntity || rvFragment(t, r.Body).Find("tr .field-error").Length() == 0 {
		t.Errorf("second approve: %d, want 422 with a message in the row", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM notifications WHERE link = $1", link); n != 2 {
		t.Errorf("%d notifications after a refused second approve", n)
	}

	// A lead its admin created: the admin hears once, the User not at all.
	own := rvLead(t, env, "in_review", "new", "admin@northwind.test")
	// Without JavaScript: post, redirect back to the queue, flash.
	r = staff.Post(fmt.Sprintf("/console/leads/%d/approve", own), url.Values{"return": {"/console/leads?status=in_review&q=x"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/console/leads?status=in_review&q=x" {
		t.Fatalf("plain approve: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if n := queryInt(t, env, "SELECT count(*) FROM notifications WHERE link = $1", fmt.Sprintf("/leads/%d", own)); n != 1 {
		t.Errorf("%d notifications for a lead its admin created, want 1", n)
	}
	if !strings.Contains(staff.Get("/console/leads").Doc.Find(".flash").Text(), "Approved") {
		t.Error("no flash after a plain approve")
	}
	// An outside return address is ignored.
	third := rvLead(t, env, "in_review", "new", "user@northwind.test")
	r = staff.Post(fmt.Sprintf("/console/leads/%d/approve", third), url.Values{"return": {"//evil.example/console/leads"}})
	if r.Header.Get("Location") != "/console/leads" {
		t.Errorf("return address followed: %q", r.Header.Get("Location"))
	}
	// The worker marks what it sent.
	env.Inbox.WaitFor(t, "admin@northwind.test", "approved your lead "+rvStr(t, env, "SELECT company FROM leads WHERE id = $1", third))
	rvWaitFor(t, func() bool {
		return queryInt(t, env, "SELECT count(*) FROM notifications WHERE emailed_at IS NULL") == 0
	})
}

func TestReviewRejectNeedsReason(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	id := rvLead(t, env, "in_review", "new", "user@northwind.test")
	path := fmt.Sprintf("/console/leads/%d/reject", id)
	for _, reason := range []string{"", "  no ", strings.Repeat("x", 501)} {
		r := rvHTMX(staff, "POST", path, url.Values{"reason": {reason}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("reason %q: %d, want 422", reason, r.StatusCode)
		}
		doc := rvFragment(t, r.Body)
		row := doc.Find(fmt.Sprintf("tr#lead-%d", id))
		if row.Length() != 1 || row.Find("details[open] textarea[aria-invalid=true]").Length() != 1 ||
			!strings.Contains(row.Find(".field-error").Text(), "3 to 500") {
			t.Fatalf("reason %q: the row does not show the error at the reason:\n%s", reason, r.Body)
		}
		if strings.Contains(r.Body, "<html") {
			t.Fatal("422 answered with a whole page")
		}
	}
	if s := rvStr(t, env, "SELECT status || rejection_reason FROM leads WHERE id = $1", id); s != "in_review" {
		t.Errorf("changed without a reason: %s", s)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'rejected'", id) +
		queryInt(t, env, "SELECT count(*) FROM notifications"); n != 0 {
		t.Errorf("%d events/notifications written for a refused reject", n)
	}
	// Without JavaScript the error comes back on the lead page.
	r := staff.Post(path, url.Values{"reason": {"x"}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("header.topbar").Length() != 1 ||
		r.Doc.Find(".field-error").Length() == 0 {
		t.Errorf("plain reject without reason: %d", r.StatusCode)
	}

	r = rvHTMX(staff, "POST", path, url.Values{"reason": {"Already a customer of ours."}})
	if r.StatusCode != http.StatusOK || rvFragment(t, r.Body).Find(`tr[data-status="rejected"]`).Length() != 1 {
		t.Fatalf("reject: %d %s", r.StatusCode, r.Body)
	}
	if s := rvStr(t, env, "SELECT status || ':' || rejection_reason FROM leads WHERE id = $1", id); s != "rejected:Already a customer of ours." {
		t.Errorf("stored %q", s)
	}
	if s := rvStr(t, env, "SELECT note FROM lead_events WHERE lead_id = $1 AND kind = 'rejected'", id); s != "Already a customer of ours." {
		t.Errorf("history note %q", s)
	}
	m := env.Inbox.WaitFor(t, "user@northwind.test", "rejected your lead")
	if !strings.Contains(m.Body, "Already a customer of ours.") {
		t.Errorf("the email does not give the reason:\n%s", m.Body)
	}
}

func TestReviewEditInline(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	id := rvLead(t, env, "approved", "qualified", "user@northwind.test")
	path := fmt.Sprintf("/console/leads/%d/edit", id)
	orig := rvStr(t, env, "SELECT company || '|' || email || '|' || deal_value_minor || '|' || stage FROM leads WHERE id = $1", id)

	r := rvHTMX(staff, "GET", path+"?return="+url.QueryEscape("/console/leads?status=approved"), nil)
	doc := rvFragment(t, r.Body)
	if r.StatusCode != http.StatusOK || doc.Find(fmt.Sprintf("tr#lead-%d.editing form[hx-post]", id)).Length() != 1 {
		t.Fatalf("edit row: %d\n%s", r.StatusCode, r.Body)
	}
	if v := doc.Find(`input[name="company"]`).AttrOr("value", ""); v != strings.Split(orig, "|")[0] {
		t.Errorf("edit row company %q", v)
	}
	if doc.Find(`select[name="stage"] option[selected]`).AttrOr("value", "") != "qualified" {
		t.Error("the stage select does not show the current stage")
	}
	if doc.Find(`input[name="return"]`).AttrOr("value", "") != "/console/leads?status=approved" {
		t.Error("the edit row loses the queue address")
	}

	// Invalid: the edit row again, errors at the fields, nothing saved.
	r = rvHTMX(staff, "POST", path, url.Values{"company": {""}, "domain": {"not a domain"}, "contact_name": {"Pat"},
		"email": {"nope"}, "deal_value": {"12.345"}, "stage": {"proposal"}})
	doc = rvFragment(t, r.Body)
	if r.StatusCode != http.StatusUnprocessableEntity || doc.Find("tr.editing").Length() != 1 {
		t.Fatalf("invalid edit: %d\n%s", r.StatusCode, r.Body)
	}
	for _, f := range []string{"company", "domain", "email", "deal"} {
		if doc.Find(fmt.Sprintf("#%s-%d-error", f, id)).Length() != 1 {
			t.Errorf("no error at %s", f)
		}
	}
	if v := doc.Find(`input[name="email"]`).AttrOr("value", ""); v != "nope" {
		t.Errorf("typed email not kept: %q", v)
	}
	if s := rvStr(t, env, "SELECT company || '|' || email || '|' || deal_value_minor || '|' || stage FROM leads WHERE id = $1", id); s != orig {
		t.Errorf("invalid edit saved something: %s → %s", orig, s)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind IN ('updated', 'stage')", id); n != 0 {
		t.Errorf("%d history entries for an invalid edit", n)
	}

	// Valid: the display row comes back, the history lists the changes.
	r = rvHTMX(staff, "POST", path, url.Values{"company": {"Renamed Industries"}, "domain": {"https://www.Renamed.example/x"},
		"contact_name": {"Pat Renamed"}, "email": {"pat@renamed.example"}, "deal_value": {"2,500.50"}, "stage": {"proposal"},
		"return": {"/console/leads?status=approved"}})
	doc = rvFragment(t, r.Body)
	if r.StatusCode != http.StatusOK || doc.Find("tr.editing").Length() != 0 || !strings.Contains(doc.Find("tr").Text(), "Renamed Industries") {
		t.Fatalf("save: %d\n%s", r.StatusCode, r.Body)
	}
	if s := rvStr(t, env, "SELECT company || '|' || domain || '|' || email || '|' || deal_value_minor || '|' || stage FROM leads WHERE id = $1", id); s != "Renamed Industries|renamed.example|pat@renamed.example|250050|proposal" {
		t.Errorf("saved %s", s)
	}
	var changes map[string]map[string]string
	raw := rvStr(t, env, "SELECT changes::text FROM lead_events WHERE lead_id = $1 AND kind = 'updated'", id)
	if err := json.Unmarshal([]byte(raw), &changes); err != nil {
		t.Fatal(err)
	}
	if changes["Company"]["new"] != "Renamed Industries" || changes["Deal value"]["new"] == "" || changes["Phone"] != nil {
		t.Errorf("updated entry: %s", raw)
	}
	if s := rvStr(t, env, "SELECT changes->'Stage'->>'new' FROM lead_events WHERE lead_id = $1 AND kind = 'stage'", id); s != "Proposal" {
		t.Errorf("stage entry: %q", s)
	}

	// The stage of a lead still in review does not move.
	rid := rvLead(t, env, "in_review", "new", "user@northwind.test")
	r = rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/edit", rid), url.Values{"company": {"X Corp"}, "contact_name": {"X"},
		"email": {"x@x.example"}, "stage": {"proposal"}})
	if r.StatusCode != http.StatusUnprocessableEntity || rvFragment(t, r.Body).Find(fmt.Sprintf("#stage-%d-error", rid)).Length() != 1 {
		t.Errorf("stage change in review: %d", r.StatusCode)
	}
	if s := rvStr(t, env, "SELECT stage || company FROM leads WHERE id = $1", rid); strings.HasPrefix(s, "proposal") || strings.HasSuffix(s, "X Corp") {
		t.Errorf("saved %s", s)
	}
	// Cancel gives the display row back.
	r = rvHTMX(staff, "GET", fmt.Sprintf("/console/leads/%d/row", rid), nil)
	if r.StatusCode != http.StatusOK || rvFragment(t, r.Body).Find(fmt.Sprintf("tr#lead-%d:not(.editing)", rid)).Length() != 1 {
		t.Errorf("cancel: %d", r.StatusCode)
	}
	// Without JavaScript the edit form is a page of its own.
	page := staff.Get(fmt.Sprintf("/console/leads/%d/edit", rid))
	if page.Doc.Find("header.topbar").Length() != 1 || page.Doc.Find(`form[action$="/edit"] input[name="company"]`).Length() != 1 {
		t.Error("the edit page does not work on its own")
	}
}

func TestReviewWonWritesOutboxEventOnce(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	id := rvLead(t, env, "approved", "proposal", "user@northwind.test")
	path := fmt.Sprintf("/console/leads/%d/outcome", id)
	outbox := func(lead int64) int64 {
		return queryInt(t, env, "SELECT count(*) FROM outbox_events WHERE kind = 'lead_won' AND aggregate_id = $1", lead)
	}
	for _, rev := range []string{"", "0", "-5", "abc", "1.234"} {
		r := rvHTMX(staff, "POST", path, url.Values{"outcome": {"won"}, "revenue": {rev}})
		doc := rvFragment(t, r.Body)
		if r.StatusCode != http.StatusUnprocessableEntity || doc.Find(fmt.Sprintf("#revenue-%d-error", id)).Length() != 1 {
			t.Fatalf("revenue %q: %d\n%s", rev, r.StatusCode, r.Body)
		}
	}
	if outbox(id) != 0 || rvStr(t, env, "SELECT stage FROM leads WHERE id = $1", id) != "proposal" {
		t.Fatal("an invalid revenue changed something")
	}
	for i := range 2 {
		r := rvHTMX(staff, "POST", path, url.Values{"outcome": {"won"}, "revenue": {"1,234.50"}})
		want := http.StatusOK
		if i == 1 {
			want = http.StatusUnprocessableEntity // already won
		}
		if r.StatusCode != want {
			t.Fatalf("won #%d: %d, want %d\n%s", i+1, r.StatusCode, want, r.Body)
		}
	}
	if n := outbox(id); n != 1 {
		t.Fatalf("%d lead_won events after posting Won twice", n)
	}
	var payload struct {
		LeadID       int64  `json:"lead_id"`
		PartnerID    int64  `json:"partner_id"`
		RevenueMinor int64  `json:"revenue_minor"`
		Currency     string `json:"currency"`
		WonAt        string `json:"won_at"`
	}
	raw := rvStr(t, env, "SELECT payload::text FROM outbox_events WHERE aggregate_id = $1", id)
	if err := json.Unmarshal([]byte(raw), &payload); err != nil {
		t.Fatal(err)
	}
	partner := queryInt(t, env, "SELECT partner_id FROM leads WHERE id = $1", id)
	if payload.LeadID != id || payload.PartnerID != partner || payload.RevenueMinor != 123450 || payload.Currency != "USD" || payload.WonAt == "" {
		t.Errorf("payload %s", raw)
	}
	if org := queryInt(t, env, "SELECT organization_id FROM outbox_events WHERE aggregate_id = $1", id); org != queryInt(t, env, "SELECT "+rvAcme) {
		t.Error("event stored for the wrong organization")
	}
	if s := rvStr(t, env, "SELECT stage || ':' || revenue_minor || ':' || (won_at IS NOT NULL) FROM leads WHERE id = $1", id); s != "won:123450:true" {
		t.Errorf("lead %s", s)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'won'", id); n != 1 {
		t.Errorf("%d 'won' entries", n)
	}
	env.Inbox.WaitFor(t, "user@northwind.test", "marked Won")

	// Winning a lead in review approves it too; both entries are written.
	rid := rvLead(t, env, "in_review", "new", "user@northwind.test")
	if r := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/outcome", rid), url.Values{"outcome": {"won"}, "revenue": {"99"}}); r.StatusCode != http.StatusOK {
		t.Fatalf("win in review: %d", r.StatusCode)
	}
	if s := rvStr(t, env, "SELECT status || '/' || stage FROM leads WHERE id = $1", rid); s != "approved/won" {
		t.Errorf("won from review: %s", s)
	}
	if s := rvStr(t, env, "SELECT string_agg(kind, ',' ORDER BY id) FROM lead_events WHERE lead_id = $1 AND kind <> 'created'", rid); s != "approved,won" {
		t.Errorf("history %s", s)
	}

	// Invalid transitions are refused in SQL: a rejected lead is never won,
	// a lost lead is never won, a lead in review is not lost.
	rej := rvLead(t, env, "rejected", "new", "user@northwind.test")
	lost := rvLead(t, env, "approved", "qualified", "user@northwind.test")
	if r := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/outcome", lost), url.Values{"outcome": {"lost"}}); r.StatusCode != http.StatusOK {
		t.Fatalf("lost: %d", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'lost'", lost); n != 1 {
		t.Errorf("%d 'lost' entries", n)
	}
	inReview := rvLead(t, env, "in_review", "new", "user@northwind.test")
	for _, tc := range []struct {
		id      int64
		outcome string
	}{{rej, "won"}, {lost, "won"}, {inReview, "lost"}} {
		r := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/outcome", tc.id), url.Values{"outcome": {tc.outcome}, "revenue": {"10"}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s on %d: %d, want 422", tc.outcome, tc.id, r.StatusCode)
		}
		if outbox(tc.id) != 0 {
			t.Errorf("event written for refused %s", tc.outcome)
		}
	}
	if s := rvStr(t, env, "SELECT status || '/' || stage FROM leads WHERE id = $1", rej); s != "rejected/new" {
		t.Errorf("rejected lead became %s", s)
	}
}

func TestOutboxRolledBackWithFailedTransaction(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	id := rvLead(t, env, "approved", "proposal", "user@northwind.test")
	revenue := rvStr(t, env, "SELECT revenue_minor::text FROM leads WHERE id = $1", id)
	// Make the history write that follows the event fail.
	rvExec(t, env, `CREATE FUNCTION fail_won() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.kind = 'won' THEN RAISE EXCEPTION 'history unavailable'; END IF; RETURN NEW; END $$`)
	rvExec(t, env, `CREATE TRIGGER fail_won BEFORE INSERT ON lead_events FOR EACH ROW EXECUTE FUNCTION fail_won()`)
	r := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/outcome", id), url.Values{"outcome": {"won"}, "revenue": {"500"}})
	if r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("won with failing history: %d", r.StatusCode)
	}
	if s := rvStr(t, env, "SELECT stage || ':' || revenue_minor || ':' || (won_at IS NULL) FROM leads WHERE id = $1", id); s != "proposal:"+revenue+":true" {
		t.Errorf("lead changed although the transaction failed: %s", s)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM outbox_events"); n != 0 {
		t.Errorf("%d outbox events survived the rollback", n)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM notifications"); n != 0 {
		t.Errorf("%d notifications survived the rollback", n)
	}
	rvExec(t, env, "DROP TRIGGER fail_won ON lead_events")
	if r := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/outcome", id), url.Values{"outcome": {"won"}, "revenue": {"500"}}); r.StatusCode != http.StatusOK {
		t.Fatalf("won after the failure: %d", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM outbox_events WHERE aggregate_id = $1", id); n != 1 {
		t.Errorf("%d events", n)
	}
}

func TestReviewReferralLeadCreation(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	northwind := queryInt(t, env, "SELECT id FROM partners WHERE name = 'Northwind Agency'")
	initrode := queryInt(t, env, "SELECT id FROM partners WHERE name LIKE 'Initrode%'")
	r := staff.Get("/console/leads/new")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET new: %d", r.StatusCode)
	}
	opts := r.Doc.Find("#partner_id option").Text()
	if !strings.Contains(opts, "Northwind Agency") || !strings.Contains(opts, "Globex Partners") || strings.Contains(opts, "Initrode") {
		t.Errorf("partner choices: %q", opts)
	}
	form := func(partner int64) url.Values {
		return url.Values{"partner_id": {strconv.FormatInt(partner, 10)}, "company": {"Referral Robotics"},
			"domain": {"referral-robotics.example"}, "contact_name": {"Rae Ref"}, "email": {"rae@referral-robotics.example"},
			"deal_value": {"15,000"}, "notes": {"Met them at the trade fair."}}
	}
	leads := func() int64 {
		return queryInt(t, env, "SELECT count(*) FROM leads WHERE company = 'Referral Robotics'")
	}
	// Another organization's partner, a made-up id, none: 422 in place.
	for _, p := range []int64{initrode, 999999, 0} {
		r := staff.Post("/console/leads/new", form(p))
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#partner_id-error").Length() != 1 {
			t.Errorf("partner %d: %d, want 422 with the error at the partner", p, r.StatusCode)
		}
		if v := r.Doc.Find("#company").AttrOr("value", ""); v != "Referral Robotics" {
			t.Errorf("typed company not kept: %q", v)
		}
	}
	bad := form(northwind)
	bad.Set("email", "not-an-email")
	if r := staff.Post("/console/leads/new", bad); r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#email-error").Length() != 1 {
		t.Errorf("bad email: %d", r.StatusCode)
	}
	if leads() != 0 {
		t.Fatal("a refused referral was saved")
	}

	r = staff.Post("/console/leads/new", form(northwind))
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/console/leads/") {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	id := queryInt(t, env, "SELECT id FROM leads WHERE company = 'Referral Robotics'")
	staffID := queryInt(t, env, "SELECT id FROM users WHERE email = 'staff@acme.test'")
	if s := rvStr(t, env, "SELECT source || '/' || status || '/' || partner_id || '/' || created_by_user_id || '/' || deal_value_minor FROM leads WHERE id = $1", id); s != fmt.Sprintf("referral/in_review/%d/%d/1500000", northwind, staffID) {
		t.Errorf("stored %s", s)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'created' AND actor_user_id = $2", id, staffID); n != 1 {
		t.Errorf("%d 'created' entries by the staff user", n)
	}
	page := staff.Get(r.Header.Get("Location"))
	if !strings.Contains(page.Doc.Find("main h1").Text(), "Referral Robotics") || !strings.Contains(page.Doc.Find(".flash").Text(), "Northwind Agency") {
		t.Error("the lead page after creating does not show the referral")
	}
	env.Inbox.WaitFor(t, "admin@northwind.test", "referral lead")
	// In the queue it waits for the partner; staff do not decide it.
	q := staff.Get("/console/leads?q=referral+robotics")
	row := q.Doc.Find(fmt.Sprintf("#lead-%d", id))
	if row.Length() != 1 || row.Find("button.approve").Length() != 0 || !strings.Contains(row.Text(), "Waiting for Northwind Agency") {
		t.Errorf("referral row in the queue: %q", row.Text())
	}
	if r := staff.Post(fmt.Sprintf("/console/leads/%d/approve", id), nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("staff approved a referral waiting for the partner: %d", r.StatusCode)
	}
}

func TestReviewLeadPageShowsDuplicatesSideBySide(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	globexLead := queryInt(t, env, "SELECT l.id FROM leads l JOIN partners p ON p.id = l.partner_id WHERE p.name = 'Globex Partners' ORDER BY l.id LIMIT 1")
	id := rvLead(t, env, "in_review", "new", "user@northwind.test")
	rvExec(t, env, `UPDATE leads SET email = (SELECT email FROM leads WHERE id = $2), duplicate_of_lead_id = $2,
		duplicate_reason = 'Possible duplicate: another partner registered the same contact.' WHERE id = $1`, id, globexLead)
	r := staff.Get(fmt.Sprintf("/console/leads/%d", id))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("lead page: %d", r.StatusCode)
	}
	cmp := r.Doc.Find("#duplicate-compare")
	if cmp.Length() != 1 {
		t.Fatal("no side-by-side comparison")
	}
	text := cmp.Text()
	for _, want := range []string{"Northwind Agency", "Globex Partners",
		rvStr(t, env, "SELECT company FROM leads WHERE id = $1", globexLead),
		rvStr(t, env, "SELECT contact_name FROM leads WHERE id = $1", id),
		rvStr(t, env, "SELECT domain FROM leads WHERE id = $1", globexLead)} {
		if !strings.Contains(text, want) {
			t.Errorf("comparison lacks %q", want)
		}
	}
	if cmp.Find("tr.same").Length() == 0 || !strings.Contains(cmp.Find("tr.same").Text(), "Email") {
		t.Error("the shared email is not marked")
	}
	if cmp.Find(fmt.Sprintf(`a[href="/console/leads/%d"]`, globexLead)).Length() != 1 {
		t.Error("no link to the earlier lead")
	}
	if r.Doc.Find("#lead-facts").Length() != 1 || r.Doc.Find("#decide-heading").Length() != 1 || r.Doc.Find("button.approve").Length() != 1 {
		t.Error("the lead page lacks its details or the decision buttons")
	}
	// Decide from the lead page (plain form): back on the lead page, in the
	// history, and its link back still leads to the filtered queue.
	queue := "/console/leads?status=in_review&q=a"
	page := staff.Get(fmt.Sprintf("/console/leads/%d?return=%s", id, url.QueryEscape(queue)))
	ret := page.Doc.Find(`form[action$="/approve"] input[name="return"]`).AttrOr("value", "")
	res := staff.Post(fmt.Sprintf("/console/leads/%d/approve", id), url.Values{"return": {ret}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), fmt.Sprintf("/console/leads/%d?", id)) {
		t.Fatalf("approve from the lead page: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	after := staff.Get(res.Header.Get("Location"))
	if back := after.Doc.Find(`main a[href^="/console/leads?"]`).First().AttrOr("href", ""); back != queue {
		t.Errorf("back link after deciding: %q, want %q", back, queue)
	}
	hist := after.Doc.Find("#lead-history").Text()
	if !strings.Contains(hist, "Approved") || !strings.Contains(hist, "Sam Staff") {
		t.Errorf("history: %q", hist)
	}
}

// rvWaitFor polls a condition for up to 10 s.
func rvWaitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for range 200 {
		if ok() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("condition not met within 10s")
}
