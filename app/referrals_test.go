package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
)

// refInsert adds a lead the program team passed to the partner (staff create
// these in the review queue; the seed has none).
func refInsert(t *testing.T, env *apptest.Env, partner, company, status, reason string) int64 {
	t.Helper()
	return queryInt(t, env, `INSERT INTO leads (organization_id, partner_id, created_by_user_id, source, status, company,
			contact_name, email, currency, deal_value_minor, rejection_reason, created_at)
		SELECT p.organization_id, p.id, (SELECT id FROM users WHERE email = 'staff@acme.test'), 'referral', $2, $3,
			'Casey Quinn', lower(replace($3, ' ', '')) || '@example.test', 'USD', 500000, $4, $5
		FROM partners p WHERE p.name = $1
		RETURNING id`, partner, status, company, reason, env.Clock.Now())
}

func refMetrics(r *apptest.Response) [3]string {
	f := func(sel string) string { return strings.TrimSpace(r.Doc.Find(sel).Text()) }
	return [3]string{f("#metric-referred"), f("#metric-approved"), f("#metric-rate")}
}

func refPost(c *apptest.Client, path string, form url.Values) *apptest.Response {
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", c.CSRF())
	return c.Do(http.MethodPost, path, form, map[string]string{"HX-Request": "true", "HX-Target": "referral"})
}

func TestReferralLeadsListAndMetrics(t *testing.T) {
	env := noAgreementsEnv(t)
	a := refInsert(t, env, "Northwind Agency", "Aperture Science", "in_review", "")
	refInsert(t, env, "Northwind Agency", "Black Mesa", "in_review", "")
	refInsert(t, env, "Northwind Agency", "Cyberdyne", "approved", "")
	refInsert(t, env, "Northwind Agency", "Duff Brewing", "rejected", "Outside our region.")
	refInsert(t, env, "Globex Partners", "Globex Only Referral", "in_review", "")

	c := signedIn(t, env, "user@northwind.test")
	r := c.Get("/leads/referrals")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /leads/referrals: %d", r.StatusCode)
	}
	if got := refMetrics(r); got != [3]string{"4", "1", "50%"} {
		t.Fatalf("metrics %v, want 4 referred, 1 approved, 50%%", got)
	}
	rows := r.Doc.Find("#referral-table tbody tr")
	if rows.Length() != 4 {
		t.Fatalf("%d rows, want Northwind's 4 referrals", rows.Length())
	}
	var names []string
	rows.Each(func(_ int, s *goquery.Selection) {
		names = append(names, strings.TrimSpace(s.Find("td a").First().Text()))
	})
	// Waiting first, then newest first; only Northwind's referrals, no leads it registered.
	if strings.Join(names, ",") != "Black Mesa,Aperture Science,Duff Brewing,Cyberdyne" {
		t.Fatalf("rows %v", names)
	}
	if got := strings.TrimSpace(r.Doc.Find(`nav.tabs a[aria-current="page"]`).Text()); got != "Referral Leads" {
		t.Errorf("current tab %q", got)
	}
	if r.Doc.Find(`nav.tabs a[href="/leads"]`).Length() != 1 {
		t.Error("no tab back to Your Leads")
	}
	row := r.Doc.Find(fmt.Sprintf("#referral-%d", a))
	if row.Find(`form[action$="/accept"]`).Length() != 1 || row.Find(`form[action$="/decline"] input[name=reason]`).Length() != 1 {
		t.Fatal("a waiting referral lacks Accept/Decline")
	}
	if v, _ := row.Find(`form[action$="/accept"]`).Attr("hx-target"); v != "closest tr" {
		t.Errorf("accept hx-target %q", v)
	}
	if row.Find(`input[name=_csrf]`).Length() != 2 {
		t.Error("forms without CSRF field")
	}
	decided := r.Doc.Find("#referral-table tbody tr").Not(fmt.Sprintf("#referral-%d", a)).Find(`form[action$="/accept"]`).Length()
	if decided != 1 { // Black Mesa only; Cyberdyne and Duff are decided
		t.Errorf("%d other rows offer Accept, want 1", decided)
	}
	if !strings.Contains(r.Body, "Outside our region.") {
		t.Error("decline reason not shown")
	}

	// Nothing decided yet: the rate is a dash, not 0%.
	g := signedIn(t, env, "admin@globex.test")
	if got := refMetrics(g.Get("/leads/referrals")); got != [3]string{"1", "0", "—"} {
		t.Fatalf("Globex metrics %v", got)
	}
	// No referrals: an empty state.
	if r := signedIn(t, env, "admin@initrode.test").Get("/leads/referrals"); r.Doc.Find(".empty").Length() != 1 || refMetrics(r)[2] != "—" {
		t.Fatal("Initrode: no empty state")
	}
}

