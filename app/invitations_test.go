package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/apptest"
	"partnerportal/workers"
)

var accountLinkRe = regexp.MustCompile(`https?://\S+/(invite|account/email/confirm|account/email/report)/[A-Za-z0-9_-]+`)

// accountLink is the path of the one account link in a message, once the
// task that sent it has committed (the worker marks an email sent, and
// stores its token, in the transaction around the send).
func accountLink(t *testing.T, env *apptest.Env, m apptest.Mail) string {
	t.Helper()
	waitSettled(t, env)
	l := accountLinkRe.FindString(m.Body)
	if l == "" {
		t.Fatalf("no account link in:\n%s", m.Body)
	}
	return strings.TrimPrefix(l, env.URL)
}

func flashOf(c *apptest.Client, path string) string {
	return strings.TrimSpace(c.Get(path).Doc.Find(".flash").Text())
}

// Inviting answers the same for a new address, another company's admin,
// another organization's staff and a member of the own team: no answer tells
// whether an address has an account, and no account changes.
func TestInviteSameAnswerForAnyAddress(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	users := manageCount(t, env, "SELECT count(*) FROM users")
	var answers []string
	for _, email := range []string{"nina@northwind.test", "admin@globex.test", "staff@initech.test", "user@northwind.test"} {
		r := c.Post("/manage/invite", url.Values{"name": {"Someone New"}, "email": {email}, "role": {"partner_user"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/manage" {
			t.Fatalf("%s: %d → %q %s", email, r.StatusCode, r.Header.Get("Location"), r.Doc.Find(".field-error").Text())
		}
		answers = append(answers, strings.ReplaceAll(flashOf(c, "/manage"), email, "ADDRESS"))
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("answers differ: %q vs %q", answers[0], a)
		}
	}
	if !strings.Contains(answers[0], "Invitation sent to ADDRESS") || !strings.Contains(answers[0], "7 days") {
		t.Fatalf("answer %q", answers[0])
	}
	if after := manageCount(t, env, "SELECT count(*) FROM users"); after != users {
		t.Fatalf("users %d → %d: inviting created or removed accounts", users, after)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'admin@globex.test' AND partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')") != 1 {
		t.Fatal("the Globex admin account was changed")
	}
	if page := c.Get("/manage"); page.Doc.Find("#invitations tbody tr").Length() != 4 {
		t.Fatalf("open invitations listed: %d", page.Doc.Find("#invitations tbody tr").Length())
	}
	// The address with an account elsewhere gets the invitation too; accepting
	// it tells only its owner that it cannot be used, and changes nothing.
	mail := env.Inbox.WaitFor(t, "admin@globex.test", "invitation")
	path := accountLink(t, env, mail)
	r := env.Client(t).Post(path, nil)
	if r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="exists"]`).Length() != 1 {
		t.Fatalf("accepting with an existing address: %d", r.StatusCode)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'admin@globex.test' AND role = 'partner_admin' AND partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners')") != 1 {
		t.Fatal("accepting moved the Globex admin")
	}
}

// An invitation is valid for INVITE_TTL (7 days), mails no text the inviter
// typed, opens read-only, and accepting it once creates the member and signs
// them in.
func TestInvitationAcceptedOnce(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	start := env.Clock.Now()
	r := c.Post("/manage/invite", url.Values{"name": {"Nina <b>New</b>"}, "email": {" Nina@Northwind.test "}, "role": {"partner_user"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.StatusCode)
	}
	if left := manageCount(t, env, "SELECT extract(epoch FROM expires_at - $1)::bigint FROM invitations WHERE email = 'nina@northwind.test'", env.Clock.Now()); left < 167*3600 || left > 168*3600 {
		t.Fatalf("invitation valid for %ds, want 7 days", left)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'nina@northwind.test'") != 0 {
		t.Fatal("the account exists before the invitation is accepted")
	}
	mail := env.Inbox.WaitFor(t, "nina@northwind.test", "invitation")
	for _, typed := range []string{"Nora", "Nina", "Northwind Agency", "<b>"} {
		if strings.Contains(mail.Body, typed) || strings.Contains(mail.Subject, typed) {
			t.Fatalf("the invitation mails %q, typed by the inviter:\n%s", typed, mail.Body)
		}
	}
	if !strings.Contains(mail.Body, "Acme Cloud") {
		t.Fatalf("the invitation does not name the program:\n%s", mail.Body)
	}
	path := accountLink(t, env, mail)
	token := path[strings.LastIndex(path, "/")+1:]
	if manageCount(t, env, "SELECT count(*) FROM invitations WHERE token_hash = sha256($1::bytea)", []byte(token)) != 1 {
		t.Fatal("the token is not stored as its SHA-256")
	}

	invitee := env.Client(t)
	for range 2 { // opening (mail scanners) neither accepts nor uses it up
		g := invitee.Get(path)
		if g.StatusCode != http.StatusOK || !strings.Contains(g.Doc.Find("h1").Text(), "Northwind Agency") ||
			g.Doc.Find(`form[action="`+path+`"] button`).Length() != 1 || g.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("open invitation: %d", g.StatusCode)
		}
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'nina@northwind.test'") != 0 {
		t.Fatal("opening the link created the account")
	}
	if r := invitee.Post(path, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.StatusCode, r.Doc.Find("#account-link").Text())
	}
	d := invitee.Get("/dashboard")
	if d.StatusCode != http.StatusOK || !strings.Contains(d.Doc.Find(".context").Text(), "Northwind Agency · User") {
		t.Fatalf("invitee dashboard: %d, context %q", d.StatusCode, d.Doc.Find(".context").Text())
	}
	if r := env.Client(t).Post(path, nil); r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="used"]`).Length() != 1 {
		t.Fatalf("second accept: %d", r.StatusCode)
	}
	team := c.Get("/manage")
	if team.Doc.Find("#team tbody tr").Length() != 3 || team.Doc.Find("#invitations-empty").Length() != 1 {
		t.Fatal("after accepting: the member is not listed or the invitation still waits")
	}
	if n := env.Inbox.Count("nina@northwind.test"); n != 1 {
		t.Fatalf("%d invitation emails, want 1", n)
	}
	for _, col := range []string{"created_at", "sent_at", "accepted_at"} {
		stampedByClock(t, env, start, "SELECT "+col+" FROM invitations WHERE email = 'nina@northwind.test'")
	}
	stampedByClock(t, env, start, "SELECT created_at FROM users WHERE email = 'nina@northwind.test'")
	noZeroTimes(t, env)
}

