package app_test

import (
	"net/http"
	"net/url"
	"partnerportal/app/invoice"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
)

// manageEnv starts the portal with agreements switched off (so partner pages
// open without signing) and signs the given user in.
func manageEnv(t *testing.T, email string) (*apptest.Env, *apptest.Client) {
	t.Helper()
	env := noAgreementsEnv(t)
	c := env.Client(t)
	c.SignIn(email)
	return env, c
}

func manageUserID(t *testing.T, env *apptest.Env, email string) int64 {
	t.Helper()
	var id int64
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT id FROM users WHERE email = $1", email).Scan(&id); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return id
}

func manageUserRole(t *testing.T, env *apptest.Env, email string) string {
	t.Helper()
	var role string
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT role FROM users WHERE email = $1", email).Scan(&role); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return role
}

func manageCount(t *testing.T, env *apptest.Env, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.Store.Pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestManageTeamListsMembers(t *testing.T) {
	_, c := manageEnv(t, "admin@northwind.test")
	r := c.Get("/manage")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /manage: %d", r.StatusCode)
	}
	rows := r.Doc.Find("#team tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("team has %d rows, want 2 (Northwind only)", rows.Length())
	}
	roles := map[string]string{}
	rows.Each(func(_ int, s *goquery.Selection) {
		roles[strings.TrimSpace(s.Find("td").Eq(1).Text())] = strings.TrimSpace(s.Find(".member-role").Text())
	})
	if roles["admin@northwind.test"] != "Admin" || roles["user@northwind.test"] != "User" {
		t.Fatalf("roles shown: %v", roles)
	}
	if strings.Contains(r.Body, "globex.test") {
		t.Fatal("another partner's member is listed")
	}
	if r.Doc.Find(`a[href="/manage/invite"]`).Length() == 0 {
		t.Fatal("no link to invite")
	}
	if r.Doc.Find(`nav.tabs a[aria-current="page"]`).Text() != "Team" {
		t.Fatal("Team tab not marked current")
	}
	// The user row offers a confirmed "Make Admin"; the only admin's row offers no demotion.
	form := r.Doc.Find(`form[action$="/role"]`)
	if form.Length() != 1 || form.AttrOr("data-confirm", "") == "" || form.Find(`input[name=role]`).AttrOr("value", "") != "partner_admin" {
		t.Fatalf("role forms: %d", form.Length())
	}
}

func TestManagePartnerUserForbidden(t *testing.T) {
	env, c := manageEnv(t, "user@northwind.test")
	for _, p := range []string{"/manage", "/manage/invite", "/manage/organization", "/manage/payout", "/manage/billing"} {
		if r := c.Get(p); r.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", p, r.StatusCode)
		}
	}
	self := strconv.FormatInt(manageUserID(t, env, "user@northwind.test"), 10)
	posts := map[string]url.Values{
		"/manage/invite":                  {"name": {"Eve Intruder"}, "email": {"eve@northwind.test"}, "role": {"partner_admin"}},
		"/manage/users/" + self + "/role": {"role": {"partner_admin"}},
		"/manage/organization":            {"name": {"Hijacked"}, "website": {""}},
		"/manage/payout":                  {"method": {"paypal"}, "currency": {"USD"}, "paypal_email": {"eve@evil.test"}},
		"/manage/billing":                 {"legal_name": {"Eve Holdings"}, "address": {"1 Evil Road"}, "country": {"US"}},
	}
	for p, form := range posts {
		if r := c.Post(p, form); r.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403", p, r.StatusCode)
		}
	}
	if manageUserRole(t, env, "user@northwind.test") != "partner_user" {
		t.Fatal("the user made themselves admin")
	}
	if n := manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'eve@northwind.test'") +
		manageCount(t, env, "SELECT count(*) FROM invitations WHERE email = 'eve@northwind.test'"); n != 0 {
		t.Fatal("the user invited someone")
	}
	if n := manageCount(t, env, "SELECT count(*) FROM partners WHERE name = 'Hijacked'"); n != 0 {
		t.Fatal("the user renamed the company")
	}
	if n := manageCount(t, env, "SELECT count(*) FROM partner_payout_settings"); n != 0 {
		t.Fatal("the user saved payout settings")
	}
	if n := manageCount(t, env, "SELECT count(*) FROM partner_billing_details WHERE legal_name = 'Eve Holdings'"); n != 0 {
		t.Fatal("the user saved billing details")
	}
}