func TestReferralAcceptAndDecline(t *testing.T) {
	env := noAgreementsEnv(t)
	a := refInsert(t, env, "Northwind Agency", "Aperture Science", "in_review", "")
	b := refInsert(t, env, "Northwind Agency", "Black Mesa", "in_review", "")
	cy := refInsert(t, env, "Northwind Agency", "Cyberdyne", "approved", "")
	refInsert(t, env, "Northwind Agency", "Duff Brewing", "rejected", "No budget.")
	globexRef := refInsert(t, env, "Globex Partners", "Globex Only Referral", "in_review", "")
	c := signedIn(t, env, "user@northwind.test")
	userID := lwUserID(t, env, "user@northwind.test")

	// htmx accept: the row comes back changed, the metrics out of band.
	r := refPost(c, fmt.Sprintf("/leads/%d/accept", a), nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("htmx accept: %d %s", r.StatusCode, r.Body)
	}
	if !strings.HasPrefix(strings.TrimSpace(r.Body), fmt.Sprintf(`<tr id="referral-%d"`, a)) {
		t.Fatalf("htmx accept did not answer with the row: %.200s", r.Body)
	}
	if strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "Accepted") || strings.Contains(r.Body, `/accept"`) {
		t.Fatalf("row after accept: %s", r.Body)
	}
	if oob, _ := r.Doc.Find("#referral-metrics").Attr("hx-swap-oob"); oob != "true" || refMetrics(r) != [3]string{"4", "2", "67%"} {
		t.Fatalf("metrics after accept: oob %q, %v", oob, refMetrics(r))
	}
	if got := lwStr(t, env, "SELECT status FROM leads WHERE id = $1", a); got != "approved" {
		t.Fatalf("status after accept %q", got)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'accepted' AND actor_user_id = $2", a, userID); n != 1 {
		t.Fatalf("%d accepted events", n)
	}

	// htmx decline without a reason: the row again, with the error, 422.
	r = refPost(c, fmt.Sprintf("/leads/%d/decline", b), url.Values{"reason": {" x "}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("decline without reason: %d", r.StatusCode)
	}
	if !strings.HasPrefix(strings.TrimSpace(r.Body), fmt.Sprintf(`<tr id="referral-%d"`, b)) || r.Doc.Find(fmt.Sprintf("#reason-%d-error", b)).Length() != 1 {
		t.Fatalf("422 row: %s", r.Body)
	}
	if v, _ := r.Doc.Find(fmt.Sprintf("#reason-%d", b)).Attr("value"); v != "x" {
		t.Errorf("reason not kept: %q", v)
	}
	if got := lwStr(t, env, "SELECT status FROM leads WHERE id = $1", b); got != "in_review" {
		t.Fatalf("status after refused decline %q", got)
	}
	// The same without JavaScript: the whole page, 422, the error in the row.
	r = c.Post(fmt.Sprintf("/leads/%d/decline", b), url.Values{"reason": {""}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(fmt.Sprintf("#referral-%d #reason-%d-error", b, b)).Length() != 1 || r.Doc.Find("h1").Length() != 1 {
		t.Fatalf("plain decline without reason: %d", r.StatusCode)
	}

	// Plain form decline with a reason: post-redirect-get.
	r = c.Post(fmt.Sprintf("/leads/%d/decline", b), url.Values{"reason": {"We don't serve the healthcare sector."}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/leads/referrals" {
		t.Fatalf("plain decline: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if got := lwStr(t, env, "SELECT status || '|' || rejection_reason FROM leads WHERE id = $1", b); got != "rejected|We don't serve the healthcare sector." {
		t.Fatalf("after decline %q", got)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM lead_events WHERE lead_id = $1 AND kind = 'declined' AND note = 'We don''t serve the healthcare sector.'", b); n != 1 {
		t.Fatalf("%d declined events", n)
	}
	r = c.Get("/leads/referrals")
	if !strings.Contains(r.Doc.Find(".flash").Text(), "declined") || refMetrics(r) != [3]string{"4", "2", "50%"} {
		t.Fatalf("after decline: flash %q, metrics %v", r.Doc.Find(".flash").Text(), refMetrics(r))
	}
	if r := c.Get(fmt.Sprintf("/leads/%d", b)); !strings.Contains(r.Doc.Find("#rejection-reason").Text(), "healthcare") {
		t.Error("detail page lacks the decline reason")
	}

	// Only waiting referrals of the company can be decided.
	partnerLead := lwSeedLead(t, env, "l.source = 'partner' AND l.status = 'in_review'")
	for _, tc := range []struct {
		path string
		want int
	}{
		{fmt.Sprintf("/leads/%d/accept", cy), http.StatusConflict},
		{fmt.Sprintf("/leads/%d/decline", a), http.StatusConflict},
		{fmt.Sprintf("/leads/%d/accept", partnerLead), http.StatusNotFound},
		{fmt.Sprintf("/leads/%d/accept", globexRef), http.StatusNotFound},
		{fmt.Sprintf("/leads/%d/decline", globexRef), http.StatusNotFound},
	} {
		r := c.Post(tc.path, url.Values{"reason": {"Not for us, sorry."}})
		if r.StatusCode != tc.want {
			t.Errorf("POST %s: %d, want %d", tc.path, r.StatusCode, tc.want)
		}
	}
	if got := lwStr(t, env, "SELECT status FROM leads WHERE id = $1", globexRef) + lwStr(t, env, "SELECT status FROM leads WHERE id = $1", partnerLead); got != "in_reviewin_review" {
		t.Fatalf("statuses changed: %q", got)
	}
	// A referral waiting for an answer can't be edited or deleted, even by an Admin.
	waiting := refInsert(t, env, "Northwind Agency", "Encom", "in_review", "")
	admin := signedIn(t, env, "admin@northwind.test")
	if r := admin.Post(fmt.Sprintf("/leads/%d/delete", waiting), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("admin deleting a waiting referral: %d", r.StatusCode)
	}
}
