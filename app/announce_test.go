package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// announced is what a response asks static/app.js to read out.
func announced(t *testing.T, res *http.Response, header string) string {
	t.Helper()
	v, err := url.PathUnescape(res.Header.Get(header))
	if err != nil {
		t.Fatalf("%s is not percent-encoded: %q", header, res.Header.Get(header))
	}
	return v
}

// Handlers say what changed through announce/announceError (app/render.go):
// the lead list's fragment says how many leads it shows, a refused Won says
// why at once, a decision says what happened; a whole page says nothing
// (it has the flash and its own heading).
func TestAnnounceAfterSwaps(t *testing.T) {
	env := noAgreementsEnv(t)
	approved := queryInt(t, env, `SELECT count(*) FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE p.name = 'Northwind Agency' AND l.status = 'approved' AND l.source <> 'referral'`)

	user := signedIn(t, env, "user@northwind.test")
	frag := user.Do("GET", "/leads?status=approved&page=2", nil, map[string]string{"HX-Request": "true", "HX-Target": "lead-results"})
	if got, want := announced(t, frag.Response, "X-Announce"), fmt.Sprintf("%d Approved leads, page 2 of 2.", approved); got != want {
		t.Errorf("lead list fragment announces %q, want %q", got, want)
	}
	search := user.Do("GET", "/leads?q=%C3%BCmber", nil, map[string]string{"HX-Request": "true", "HX-Target": "lead-results"})
	if got := announced(t, search.Response, "X-Announce"); got != "No leads matching “ümber”." {
		t.Errorf("an empty search announces %q", got)
	}
	if full := user.Get("/leads?status=approved"); full.Header.Get("X-Announce") != "" {
		t.Errorf("a whole page announces %q", full.Header.Get("X-Announce"))
	}

	staff := signedIn(t, env, "staff@acme.test")
	id := rvLead(t, env, "in_review", "new", "user@northwind.test")
	company := rvStr(t, env, "SELECT company FROM leads WHERE id = $1", id)
	bad := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/outcome", id), url.Values{"outcome": {"won"}, "revenue": {"lots"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(announced(t, bad.Response, "X-Announce-Alert"), "Enter the revenue") {
		t.Errorf("a refused Won: %d, alert %q", bad.StatusCode, announced(t, bad.Response, "X-Announce-Alert"))
	}
	if bad.Header.Get("X-Announce") != "" {
		t.Errorf("a refused Won also announces success: %q", bad.Header.Get("X-Announce"))
	}
	ok := rvHTMX(staff, "POST", fmt.Sprintf("/console/leads/%d/approve", id), url.Values{})
	if got := announced(t, ok.Response, "X-Announce"); !strings.HasPrefix(got, "Approved "+company+".") {
		t.Errorf("approving announces %q", got)
	}
	if ok.Response.Header.Get("X-Announce-Alert") != "" {
		t.Errorf("approving alerts %q", ok.Header.Get("X-Announce-Alert"))
	}
}
