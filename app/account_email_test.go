package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/workers"
)

func accountForm(name, email string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "time_zone": {""}}
}

func userEmail(t *testing.T, env *apptest.Env, id int64) string {
	t.Helper()
	var e string
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT email FROM users WHERE id = $1", id).Scan(&e); err != nil {
		t.Fatal(err)
	}
	return e
}

// A new address takes effect only through the link sent to it; the old
// address is told. Tokens are stored hashed, the link opens read-only and
// works once; each email goes out once.
func TestEmailChangeTakesEffectOnlyWhenConfirmed(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "user@northwind.test")
	id := manageUserID(t, env, "user@northwind.test")

	r := c.Post("/account", accountForm("Umar Renamed", "Umar@New-Mail.test"))
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Fatalf("request: %d %s", r.StatusCode, r.Doc.Find(".field-error").Text())
	}
	if got := userEmail(t, env, id); got != "user@northwind.test" {
		t.Fatalf("the address changed before confirmation: %s", got)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE id = $1 AND name = 'Umar Renamed'", id) != 1 {
		t.Fatal("the name was not saved at once")
	}
	acc := c.Get("/account")
	if flash := acc.Doc.Find(".flash").Text(); !strings.Contains(flash, "We sent a confirmation link to umar@new-mail.test") {
		t.Fatalf("flash %q", flash)
	}
	if !strings.Contains(acc.Doc.Find("#pending-email").Text(), "umar@new-mail.test") || acc.Doc.Find("input#email").AttrOr("value", "") != "user@northwind.test" {
		t.Fatal("the account page does not show the pending change beside the current address")
	}

	confirm := env.Inbox.WaitFor(t, "umar@new-mail.test", "Confirm your new sign-in address")
	notice := env.Inbox.WaitFor(t, "user@northwind.test", "being changed")
	if !strings.Contains(notice.Body, "umar@new-mail.test") {
		t.Fatalf("the notice does not say the new address:\n%s", notice.Body)
	}
	cpath, rpath := accountLink(t, env, confirm), accountLink(t, env, notice)
	if !strings.HasPrefix(cpath, "/account/email/confirm/") || !strings.HasPrefix(rpath, "/account/email/report/") {
		t.Fatalf("links %s %s", cpath, rpath)
	}
	ctoken := cpath[strings.LastIndex(cpath, "/")+1:]
	rtoken := rpath[strings.LastIndex(rpath, "/")+1:]
	if manageCount(t, env, "SELECT count(*) FROM email_changes WHERE confirm_hash = sha256($1::bytea) AND cancel_hash = sha256($2::bytea)", []byte(ctoken), []byte(rtoken)) != 1 {
		t.Fatal("the tokens are not stored as their SHA-256")
	}
	if manageCount(t, env, "SELECT count(*) FROM email_changes WHERE position($1 in row_to_json(email_changes)::text) > 0", ctoken) != 0 {
		t.Fatal("the raw token is stored")
	}

	other := env.Client(t) // the link works from any browser: it proves the mailbox
	for range 2 {
		g := other.Get(cpath)
		if g.StatusCode != http.StatusOK || g.Doc.Find(`form[action="`+cpath+`"] button`).Length() != 1 {
			t.Fatalf("open the link: %d", g.StatusCode)
		}
	}
	if got := userEmail(t, env, id); got != "user@northwind.test" {
		t.Fatal("opening the link changed the address")
	}
	if r := other.Post(cpath, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Doc.Find("#account-link").Text())
	}
	if got := userEmail(t, env, id); got != "umar@new-mail.test" {
		t.Fatalf("after confirmation: %s", got)
	}
	if r := other.Post(cpath, nil); r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="used"]`).Length() != 1 {
		t.Fatalf("second confirm: %d", r.StatusCode)
	}
	// The new address signs in; the old one gets no link any more.
	signedIn(t, env, "umar@new-mail.test")

	// Each email went out once; running the task again sends nothing.
	var changeID int64
	env.Store.Pool.QueryRow(t.Context(), "SELECT id FROM email_changes WHERE user_id = $1", id).Scan(&changeID)
	mux := workers.NewMux(&workers.Deps{Store: env.Store, Config: env.Config, Log: env.Log, Redis: env.Redis, Clock: env.Clock, Files: env.Files,
		Mailer: &workers.SMTPMailer{URL: env.Config.SMTPURL, From: env.Config.SMTPFrom}})
	if err := mux.ProcessTask(context.Background(), workers.NewEmailChangeTask(changeID)); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, env)
	if n := env.Inbox.Count("user@northwind.test"); n != 2 { // the sign-in link at the start, the notice
		t.Fatalf("%d emails to the old address, want 2", n)
	}
	if n := env.Inbox.Count("umar@new-mail.test"); n != 2 { // the confirmation, a sign-in link
		t.Fatalf("%d emails to the new address, want 2", n)
	}
}

// Asking for an address that has an account elsewhere gets the same answer
// as any other address; only the owner of that address learns (by email)
// that nothing changed, and no account moves.
func TestEmailChangeSameAnswerForTakenAddress(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "user@northwind.test")
	id := manageUserID(t, env, "user@northwind.test")
	var answers []string
	for _, email := range []string{"free@example.com", "admin@globex.test", "staff@initech.test"} {
		r := c.Post("/account", accountForm("Umar User", email))
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %q", email, r.StatusCode, r.Doc.Find("#email-error").Text())
		}
		answers = append(answers, strings.ReplaceAll(flashOf(c, "/account"), email, "ADDRESS"))
		// The email to the new address, before the next request replaces this one.
		if email == "free@example.com" {
			env.Inbox.WaitFor(t, email, "Confirm")
		} else {
			env.Inbox.WaitFor(t, email, "already has a partner portal account")
		}
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("answers differ:\n%q\n%q", answers[0], a)
		}
	}
	note := env.Inbox.Latest(t, "admin@globex.test")
	if accountLinkRe.MatchString(note.Body) {
		t.Fatalf("the note to a taken address carries a link:\n%s", note.Body)
	}
	if got := userEmail(t, env, id); got != "user@northwind.test" {
		t.Fatalf("the address changed: %s", got)
	}
	// Only the newest request is pending; the earlier links stop working.
	if n := manageCount(t, env, "SELECT count(*) FROM email_changes WHERE user_id = $1 AND confirmed_at IS NULL AND cancelled_at IS NULL", id); n != 1 {
		t.Fatalf("%d pending changes, want 1", n)
	}
	first := accountLink(t, env, env.Inbox.Latest(t, "free@example.com"))
	if r := env.Client(t).Post(first, nil); r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="cancelled"]`).Length() != 1 {
		t.Fatalf("a replaced request's link: %d", r.StatusCode)
	}
	if got := userEmail(t, env, id); got != "user@northwind.test" {
		t.Fatalf("the address changed: %s", got)
	}
}