func TestInvitationResendRevokeAndExpiry(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	start := env.Clock.Now()
	c.Post("/manage/invite", url.Values{"name": {"Nina New"}, "email": {"nina@northwind.test"}, "role": {"partner_admin"}})
	first := accountLink(t, env, env.Inbox.WaitFor(t, "nina@northwind.test", "invitation"))
	id := manageCount(t, env, "SELECT id FROM invitations WHERE email = 'nina@northwind.test'")
	ids := itoa(id)

	// Resend: a new link, the old one stops working.
	page := c.Get("/manage")
	if page.Doc.Find(`#invitations form[action="/manage/invitations/`+ids+`/resend"]`).Length() != 1 ||
		page.Doc.Find(`#invitations form[action="/manage/invitations/`+ids+`/revoke"][data-confirm]`).Length() != 1 {
		t.Fatal("no resend / confirmed revoke on the pending invitation")
	}
	if r := c.Post("/manage/invitations/"+ids+"/resend", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("resend: %d", r.StatusCode)
	}
	waitCount(t, env, "nina@northwind.test", 2)
	second := accountLink(t, env, env.Inbox.Latest(t, "nina@northwind.test"))
	if second == first {
		t.Fatal("the resend mailed the same link")
	}
	if r := env.Client(t).Get(first); r.StatusCode != http.StatusNotFound {
		t.Fatalf("the first link after a resend: %d", r.StatusCode)
	}
	if r := env.Client(t).Get(second); r.StatusCode != http.StatusOK {
		t.Fatalf("the second link: %d", r.StatusCode)
	}
	// Expired.
	env.Store.Pool.Exec(t.Context(), "UPDATE invitations SET expires_at = $2 WHERE id = $1", id, env.Clock.Now().Add(-time.Second))
	if r := env.Client(t).Post(second, nil); r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="expired"]`).Length() != 1 {
		t.Fatalf("expired invitation: %d", r.StatusCode)
	}
	env.Store.Pool.Exec(t.Context(), "UPDATE invitations SET expires_at = $2 WHERE id = $1", id, env.Clock.Now().Add(24*time.Hour))
	// Revoke: the link says so, nothing is created, the list is empty.
	if r := c.Post("/manage/invitations/"+ids+"/revoke", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if r := env.Client(t).Post(second, nil); r.StatusCode != http.StatusGone || r.Doc.Find(`#account-link[data-reason="revoked"]`).Length() != 1 {
		t.Fatalf("revoked invitation: %d", r.StatusCode)
	}
	if manageCount(t, env, "SELECT count(*) FROM users WHERE email = 'nina@northwind.test'") != 0 {
		t.Fatal("a revoked invitation created an account")
	}
	stampedByClock(t, env, start, "SELECT revoked_at FROM invitations WHERE id = $1", id)
	if c.Get("/manage").Doc.Find("#invitations-empty").Length() != 1 {
		t.Fatal("the revoked invitation is still listed")
	}
	// Another company cannot resend or revoke it: 404.
	globex := signedIn(t, env, "admin@globex.test")
	c.Post("/manage/invite", url.Values{"name": {"Otto Other"}, "email": {"otto@northwind.test"}, "role": {"partner_user"}})
	other := itoa(manageCount(t, env, "SELECT id FROM invitations WHERE email = 'otto@northwind.test'"))
	for _, action := range []string{"resend", "revoke"} {
		if r := globex.Post("/manage/invitations/"+other+"/"+action, nil); r.StatusCode != http.StatusNotFound {
			t.Fatalf("another company's %s: %d", action, r.StatusCode)
		}
	}
	if manageCount(t, env, "SELECT count(*) FROM invitations WHERE email = 'otto@northwind.test' AND revoked_at IS NULL") != 1 {
		t.Fatal("another company revoked the invitation")
	}
	// Inviting the same address again replaces its open invitation.
	c.Post("/manage/invite", url.Values{"name": {"Otto Other"}, "email": {"otto@northwind.test"}, "role": {"partner_user"}})
	stampedByClock(t, env, start, "SELECT revoked_at FROM invitations WHERE id = $1", other)
	noZeroTimes(t, env)
}

