package workers_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"testing"

	"github.com/hibiken/asynq"

	"partnerportal/app/apptest"
	"partnerportal/app/clock"
	"partnerportal/app/config"
	"partnerportal/workers"
)

func newDeps(t *testing.T, smtpURL string) *workers.Deps {
	t.Helper()
	store := apptest.NewStore(t)
	t.Setenv("SMTP_URL", smtpURL)
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(smtpURL)
	clk := clock.ForTest()
	return &workers.Deps{Store: store, Config: cfg, Log: slog.New(slog.DiscardHandler), Clock: clk,
		Mailer: &workers.SMTPMailer{URL: u, From: cfg.SMTPFrom, Clock: clk}}
}

func TestLoginLinkTaskIsIdempotent(t *testing.T) {
	inbox := apptest.NewInbox(t)
	d := newDeps(t, inbox.URL)
	mux := workers.NewMux(d)
	task, err := workers.NewLoginLinkTask(workers.LoginLinkPayload{RequestID: "req-1", Email: "Admin@Globex.test"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a retry after success must not mint a second link
		if err := mux.ProcessTask(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	if n := inbox.Count("admin@globex.test"); n != 1 {
		t.Fatalf("%d emails for one request", n)
	}
	var tokens int
	d.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM login_tokens WHERE request_id = 'req-1' AND sent_at IS NOT NULL").Scan(&tokens)
	if tokens != 1 {
		t.Fatalf("%d tokens", tokens)
	}
	link := inbox.Latest(t, "admin@globex.test").Link(t)
	if len(link) < len("http://localhost:8080/login/")+43 {
		t.Fatalf("link too short: %s", link)
	}
}

func TestLoginLinkRetriedAfterFailedSendStillWorks(t *testing.T) {
	// First attempt: the SMTP server refuses (wrong password), the task fails
	// and no email went out; the retry replaces the unsent token and sends it.
	inbox := apptest.NewInbox(t)
	bad, _ := url.Parse(inbox.URL)
	bad.User = url.UserPassword("portal", "wrong")
	d := newDeps(t, bad.String())
	task, _ := workers.NewLoginLinkTask(workers.LoginLinkPayload{RequestID: "req-2", Email: "admin@globex.test"})
	if err := workers.NewMux(d).ProcessTask(context.Background(), task); err == nil {
		t.Fatal("send with a wrong SMTP password did not fail")
	}
	good, _ := url.Parse(inbox.URL)
	d.Mailer = &workers.SMTPMailer{URL: good, From: d.Config.SMTPFrom}
	if err := workers.NewMux(d).ProcessTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if n := inbox.Count("admin@globex.test"); n != 1 {
		t.Fatalf("%d emails", n)
	}
	var rows int
	d.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM login_tokens WHERE request_id = 'req-2'").Scan(&rows)
	if rows != 1 {
		t.Fatalf("%d token rows", rows)
	}
}

func TestLoginLinkUnknownAddressAndBadPayload(t *testing.T) {
	inbox := apptest.NewInbox(t)
	d := newDeps(t, inbox.URL)
	mux := workers.NewMux(d)
	task, _ := workers.NewLoginLinkTask(workers.LoginLinkPayload{RequestID: "req-3", Email: "nobody@example.com"})
	if err := mux.ProcessTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	var n int
	d.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM login_tokens").Scan(&n)
	if n != 0 || inbox.Count("nobody@example.com") != 0 {
		t.Fatal("something was created for an unknown address")
	}
	err := mux.ProcessTask(context.Background(), asynq.NewTask(workers.TypeLoginLink, []byte("{not json")))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("bad payload: %v", err)
	}
}

func TestCleanupRemovesExpiredSessionsAndTokens(t *testing.T) {
	inbox := apptest.NewInbox(t)
	d := newDeps(t, inbox.URL)
	ctx := t.Context()
	now := d.Clock.Now() // the worker's clock, not the database's
	for _, q := range []string{
		"INSERT INTO sessions (id_hash, user_id, expires_at) SELECT sha256('a'), id, $1::timestamptz - interval '1 hour' FROM users LIMIT 1",
		"INSERT INTO sessions (id_hash, user_id, expires_at) SELECT sha256('b'), id, $1::timestamptz + interval '1 hour' FROM users LIMIT 1",
		"INSERT INTO login_tokens (token_hash, user_id, request_id, expires_at) SELECT sha256('c'), id, 'old', $1::timestamptz - interval '2 days' FROM users LIMIT 1",
		"INSERT INTO login_tokens (token_hash, user_id, request_id, expires_at) SELECT sha256('d'), id, 'new', $1::timestamptz + interval '10 minutes' FROM users LIMIT 1",
	} {
		if _, err := d.Store.Pool.Exec(ctx, q, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := workers.NewMux(d).ProcessTask(ctx, workers.NewCleanupTask()); err != nil {
		t.Fatal(err)
	}
	var s, l int
	d.Store.Pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM login_tokens)").Scan(&s, &l)
	if s != 1 || l != 1 {
		t.Fatalf("after cleanup: %d sessions, %d tokens; want 1 and 1", s, l)
	}
}
