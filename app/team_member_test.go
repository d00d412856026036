package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestTeamEditMemberNameAndRole(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	admin := strconv.FormatInt(manageUserID(t, env, "admin@northwind.test"), 10)
	user := strconv.FormatInt(manageUserID(t, env, "user@northwind.test"), 10)

	team := c.Get("/manage")
	if team.Doc.Find(`tr[data-user-id="`+user+`"] a[href="/manage/users/`+user+`/edit"]`).Length() != 1 {
		t.Fatal("no Edit link on the member's row")
	}
	r := c.Get("/manage/users/" + user + "/edit")
	if r.StatusCode != http.StatusOK || r.Doc.Find("input#name").AttrOr("value", "") != "Umar User" ||
		r.Doc.Find("select#role option[selected]").AttrOr("value", "") != "partner_user" {
		t.Fatalf("edit form: %d", r.StatusCode)
	}
	// Bad input: 422 beside the fields, nothing saved.
	r = c.Post("/manage/users/"+user+"/edit", url.Values{"name": {"U"}, "role": {"staff"}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#name-error").Length() != 1 || r.Doc.Find("#role-error").Length() != 1 {
		t.Fatalf("bad input: %d", r.StatusCode)
	}
	if manageUserRole(t, env, "user@northwind.test") != "partner_user" ||
		manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'user@northwind.test' AND name = 'Umar User'") != 1 {
		t.Fatal("invalid input was saved")
	}
	// The only admin cannot demote themselves.
	r = c.Post("/manage/users/"+admin+"/edit", url.Values{"name": {"Nora Admin"}, "role": {"partner_user"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("#role-error").Text(), "only admin") {
		t.Fatalf("demote last admin: %d %q", r.StatusCode, r.Doc.Find("#role-error").Text())
	}
	if manageUserRole(t, env, "admin@northwind.test") != "partner_admin" {
		t.Fatal("the last admin was demoted")
	}
	// Rename and promote.
	r = c.Post("/manage/users/"+user+"/edit", url.Values{"name": {"Umar Ulrich"}, "role": {"partner_admin"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/manage" {
		t.Fatalf("save: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	page := c.Get("/manage")
	row := page.Doc.Find(`tr[data-user-id="` + user + `"]`)
	if !strings.Contains(row.Find(".member-name").Text(), "Umar Ulrich") || row.Find(".member-role").Text() != "Admin" {
		t.Fatalf("row after save: %q %q", row.Find(".member-name").Text(), row.Find(".member-role").Text())
	}
	// Another company's admin cannot open or change them.
	globex := signedIn(t, env, "admin@globex.test")
	if r := globex.Get("/manage/users/" + user + "/edit"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("other company GET: %d", r.StatusCode)
	}
	if r := globex.Post("/manage/users/"+user+"/edit", url.Values{"name": {"Hijacked"}, "role": {"partner_user"}}); r.StatusCode != http.StatusNotFound {
		t.Fatalf("other company POST: %d", r.StatusCode)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'user@northwind.test' AND name = 'Umar Ulrich' AND role = 'partner_admin'") != 1 {
		t.Fatal("another company changed the member")
	}
}

func TestTeamRemoveMember(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	admin := strconv.FormatInt(manageUserID(t, env, "admin@northwind.test"), 10)
	userID := manageUserID(t, env, "user@northwind.test")
	user := strconv.FormatInt(userID, 10)
	member := signedIn(t, env, "user@northwind.test")
	if r := member.Get("/leads"); r.StatusCode != http.StatusOK {
		t.Fatalf("member before removal: %d", r.StatusCode)
	}
	leadsBefore := manageCount(t, env, "SELECT count(*) FROM leads WHERE partner_id = (SELECT partner_id FROM users WHERE id = $1)", userID)
	theirs := manageCount(t, env, "SELECT count(*) FROM leads WHERE created_by_user_id = $1", userID)
	if theirs == 0 {
		t.Fatal("the demo user has no leads: the test cannot show they stay")
	}

	// The GET asks first and changes nothing.
	r := c.Get("/manage/users/" + user + "/remove")
	if r.StatusCode != http.StatusOK || r.Doc.Find(`#remove-confirm form[action="/manage/users/`+user+`/remove"] button`).Length() != 1 ||
		r.Doc.Find(`#remove-confirm a[href="/manage"]`).Length() != 1 {
		t.Fatalf("confirmation page: %d", r.StatusCode)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE id = $1", userID) != 1 {
		t.Fatal("opening the confirmation removed the member")
	}
	// The last admin cannot be removed: no Remove on their row, and the POST is refused.
	if c.Get("/manage").Doc.Find(`tr[data-user-id="`+admin+`"] a[href$="/remove"]`).Length() != 0 {
		t.Fatal("the only admin's row offers Remove")
	}
	r = c.Post("/manage/users/"+admin+"/remove", nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("#remove-error").Text(), "only admin") {
		t.Fatalf("remove last admin: %d %q", r.StatusCode, r.Doc.Find("#remove-error").Text())
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'admin@northwind.test'") != 1 {
		t.Fatal("the last admin was removed")
	}
	// Remove the user: gone, signed out at once, leads kept by the company.
	r = c.Post("/manage/users/"+user+"/remove", nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/manage" {
		t.Fatalf("remove: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE id = $1", userID) != 0 ||
		manageCount(t, env, "SELECT count(*) FROM sessions WHERE user_id = $1", userID) != 0 {
		t.Fatal("the member or their sessions are still there")
	}
	if r := member.Get("/leads"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("removed member's next request: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if after := manageCount(t, env, "SELECT count(*) FROM leads WHERE partner_id = (SELECT partner_id FROM users WHERE email = 'admin@northwind.test')"); after != leadsBefore {
		t.Fatalf("company leads %d → %d", leadsBefore, after)
	}
	page := c.Get("/manage")
	if !strings.Contains(page.Doc.Find(".flash").Text(), "was removed") || page.Doc.Find(`tr[data-user-id="`+user+`"]`).Length() != 0 {
		t.Fatalf("team after removal: flash %q", page.Doc.Find(".flash").Text())
	}
	// Another company's member is a 404, not removed.
	globex := manageUserID(t, env, "admin@globex.test")
	if r := c.Post("/manage/users/"+strconv.FormatInt(globex, 10)+"/remove", nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("other company's member: %d", r.StatusCode)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE id = $1", globex) != 1 {
		t.Fatal("another company's member was removed")
	}
}