// Invitation emails per company are limited; past the limit the admin gets
// a clear message and nothing is sent, and resends count too.
func TestInvitationRateLimitPerPartner(t *testing.T) {
	env, c := manageEnv(t, "admin@northwind.test")
	for i := range 20 {
		r := c.Post("/manage/invite", url.Values{"name": {"Person " + itoa(int64(i))}, "email": {"p" + itoa(int64(i)) + "@example.com"}, "role": {"partner_user"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("invitation %d: %d", i+1, r.StatusCode)
		}
	}
	r := c.Post("/manage/invite", url.Values{"name": {"One Too Many"}, "email": {"p20@example.com"}, "role": {"partner_user"}})
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.Doc.Find("#email-error").Text(), "as many invitations as it can in one day") ||
		r.Doc.Find("input#email").AttrOr("value", "") != "p20@example.com" {
		t.Fatalf("21st invitation: %d %q", r.StatusCode, r.Doc.Find("#email-error").Text())
	}
	if manageCount(t, env, "SELECT count(*) FROM invitations WHERE email = 'p20@example.com'") != 0 {
		t.Fatal("the refused invitation was recorded")
	}
	id := itoa(manageCount(t, env, "SELECT id FROM invitations WHERE email = 'p0@example.com'"))
	r = c.Post("/manage/invitations/"+id+"/resend", nil)
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.Doc.Find("#invitations-error").Text(), "one day") {
		t.Fatalf("resend past the limit: %d", r.StatusCode)
	}
	// Another company has its own limit.
	g := signedIn(t, env, "admin@globex.test")
	if r := g.Post("/manage/invite", url.Values{"name": {"Gina Globex"}, "email": {"gina@example.com"}, "role": {"partner_user"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("another company's first invitation: %d", r.StatusCode)
	}
}

// Mail goes out once: three runs of the same task at the same moment (a
// retry racing a late first run, two workers) send one email, running it
// again later sends nothing, and an invitation whose enqueue was lost is
// sent by the sweep, once.
func TestInvitationEmailExactlyOnce(t *testing.T) {
	env := noAgreementsEnv(t)
	start := env.Clock.Now()
	// Rows as the web tier writes them, with no task queued.
	if _, err := env.Store.Pool.Exec(t.Context(), `INSERT INTO invitations (organization_id, partner_id, email, name, role, request_id, expires_at, created_at)
		SELECT organization_id, partner_id, e.email, 'Someone', 'partner_user', e.req, $1::timestamptz + interval '7 days', e.created
		FROM users, (VALUES ('nina@northwind.test', 'race-request-0000000001', $1::timestamptz),
		                    ('lost@example.com', 'lost-request-0000000001', $1::timestamptz - interval '2 minutes')) AS e(email, req, created)
		WHERE users.email = 'admin@northwind.test'`, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	mux := workers.NewMux(&workers.Deps{Store: env.Store, Config: env.Config, Log: env.Log, Redis: env.Redis, Clock: env.Clock, Files: env.Files,
		Mailer: &workers.SMTPMailer{URL: env.Config.SMTPURL, From: env.Config.SMTPFrom}})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- mux.ProcessTask(context.Background(), workers.NewInvitationEmailTask("race-request-0000000001"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mux.ProcessTask(context.Background(), workers.NewInvitationEmailTask("race-request-0000000001")); err != nil {
		t.Fatal(err)
	}
	// The lost enqueue: the sweep queues it (twice over: the task id keeps
	// one), the worker sends it.
	for range 2 {
		if err := mux.ProcessTask(context.Background(), workers.NewNotificationSweepTask()); err != nil {
			t.Fatal(err)
		}
	}
	env.Inbox.WaitFor(t, "lost@example.com", "invitation")
	waitSettled(t, env)
	if err := mux.ProcessTask(context.Background(), workers.NewNotificationSweepTask()); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, env)
	if n, m := env.Inbox.Count("nina@northwind.test"), env.Inbox.Count("lost@example.com"); n != 1 || m != 1 {
		t.Fatalf("emails: %d to nina, %d to lost, want 1 each", n, m)
	}
	if queryInt(t, env, "SELECT count(*) FROM invitations WHERE sent_at IS NOT NULL AND token_hash IS NOT NULL") != 2 {
		t.Fatal("the invitations are not marked sent with their token")
	}
	for _, email := range []string{"nina@northwind.test", "lost@example.com"} {
		stampedByClock(t, env, start, "SELECT sent_at FROM invitations WHERE email = $1", email)
	}
}

func waitCount(t *testing.T, env *apptest.Env, to string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for env.Inbox.Count(to) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d emails to %s, want %d", env.Inbox.Count(to), to, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSettled waits until the worker has nothing queued or running, so a
// count taken afterwards includes every email the queued tasks send.
func waitSettled(t *testing.T, env *apptest.Env) {
	t.Helper()
	insp := asynq.NewInspectorFromRedisClient(env.Redis)
	deadline := time.Now().Add(10 * time.Second)
	for {
		busy := 0
		for _, q := range []string{workers.QueueCritical, workers.QueueDefault} {
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Scheduled + info.Retry
			}
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tasks still queued after 10s", busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconvFormat(n) }

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }
