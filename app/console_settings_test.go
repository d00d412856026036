package app_test

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func tlItoa(n int64) string { return strconv.FormatInt(n, 10) }

func tlSettingsForm(dests, origins, days, model, status string) url.Values {
	return url.Values{"link_destinations": {dests}, "allowed_origins": {origins},
		"attribution_window_days": {days}, "attribution_model": {model}, "signup_lead_status": {status}}
}

func TestConsoleSettingsValidation(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")

	r := staff.Get("/console/settings")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET settings: %d", r.StatusCode)
	}
	if got := r.Doc.Find("#link_destinations").Text(); got != "https://acme.test/" {
		t.Fatalf("destinations textarea %q", got)
	}
	if v, _ := r.Doc.Find("#attribution_window_days").Attr("value"); v != "90" {
		t.Fatalf("window %q, want the default 90", v)
	}
	if !r.Doc.Find(`input[name=attribution_model][value=last_click]`).Is("[checked]") ||
		!r.Doc.Find(`input[name=signup_lead_status][value=in_review]`).Is("[checked]") {
		t.Fatal("defaults not checked")
	}
	if r.Doc.Find(`.mainnav a[href="/console/settings"][aria-current=page]`).Length() != 1 {
		t.Fatal("Settings is not highlighted in the console navigation")
	}

	const okDests, okOrigins = "https://acme.test/\nhttps://shop.acme.test/signup", "https://www.acme.test"
	cases := []struct {
		name, field string
		form        url.Values
	}{
		{"ftp destination", "link_destinations", tlSettingsForm("ftp://acme.test/", okOrigins, "30", "last_click", "in_review")},
		{"relative destination", "link_destinations", tlSettingsForm("https://acme.test/\n/signup", okOrigins, "30", "last_click", "in_review")},
		{"destination with query", "link_destinations", tlSettingsForm("https://acme.test/?a=1", okOrigins, "30", "last_click", "in_review")},
		{"origin with path", "allowed_origins", tlSettingsForm(okDests, "https://www.acme.test/signup", "30", "last_click", "in_review")},
		{"origin without scheme", "allowed_origins", tlSettingsForm(okDests, "www.acme.test", "30", "last_click", "in_review")},
		{"window zero", "attribution_window_days", tlSettingsForm(okDests, okOrigins, "0", "last_click", "in_review")},
		{"window too long", "attribution_window_days", tlSettingsForm(okDests, okOrigins, "366", "last_click", "in_review")},
		{"window not a number", "attribution_window_days", tlSettingsForm(okDests, okOrigins, "ninety", "last_click", "in_review")},
		{"unknown model", "attribution_model", tlSettingsForm(okDests, okOrigins, "30", "linear", "in_review")},
		{"unknown status", "signup_lead_status", tlSettingsForm(okDests, okOrigins, "30", "last_click", "won")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := staff.Post("/console/settings", tc.form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.StatusCode)
			}
			if msg := r.Doc.Find("#" + tc.field + "-error").Text(); msg == "" {
				t.Fatalf("no message beside %s", tc.field)
			}
			if n := r.Doc.Find(".field-error").Length(); n != 1 {
				t.Fatalf("%d field errors, want 1", n)
			}
			// What was typed is kept.
			if got := r.Doc.Find("#link_destinations").Text(); got != tc.form.Get("link_destinations") {
				t.Fatalf("destinations not kept: %q", got)
			}
			if n := queryInt(t, env, "SELECT attribution_window_days FROM organizations WHERE slug = 'acme'"); n != 90 {
				t.Fatalf("saved despite the error: window %d", n)
			}
		})
	}

	// Valid: saved, normalised (lower-case host, default port dropped, duplicates gone).
	r = staff.Post("/console/settings", tlSettingsForm("https://acme.test/\nHTTPS://Shop.Acme.test/signup\n\nhttps://acme.test/",
		"https://www.acme.test/\nhttp://localhost:8080\nhttps://app.acme.test:443", "30", "first_click", "approved"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid save: %d\n%s", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	var dests, origins []string
	var days int
	var model, status string
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT link_destinations, allowed_origins, attribution_window_days,
		attribution_model, signup_lead_status FROM organizations WHERE slug = 'acme'`).Scan(&dests, &origins, &days, &model, &status); err != nil {
		t.Fatal(err)
	}
	if strings.Join(dests, " ") != "https://acme.test/ https://shop.acme.test/signup" ||
		strings.Join(origins, " ") != "https://www.acme.test http://localhost:8080 https://app.acme.test" ||
		days != 30 || model != "first_click" || status != "approved" {
		t.Fatalf("saved %v %v %d %s %s", dests, origins, days, model, status)
	}
	r = staff.Get("/console/settings")
	if !strings.Contains(r.Doc.Find(".flash").Text(), "saved") || r.Doc.Find("#attribution_window_days").AttrOr("value", "") != "30" ||
		!r.Doc.Find(`input[name=attribution_model][value=first_click]`).Is("[checked]") {
		t.Fatal("the saved settings are not shown")
	}
	// Initech's settings are untouched.
	if n := queryInt(t, env, "SELECT attribution_window_days FROM organizations WHERE slug = 'initech'"); n != 90 {
		t.Fatalf("Initech changed: %d", n)
	}

	// Partners never see the console.
	partner := signedIn(t, env, "admin@northwind.test")
	if r := partner.Post("/console/settings", tlSettingsForm("https://evil.test/", "", "30", "last_click", "approved")); r.StatusCode != http.StatusNotFound {
		t.Fatalf("partner POST settings: %d", r.StatusCode)
	}
}

func TestConsoleSettingsWithoutDestinationsWarns(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Post("/console/settings", tlSettingsForm("", "", "90", "last_click", "in_review")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("clearing destinations: %d", r.StatusCode)
	}
	if r := staff.Get("/console/settings"); r.Doc.Find("#no-destinations").Length() != 1 {
		t.Fatal("no warning that partners cannot create links")
	}
}

func TestAPIKeyCreateListRevoke(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")

	r := staff.Get("/console/api-keys")
	if r.StatusCode != http.StatusOK || r.Doc.Find(".api-key").Length() != 0 {
		t.Fatalf("empty list: %d, %d rows", r.StatusCode, r.Doc.Find(".api-key").Length())
	}
	if r := staff.Get("/console/settings"); r.Doc.Find(`a[href="/console/api-keys"]`).Length() == 0 {
		t.Fatal("settings do not link to the API keys")
	}
	if r := staff.Post("/console/api-keys", url.Values{"name": {"  "}}); r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#name-error").Text() == "" {
		t.Fatalf("nameless key: %d", r.StatusCode)
	}

	r = staff.Post("/console/api-keys", url.Values{"name": {"Website backend"}})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", r.StatusCode)
	}
	key := strings.TrimSpace(r.Doc.Find("#new-api-key-value").Text())
	if !regexp.MustCompile(`^pp_live_[A-Za-z0-9_-]{43}$`).MatchString(key) {
		t.Fatalf("key %q", key)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("the page showing the key may be cached")
	}
	var hash []byte
	var prefix string
	var id int64
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT id, key_hash, prefix FROM api_keys WHERE name = 'Website backend'").Scan(&id, &hash, &prefix); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(key))
	if !bytes.Equal(hash, sum[:]) || prefix != key[:12] {
		t.Fatalf("stored hash/prefix do not match the key (prefix %q)", prefix)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM api_keys WHERE position($1 in prefix) > 0 OR prefix = $1", key); n != 0 {
		t.Fatal("the whole key is stored")
	}

	// Never shown again: the list has the name and the prefix only.
	r = staff.Get("/console/api-keys")
	if strings.Contains(r.Body, key) || strings.Contains(r.Body, key[12:]) {
		t.Fatal("the key is shown again")
	}
	row := r.Doc.Find(".api-key")
	if row.Length() != 1 || row.Find(".key-name").Text() != "Website backend" || row.Find(".key-prefix").Text() != prefix+"…" ||
		!strings.Contains(row.Find(".key-status").Text(), "Active") || !strings.Contains(row.Text(), "Never") {
		t.Fatalf("list row: %q", row.Text())
	}
	if _, ok := row.Find("form").Attr("data-confirm"); !ok {
		t.Fatal("revoke does not ask for confirmation")
	}

	// Another organization can neither see nor revoke it.
	initech := signedIn(t, env, "staff@initech.test")
	if r := initech.Get("/console/api-keys"); r.Doc.Find(".api-key").Length() != 0 {
		t.Fatal("Initech sees Acme's key")
	}
	path := "/console/api-keys/" + tlItoa(id) + "/revoke"
	if r := initech.Post(path, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("Initech revoking Acme's key: %d", r.StatusCode)
	}
	if n := queryInt(t, env, "SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"); n != 0 {
		t.Fatal("revoked by another organization")
	}

	if r := staff.Post(path, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	r = staff.Get("/console/api-keys")
	if st := r.Doc.Find(".api-key .key-status").Text(); !strings.Contains(st, "Revoked") || r.Doc.Find(".api-key form").Length() != 0 {
		t.Fatalf("after revoking: %q", st)
	}
	if r := staff.Post(path, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("revoking twice: %d", r.StatusCode)
	}
}

func TestAddPartner(t *testing.T) {
	env := noAgreementsEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	if r := staff.Get("/console/partners"); r.Doc.Find(`a#add-partner[href="/console/partners/new"]`).Length() != 1 {
		t.Fatal("no Add partner button on the partners page")
	}
	r := staff.Get("/console/partners/new")
	if r.StatusCode != http.StatusOK || r.Doc.Find("#tier_id option").Length() != 3 {
		t.Fatalf("form: %d, %d tier options", r.StatusCode, r.Doc.Find("#tier_id option").Length())
	}
	premium := r.Doc.Find(`#tier_id option:contains("Premium")`).AttrOr("value", "")
	form := func(name, email string) url.Values {
		return url.Values{"name": {name}, "website": {"https://wayne.test"}, "tier_id": {premium},
			"admin_name": {"Bruce Wayne"}, "admin_email": {email}}
	}

	cases := []struct {
		name, field string
		form        url.Values
	}{
		{"duplicate company", "name", form("Northwind Agency", "bruce@wayne.test")},
		{"bad email", "admin_email", form("Wayne Enterprises", "bruce@")},
		{"no name", "name", form("", "bruce@wayne.test")},
		{"bad website", "website", func() url.Values {
			f := form("Wayne Enterprises", "bruce@wayne.test")
			f.Set("website", "wayne")
			return f
		}()},
		{"foreign tier", "tier_id", func() url.Values {
			f := form("Wayne Enterprises", "bruce@wayne.test")
			f.Set("tier_id", "999999")
			return f
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := staff.Post("/console/partners/new", tc.form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.StatusCode)
			}
			if r.Doc.Find("#"+tc.field+"-error").Text() == "" {
				t.Fatalf("no message beside %s: %s", tc.field, r.Doc.Find(".field-error").Text())
			}
			if v := r.Doc.Find("#admin_name").AttrOr("value", ""); v != "Bruce Wayne" {
				t.Fatalf("typed values not kept: %q", v)
			}
			if n := queryInt(t, env, "SELECT count(*) FROM partners WHERE name = 'Wayne Enterprises'"); n != 0 {
				t.Fatal("partner saved despite the error")
			}
			if n := queryInt(t, env, "SELECT count(*) FROM users WHERE email = 'bruce@wayne.test'"); n != 0 {
				t.Fatal("user saved despite the error")
			}
		})
	}
	if r := staff.Post("/console/partners/new", form("Northwind Agency", "bruce@wayne.test")); !strings.Contains(r.Doc.Find("#name-error").Text(), "already") {
		t.Fatalf("duplicate name message: %q", r.Doc.Find("#name-error").Text())
	}

	r = staff.Post("/console/partners/new", form("Wayne Enterprises", "Bruce@Wayne.test"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid: %d %s", r.StatusCode, r.Doc.Find(".field-error, .form-errors").Text())
	}
	var tier, code, dest, role string
	var isDefault, active bool
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT t.name, l.code, l.destination, l.is_default, l.active, i.role
		FROM partners p JOIN tiers t ON t.id = p.tier_id
		JOIN tracking_links l ON l.partner_id = p.id JOIN invitations i ON i.partner_id = p.id
		WHERE p.name = 'Wayne Enterprises' AND i.email = 'bruce@wayne.test'`).Scan(&tier, &code, &dest, &isDefault, &active, &role); err != nil {
		t.Fatal(err)
	}
	if tier != "Premium" || !regexp.MustCompile(`^wayne-enterprises-[a-z2-7]{6}$`).MatchString(code) ||
		dest != "https://acme.test/" || !isDefault || !active || role != "partner_admin" {
		t.Fatalf("created: tier %s code %s dest %s default %v active %v role %s", tier, code, dest, isDefault, active, role)
	}
	mail := env.Inbox.WaitFor(t, "bruce@wayne.test", "invitation")
	// Nothing the staff member typed (their name, the admin's name, the
	// company's name) is mailed to the new address.
	for _, typed := range []string{"Sam Staff", "Bruce", "Wayne Enterprises"} {
		if strings.Contains(mail.Body, typed) {
			t.Fatalf("invitation carries %q, typed by the inviter:\n%s", typed, mail.Body)
		}
	}
	if r := staff.Get("/console/partners"); !strings.Contains(r.Doc.Find(".flash").Text(), "Wayne Enterprises was added") ||
		!strings.Contains(r.Doc.Find("#partner-table").Text(), "Wayne Enterprises") {
		t.Fatal("the partner list does not show the new partner")
	}
	// The default link works at once, and the new admin can sign in and see it.
	if r := click(env.Client(t), http.MethodGet, "/r/"+code, browserUA); r.StatusCode != http.StatusFound ||
		!strings.HasPrefix(r.Header.Get("Location"), "https://acme.test/?pp_click=") {
		t.Fatalf("default link: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	bruce := env.Client(t)
	if r := bruce.Post(accountLink(t, env, mail), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accepting the invitation: %d", r.StatusCode)
	}
	if r := bruce.Get("/dashboard/links"); !strings.Contains(r.Doc.Find("#referral-links").Text(), "/r/"+code) {
		t.Fatal("the new admin does not see the default link")
	}

	// An address with an account elsewhere gets the same answer; the account
	// stays where it is. Staff can resend a company's open invitations.
	r = staff.Post("/console/partners/new", form("Globex Two", "admin@globex.test"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin address with an account: %d %q", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	flash := staff.Get("/console/partners").Doc.Find(".flash").Text()
	if !strings.Contains(flash, "Globex Two was added") || !strings.Contains(flash, "invitation is on its way to admin@globex.test") {
		t.Fatalf("flash %q", flash)
	}
	if queryInt(t, env, "SELECT count(*) FROM users WHERE email = 'admin@globex.test' AND partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')") != 1 {
		t.Fatal("the Globex admin moved")
	}
	first := env.Inbox.WaitFor(t, "admin@globex.test", "invitation")
	two := queryInt(t, env, "SELECT id FROM partners WHERE name = 'Globex Two'")
	list := staff.Get("/console/partners")
	if list.Doc.Find(`tr[data-partner-id="`+strconv.FormatInt(two, 10)+`"] form[action$="/invitations/resend"]`).Length() != 1 {
		t.Fatal("no Resend for the open invitation")
	}
	if r := staff.Post("/console/partners/"+strconv.FormatInt(two, 10)+"/invitations/resend", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("resend: %d", r.StatusCode)
	}
	waitCount(t, env, "admin@globex.test", 2)
	if accountLink(t, env, env.Inbox.Latest(t, "admin@globex.test")) == accountLink(t, env, first) {
		t.Fatal("the resend mailed the same link")
	}
	initech := signedIn(t, env, "staff@initech.test")
	if r := initech.Post("/console/partners/"+strconv.FormatInt(two, 10)+"/invitations/resend", nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another organization's staff resend: %d", r.StatusCode)
	}

	// Without any allowed destination, no partner can be added.
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET link_destinations = '{}' WHERE slug = 'acme'"); err != nil {
		t.Fatal(err)
	}
	if r := staff.Get("/console/partners/new"); r.Doc.Find("#no-destinations").Length() != 1 {
		t.Fatal("no warning about missing destinations")
	}
	r = staff.Post("/console/partners/new", form("Stark Industries", "tony@stark.test"))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("#form-error").Text(), "destination") {
		t.Fatalf("without destinations: %d %q", r.StatusCode, r.Doc.Find("#form-error").Text())
	}
	if n := queryInt(t, env, "SELECT count(*) FROM partners WHERE name = 'Stark Industries'"); n != 0 {
		t.Fatal("partner added without a default link")
	}
}