func TestInviteValidationKeepsInputAndSavesNothing(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	if r := c.Get("/manage/invite"); r.StatusCode != http.StatusOK || r.Doc.Find(`form[action="/manage/invite"] input[name=_csrf]`).Length() != 1 {
		t.Fatalf("GET invite: %d", r.StatusCode)
	}
	for _, tc := range []struct {
		name, email, role string
		errs              []string
	}{
		{"A", "new@northwind.test", "partner_user", []string{"name"}},
		{strings.Repeat("n", 101), "new@northwind.test", "partner_user", []string{"name"}},
		{"Nina New", "not-an-email", "partner_user", []string{"email"}},
		{"Nina New", "new@northwind.test", "staff", []string{"role"}},
		{"", "", "owner", []string{"name", "email", "role"}},
	} {
		r := c.Post("/manage/invite", url.Values{"name": {tc.name}, "email": {tc.email}, "role": {tc.role}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%+v: status %d", tc, r.StatusCode)
		}
		if got := r.Doc.Find(".field-error").Length(); got != len(tc.errs) {
			t.Errorf("%+v: %d field errors, want %d", tc, got, len(tc.errs))
		}
		for _, f := range tc.errs {
			if r.Doc.Find("#"+f+"-error").Length() != 1 {
				t.Errorf("%+v: no error beside %s", tc, f)
			}
		}
		if got := r.Doc.Find("input#name").AttrOr("value", "?"); got != tc.name {
			t.Errorf("name not kept: %q", got)
		}
		if got := r.Doc.Find("input#email").AttrOr("value", "?"); got != tc.email {
			t.Errorf("email not kept: %q", got)
		}
	}
	if n := manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'new@northwind.test'"); n != 0 {
		t.Fatal("an account was created from invalid input")
	}
}

