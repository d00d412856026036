package workers_test

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"partnerportal/app/apptest"
	"partnerportal/workers"
)

// notificationFor writes a notification for a user, created minutesAgo.
func notificationFor(t *testing.T, d *workers.Deps, email string, minutesAgo int, emailed bool) int64 {
	t.Helper()
	var id int64
	err := d.Store.Pool.QueryRow(t.Context(), `INSERT INTO notifications (organization_id, user_id, body, link, created_at, emailed_at)
		SELECT organization_id, id, 'Acme Cloud approved your lead Fabrikam.', '/leads/42',
		       $4::timestamptz - make_interval(mins => $2), CASE WHEN $3 THEN $4::timestamptz END
		FROM users WHERE email = $1 RETURNING id`, email, minutesAgo, emailed, d.Clock.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestNotificationEmailIsIdempotent(t *testing.T) {
	inbox := apptest.NewInbox(t)
	d := newDeps(t, inbox.URL)
	mux := workers.NewMux(d)
	id := notificationFor(t, d, "user@northwind.test", 0, false)
	task := workers.NewNotificationEmailTask(id)
	for range 3 { // retries and the sweep's copy change nothing once sent
		if err := mux.ProcessTask(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
	if n := inbox.Count("user@northwind.test"); n != 1 {
		t.Fatalf("%d emails for one notification", n)
	}
	m := inbox.Latest(t, "user@northwind.test")
	if !strings.Contains(m.Subject, "approved your lead Fabrikam") || !strings.Contains(m.Body, d.Config.BaseURL.String()+"/leads/42") ||
		!strings.Contains(m.Body, "Umar User") {
		t.Errorf("email: %q\n%s", m.Subject, m.Body)
	}
	var sent bool
	d.Store.Pool.QueryRow(t.Context(), "SELECT emailed_at IS NOT NULL FROM notifications WHERE id = $1", id).Scan(&sent)
	if !sent {
		t.Error("emailed_at not set")
	}
	// Already marked as sent (e.g. by another worker): nothing goes out.
	other := notificationFor(t, d, "admin@globex.test", 0, true)
	if err := mux.ProcessTask(context.Background(), workers.NewNotificationEmailTask(other)); err != nil {
		t.Fatal(err)
	}
	if inbox.Count("admin@globex.test") != 0 {
		t.Error("a notification marked as emailed was emailed again")
	}
	// Gone meanwhile: done, nothing sent.
	if err := mux.ProcessTask(context.Background(), workers.NewNotificationEmailTask(987654)); err != nil {
		t.Errorf("missing notification: %v", err)
	}
	// A payload that cannot be read is not retried.
	for _, p := range []string{"{not json", `{"notification_id": 0}`} {
		err := mux.ProcessTask(context.Background(), asynq.NewTask(workers.TypeNotificationEmail, []byte(p)))
		if !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("bad payload %s: %v", p, err)
		}
	}
	if id := task.Type(); id != workers.TypeNotificationEmail {
		t.Errorf("task type %s", id)
	}
}

func TestNotificationEmailFailedSendIsRetried(t *testing.T) {
	inbox := apptest.NewInbox(t)
	bad, _ := url.Parse(inbox.URL)
	bad.User = url.UserPassword("portal", "wrong") // the server refuses: the send fails
	d := newDeps(t, bad.String())
	id := notificationFor(t, d, "admin@northwind.test", 0, false)
	if err := workers.NewMux(d).ProcessTask(context.Background(), workers.NewNotificationEmailTask(id)); err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("failed send: %v, want a retryable error", err)
	}
	var unsent bool
	d.Store.Pool.QueryRow(t.Context(), "SELECT emailed_at IS NULL FROM notifications WHERE id = $1", id).Scan(&unsent)
	if !unsent {
		t.Fatal("marked as emailed although the send failed")
	}
}

func TestNotificationSweepEnqueuesUnsent(t *testing.T) {
	inbox := apptest.NewInbox(t)
	d := newDeps(t, inbox.URL)
	d.Redis = apptest.NewRedis(t)
	old := notificationFor(t, d, "user@northwind.test", 5, false)
	notificationFor(t, d, "admin@northwind.test", 0, false)      // just written: its own task sends it
	notificationFor(t, d, "admin@globex.test", 5, true)          // already sent
	notificationFor(t, d, "admin@initrode.test", 60*24*8, false) // too old to be worth an email
	mux := workers.NewMux(d)
	for range 2 { // the second run finds the task queued and adds none
		if err := mux.ProcessTask(context.Background(), workers.NewNotificationSweepTask()); err != nil {
			t.Fatal(err)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(d.Redis)
	tasks, err := insp.ListPendingTasks(workers.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ti := range tasks {
		ids = append(ids, ti.ID)
	}
	if want := "notify:" + strconv.FormatInt(old, 10); len(ids) != 1 || ids[0] != want {
		t.Fatalf("queued %v, want [%s]", ids, want)
	}
	// The queued task sends it.
	if err := mux.ProcessTask(context.Background(), workers.NewNotificationEmailTask(old)); err != nil {
		t.Fatal(err)
	}
	inbox.WaitFor(t, "user@northwind.test", "approved your lead")
	// Without Redis the sweep cannot work and says so, without retrying.
	d.Redis = nil
	if err := mux.ProcessTask(context.Background(), workers.NewNotificationSweepTask()); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("sweep without Redis: %v", err)
	}
}