// The old address's report link undoes a confirmed change (a stolen session
// turned into a takeover) and ends every session; it works once.
func TestEmailChangeReportUndoesItAndEndsSessions(t *testing.T) {
	env := noAgreementsEnv(t)
	start := env.Clock.Now()
	thief := signedIn(t, env, "user@northwind.test")
	owner := signedIn(t, env, "user@northwind.test")
	id := manageUserID(t, env, "user@northwind.test")
	if r := thief.Post("/account", accountForm("Umar User", "thief@evil.test")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d", r.StatusCode)
	}
	cpath := accountLink(t, env, env.Inbox.WaitFor(t, "thief@evil.test", "Confirm"))
	if r := thief.Post(cpath, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	if userEmail(t, env, id) != "thief@evil.test" {
		t.Fatal("the change was not confirmed")
	}
	// The thief also has a sign-in link for the new address, unused.
	thief.Post("/login", url.Values{"email": {"thief@evil.test"}})
	waitCount(t, env, "thief@evil.test", 2)
	thiefLink := strings.TrimPrefix(env.Inbox.Latest(t, "thief@evil.test").Link(t), env.URL)
	rpath := accountLink(t, env, env.Inbox.WaitFor(t, "user@northwind.test", "being changed"))
	g := owner.Get(rpath)
	if g.StatusCode != http.StatusOK || g.Doc.Find(`form[action="`+rpath+`"] button`).Length() != 1 ||
		!strings.Contains(g.Body, "thief@evil.test") {
		t.Fatalf("report page: %d", g.StatusCode)
	}
	if userEmail(t, env, id) != "thief@evil.test" || manageCount(t, env, "SELECT count(*) FROM sessions WHERE user_id = $1", id) != 2 {
		t.Fatal("opening the report link acted")
	}
	r := owner.Post(rpath, nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find("#account-link").Text(), "user@northwind.test back") {
		t.Fatalf("report: %d %q", r.StatusCode, r.Doc.Find("#account-link").Text())
	}
	if got := userEmail(t, env, id); got != "user@northwind.test" {
		t.Fatalf("the address was not given back: %s", got)
	}
	if n := manageCount(t, env, "SELECT count(*) FROM sessions WHERE user_id = $1", id); n != 0 {
		t.Fatalf("%d sessions left", n)
	}
	if r := thief.Get("/account"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("the thief's session: %d", r.StatusCode)
	}
	if r := env.Client(t).Post(thiefLink, nil); r.StatusCode != http.StatusGone {
		t.Fatalf("a sign-in link sent to the thief's address after the report: %d", r.StatusCode)
	}
	if r := owner.Post(rpath, nil); r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="used"]`).Length() != 1 {
		t.Fatalf("second report: %d", r.StatusCode)
	}
	for _, col := range []string{"created_at", "confirm_sent_at", "notice_sent_at", "confirmed_at", "reported_at", "cancelled_at"} {
		stampedByClock(t, env, start, "SELECT "+col+" FROM email_changes WHERE new_email = 'thief@evil.test'")
	}
	stampedByClock(t, env, start, "SELECT max(used_at) FROM login_tokens WHERE user_id = $1", id)
	noZeroTimes(t, env)
}

// Reporting a change still pending cancels it (and any newer one) and ends
// every session; an expired confirm link is refused.
func TestEmailChangeReportBeforeConfirmationAndExpiry(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "user@northwind.test")
	id := manageUserID(t, env, "user@northwind.test")
	c.Post("/account", accountForm("Umar User", "one@example.com"))
	rpath := accountLink(t, env, env.Inbox.WaitFor(t, "user@northwind.test", "being changed"))
	c.Post("/account", accountForm("Umar User", "two@example.com"))
	second := accountLink(t, env, env.Inbox.WaitFor(t, "two@example.com", "Confirm"))
	waitCount(t, env, "user@northwind.test", 3) // sign-in link, two notices
	if r := env.Client(t).Post(rpath, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("report of a replaced request: %d", r.StatusCode)
	}
	if n := manageCount(t, env, "SELECT count(*) FROM email_changes WHERE user_id = $1 AND cancelled_at IS NULL", id); n != 0 {
		t.Fatalf("%d changes still pending after the report", n)
	}
	if manageCount(t, env, "SELECT count(*) FROM sessions WHERE user_id = $1", id) != 0 {
		t.Fatal("sessions survived the report")
	}
	if r := env.Client(t).Post(second, nil); r.StatusCode != http.StatusGone {
		t.Fatalf("the newer request's link after the report: %d", r.StatusCode)
	}
	// Expiry.
	c = signedIn(t, env, "user@northwind.test")
	c.Post("/account", accountForm("Umar User", "three@example.com"))
	third := accountLink(t, env, env.Inbox.WaitFor(t, "three@example.com", "Confirm"))
	env.Store.Pool.Exec(t.Context(), "UPDATE email_changes SET expires_at = $1 WHERE new_email = 'three@example.com'", env.Clock.Now().Add(-time.Second))
	if r := env.Client(t).Post(third, nil); r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="expired"]`).Length() != 1 {
		t.Fatalf("expired link: %d", r.StatusCode)
	}
	if userEmail(t, env, id) != "user@northwind.test" {
		t.Fatal("an expired link changed the address")
	}
	// Bad input is refused in place and starts nothing.
	r := c.Post("/account", accountForm("Umar User", "not-an-address"))
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#email-error").Length() != 1 {
		t.Fatalf("bad address: %d", r.StatusCode)
	}
	if manageCount(t, env, "SELECT count(*) FROM email_changes WHERE new_email LIKE 'not-an%'") != 0 {
		t.Fatal("a bad address started a change")
	}
}