func TestTeamRoleChanges(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	admin := strconv.FormatInt(manageUserID(t, env, "admin@northwind.test"), 10)
	user := strconv.FormatInt(manageUserID(t, env, "user@northwind.test"), 10)

	// The only admin cannot be demoted.
	r := c.Post("/manage/users/"+admin+"/role", url.Values{"role": {"partner_user"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("#role-error").Text(), "only admin") {
		t.Fatalf("demote last admin: %d %q", r.StatusCode, r.Doc.Find("#role-error").Text())
	}
	if manageUserRole(t, env, "admin@northwind.test") != "partner_admin" {
		t.Fatal("the last admin was demoted")
	}
	// An unknown role is refused.
	if r := c.Post("/manage/users/"+user+"/role", url.Values{"role": {"staff"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("role=staff: %d", r.StatusCode)
	}
	// Promote the user, and the page shows it.
	r = c.Post("/manage/users/"+user+"/role", url.Values{"role": {"partner_admin"}})
	if r.StatusCode != http.StatusSeeOther || manageUserRole(t, env, "user@northwind.test") != "partner_admin" {
		t.Fatalf("promote: %d, role %s", r.StatusCode, manageUserRole(t, env, "user@northwind.test"))
	}
	page := c.Get("/manage")
	if !strings.Contains(page.Doc.Find(".flash").Text(), "Umar User is now an Admin") {
		t.Fatalf("flash %q", page.Doc.Find(".flash").Text())
	}
	if got := page.Doc.Find(`tr[data-user-id="` + user + `"] .member-role`).Text(); got != "Admin" {
		t.Fatalf("role shown %q", got)
	}
	// With two admins, the first may step down, and then has left /manage.
	r = c.Post("/manage/users/"+admin+"/role", url.Values{"role": {"partner_user"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("step down: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if manageUserRole(t, env, "admin@northwind.test") != "partner_user" {
		t.Fatal("step down not saved")
	}
	if r := c.Get("/manage"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("former admin on /manage: %d", r.StatusCode)
	}
}

func TestTeamRoleOfAnotherPartnerIsNotFound(t *testing.T) {
	env, c := manageEnv(t, "admin@globex.test")
	for _, email := range []string{"user@northwind.test", "admin@northwind.test", "staff@acme.test", "admin@initrode.test"} {
		id := strconv.FormatInt(manageUserID(t, env, email), 10)
		before := manageUserRole(t, env, email)
		role := "partner_admin"
		if before == "partner_admin" {
			role = "partner_user"
		}
		if r := c.Post("/manage/users/"+id+"/role", url.Values{"role": {role}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", email, r.StatusCode)
		}
		if manageUserRole(t, env, email) != before {
			t.Errorf("%s: role changed", email)
		}
	}
}

func TestPartnerSettingsValidationAndSave(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	r := c.Get("/manage/organization")
	if r.StatusCode != http.StatusOK || r.Doc.Find("input#name").AttrOr("value", "") != "Northwind Agency" {
		t.Fatalf("GET: %d", r.StatusCode)
	}
	if got := r.Doc.Find("#tier-name").Text(); got != "Premium" {
		t.Fatalf("tier shown %q", got)
	}
	for _, tc := range []struct{ name, website, field, msg string }{
		{"", "", "name", "Enter your company"},
		{strings.Repeat("x", 201), "", "name", "Enter your company"},
		{"Northwind", "northwind.test", "website", "https://"},
		{"Northwind", "ftp://northwind.test", "website", "https://"},
		{"Northwind", "https://", "website", "https://"},
		{"Northwind", "javascript:alert(1)", "website", "https://"},
		{"Globex Partners", "", "name", "already uses this name"},
	} {
		r := c.Post("/manage/organization", url.Values{"name": {tc.name}, "website": {tc.website}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("#"+tc.field+"-error").Text(), tc.msg) {
			t.Fatalf("%q %q: %d %q", tc.name, tc.website, r.StatusCode, r.Doc.Find("#"+tc.field+"-error").Text())
		}
		if got := r.Doc.Find("input#website").AttrOr("value", "?"); got != tc.website {
			t.Errorf("website not kept: %q", got)
		}
	}
	if n := manageCount(t, env, "SELECT count(*) FROM partners WHERE name = 'Northwind Agency' AND website = 'https://northwind.test'"); n != 1 {
		t.Fatal("invalid input changed the company")
	}
	r = c.Post("/manage/organization", url.Values{"name": {"Northwind Digital"}, "website": {""}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	if n := manageCount(t, env, "SELECT count(*) FROM partners WHERE name = 'Northwind Digital' AND website = ''"); n != 1 {
		t.Fatal("not saved")
	}
	r = c.Get("/manage/organization")
	if !strings.Contains(r.Doc.Find(".flash").Text(), "saved") || !strings.Contains(r.Doc.Find(".context").Text(), "Northwind Digital") {
		t.Fatalf("after save: flash %q context %q", r.Doc.Find(".flash").Text(), r.Doc.Find(".context").Text())
	}
}

func TestPayoutSettings(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	const full = "DE89370400440532013000"
	r := c.Get("/manage/payout")
	if r.StatusCode != http.StatusOK || r.Doc.Find("#payout-empty").Length() != 1 {
		t.Fatalf("empty state: %d", r.StatusCode)
	}
	if got := r.Doc.Find("input#currency").AttrOr("value", ""); got != "USD" {
		t.Fatalf("default currency %q", got)
	}

	// Invalid input: 422, the problems beside their fields, nothing saved.
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"method": {"bank_transfer"}, "currency": {"EUR"}, "account_holder": {"Northwind Agency"}, "iban": {"DE88 3704 0044 0532 0130 00"}}, "iban"},
		{url.Values{"method": {"bank_transfer"}, "currency": {"EUR"}, "account_holder": {"Northwind Agency"}, "iban": {"hello"}}, "iban"},
		{url.Values{"method": {"bank_transfer"}, "currency": {"EUR"}, "account_holder": {"Northwind Agency"}, "iban": {""}}, "iban"},
		{url.Values{"method": {"bank_transfer"}, "currency": {"EUR"}, "account_holder": {""}, "iban": {full}}, "account_holder"},
		{url.Values{"method": {"bank_transfer"}, "currency": {"EUR"}, "account_holder": {"Northwind Agency"}, "iban": {full}, "bic": {"COBADEFF1"}}, "bic"},
		{url.Values{"method": {"bank_transfer"}, "currency": {"EURO"}, "account_holder": {"Northwind Agency"}, "iban": {full}}, "currency"},
		{url.Values{"method": {"paypal"}, "currency": {"USD"}, "paypal_email": {"nope"}}, "paypal_email"},
		{url.Values{"method": {"cheque"}, "currency": {"USD"}}, "method"},
	} {
		r := c.Post("/manage/payout", tc.form)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#"+tc.field+"-error").Length() != 1 {
			t.Fatalf("%v: status %d, no error beside %s", tc.form, r.StatusCode, tc.field)
		}
		if got := r.Doc.Find("input#account_holder").AttrOr("value", "?"); got != tc.form.Get("account_holder") {
			t.Errorf("account holder not kept: %q", got)
		}
	}
	if n := manageCount(t, env, "SELECT count(*) FROM partner_payout_settings"); n != 0 {
		t.Fatal("invalid payout settings were saved")
	}

	// A valid IBAN is stored normalised and only ever shown masked.
	r = c.Post("/manage/payout", url.Values{"method": {"bank_transfer"}, "currency": {"eur"},
		"account_holder": {"Northwind Agency"}, "iban": {"de89 3704 0044 0532 0130 00"}, "bic": {"cobadeffxxx"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	stored := func() (string, invoice.Details) {
		t.Helper()
		var org, partner int64
		var method, keyID string
		var sealed []byte
		if err := env.Store.Pool.QueryRow(t.Context(), "SELECT organization_id, partner_id, method, sealed_key_id, sealed FROM partner_payout_settings WHERE iban = '' AND account_holder = '' AND bic = '' AND paypal_email = ''").
			Scan(&org, &partner, &method, &keyID, &sealed); err != nil {
			t.Fatal(err)
		}
		d, err := invoice.OpenDetails(env.Config.PayoutKeys, org, partner, keyID, sealed)
		if err != nil {
			t.Fatal(err)
		}
		return method, d
	}
	var currency string
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT currency FROM partner_payout_settings").Scan(&currency); err != nil {
		t.Fatal(err)
	}
	if _, d := stored(); d.IBAN != full || d.BIC != "COBADEFFXXX" || currency != "EUR" {
		t.Fatalf("stored %q %q %q", d.IBAN, d.BIC, currency)
	}
	r = c.Get("/manage/payout")
	if got := r.Doc.Find("#saved-iban").Text(); got != "DE•• •••• •••• •••• 3000" {
		t.Fatalf("masked IBAN %q", got)
	}
	for _, leak := range []string{full, "3704 0044", "37040044", "0532013000"} {
		if strings.Contains(r.Body, leak) {
			t.Fatalf("page contains %q of the IBAN", leak)
		}
	}
	if r.Doc.Find("input#iban").AttrOr("value", "") != "" || r.Doc.Find("#iban-hint").Length() != 1 {
		t.Fatal("edit form does not leave the IBAN empty with a hint")
	}

	// Saving again with the IBAN empty keeps the saved account.
	r = c.Post("/manage/payout", url.Values{"method": {"bank_transfer"}, "currency": {"EUR"},
		"account_holder": {"Northwind Agency GmbH"}, "iban": {""}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-save: %d", r.StatusCode)
	}
	if _, d := stored(); d.IBAN != full || d.Holder != "Northwind Agency GmbH" {
		t.Fatal("re-save without IBAN lost the account")
	}

	// Switching to PayPal stores the address and drops the bank details.
	r = c.Post("/manage/payout", url.Values{"method": {"paypal"}, "currency": {"USD"}, "paypal_email": {"Pay@Northwind.test"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("paypal: %d", r.StatusCode)
	}
	if m, d := stored(); m != "paypal" || d.PayPal != "pay@northwind.test" || d.IBAN != "" {
		t.Fatal("PayPal settings not stored as expected")
	}
	r = c.Get("/manage/payout")
	if got := r.Doc.Find("#saved-paypal").Text(); got != "p…@northwind.test" || strings.Contains(r.Body, "pay@northwind.test") {
		t.Fatalf("PayPal address shown as %q", got)
	}
}
