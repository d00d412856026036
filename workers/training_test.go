package workers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/clock"
	"partnerportal/app/storage"
	"partnerportal/app/training"
	"partnerportal/queries"
	"partnerportal/workers"
)

// completeSelling completes the demo course "Selling Acme Cloud to
// Mid-Market" (no quiz) for n new Globex members, each with its
// course_completed outbox event in the completion's transaction.
func completeSelling(t *testing.T, d *workers.Deps, n int) []int64 {
	t.Helper()
	ctx, now := context.Background(), d.Clock.Now()
	var org, partner, course int64
	if err := d.Store.Pool.QueryRow(ctx, `SELECT p.organization_id, p.id, c.id FROM partners p JOIN courses c ON c.organization_id = p.organization_id
		WHERE p.name = 'Globex Partners' AND c.title = 'Selling Acme Cloud to Mid-Market'`).Scan(&org, &partner, &course); err != nil {
		t.Fatal(err)
	}
	var users []int64
	for i := range n {
		var user int64
		if err := d.Store.Pool.QueryRow(ctx, `INSERT INTO users (organization_id, partner_id, role, email, name) VALUES ($1, $2, 'partner_user', $3, $4) RETURNING id`,
			org, partner, fmt.Sprintf("learner%d@globex.test", i), fmt.Sprintf("Learner %d", i)).Scan(&user); err != nil {
			t.Fatal(err)
		}
		w := training.Who{OrganizationID: org, PartnerID: partner, UserID: user}
		err := d.Store.Tx(ctx, func(q *queries.Queries) error {
			if _, err := q.Enrol(ctx, queries.EnrolParams{Now: now, OrganizationID: org, PartnerID: partner, UserID: user, CourseID: course}); err != nil {
				return err
			}
			ls, err := q.ListLessons(ctx, queries.ListLessonsParams{OrganizationID: org, CourseID: course})
			if err != nil {
				return err
			}
			for _, l := range ls {
				if err := q.MarkLessonDone(ctx, queries.MarkLessonDoneParams{Now: now, OrganizationID: org, PartnerID: partner, UserID: user, CourseID: course, LessonID: l.ID}); err != nil {
					return err
				}
			}
			done, err := training.MaybeComplete(ctx, q, w, course, now)
			if err == nil && !done {
				err = fmt.Errorf("not completed")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, user)
	}
	return users
}

// The course_completed events go through the same relay and task as the
// commission events: replayed relays, a task run twice, two worker
// processes and duplicate tasks under other ids give one certificate (with
// its PDF), one training bonus and one award per person.
func TestTrainingEventsExactlyOnceThroughTheRelay(t *testing.T) {
	d, rdb, queue := commissionDeps(t)
	files, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d.Files = files
	users := completeSelling(t, d, 8)
	ctx := context.Background()
	for range 2 { // the relay replays
		if _, err := d.Store.Pool.Exec(ctx, "UPDATE outbox_events SET processed_at = NULL WHERE kind = 'course_completed'"); err != nil {
			t.Fatal(err)
		}
		if n, err := workers.RelayOutbox(ctx, d.Store, queue, 500, d.Clock.Now()); err != nil || n < len(users) {
			t.Fatalf("relayed %d, %v", n, err)
		}
	}
	first := count(t, d.Store, "SELECT id FROM outbox_events WHERE kind = 'course_completed' AND (payload->>'user_id')::bigint = $1", users[0])
	mux := workers.NewMux(d)
	for range 2 { // one task run twice by hand
		if err := mux.ProcessTask(ctx, workers.NewCommissionEventTask(first)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := d.Store.Pool.Query(ctx, "SELECT id FROM outbox_events WHERE kind = 'course_completed'")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids { // the same events again under other task ids
		task := asynq.NewTask(workers.TypeCommissionEvent, fmt.Appendf(nil, `{"outbox_id": %d}`, id), asynq.Queue(workers.QueueDefault))
		if _, err := queue.Enqueue(task); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		srv := workers.NewServer(rdb, workers.ServerOptions{Concurrency: 4, TaskCheckInterval: 50 * time.Millisecond,
			DelayedInterval: 100 * time.Millisecond, ShutdownTimeout: time.Second}, d.Log)
		if err := srv.Start(workers.NewMux(d)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := insp.GetQueueInfo(workers.QueueDefault)
		if err == nil && info.Pending == 0 && info.Active == 0 && info.Retry == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained: %+v %v", info, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, u := range users {
		if n := count(t, d.Store, "SELECT count(*) FROM certificates WHERE user_id = $1 AND pdf_key <> ''", u); n != 1 {
			t.Errorf("user %d: %d certificates with a PDF", u, n)
		}
		if n := count(t, d.Store, "SELECT count(*) FROM commissions WHERE earning_key LIKE 'training:%:user:' || $1::bigint", u); n != 1 {
			t.Errorf("user %d: %d training bonuses", u, n)
		}
		if n := count(t, d.Store, "SELECT count(*) FROM accreditation_awards w JOIN accreditations a ON a.id = w.accreditation_id WHERE w.user_id = $1 AND a.name = 'Mid-Market Sales Specialist'", u); n != 1 {
			t.Errorf("user %d: %d awards", u, n)
		}
	}
	var key string
	if err := d.Store.Pool.QueryRow(ctx, "SELECT pdf_key FROM certificates WHERE user_id = $1", users[0]).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if _, err := files.Stat(ctx, key); err != nil {
		t.Errorf("certificate PDF not stored: %v", err)
	}
}

// The daily task warns 30 days ahead once and expires once, whether it runs
// once, twice, or as two tasks at the same time.
func TestTrainingExpiryTaskOnce(t *testing.T) {
	d, _, _ := commissionDeps(t)
	users := completeSelling(t, d, 1)
	mux := workers.NewMux(d)
	ctx := context.Background()
	run := func() {
		t.Helper()
		if err := mux.ProcessTask(ctx, workers.NewTrainingExpiryTask()); err != nil {
			t.Fatal(err)
		}
	}
	if err := mux.ProcessTask(ctx, workers.NewCommissionEventTask(count(t, d.Store, "SELECT id FROM outbox_events WHERE kind = 'course_completed' AND (payload->>'user_id')::bigint = $1", users[0]))); err != nil {
		t.Fatal(err)
	}
	notes := func() int64 {
		return count(t, d.Store, "SELECT count(*) FROM notifications WHERE user_id = $1 AND body LIKE '%Mid-Market Sales Specialist%'", users[0])
	}
	base := notes() // the award itself
	d.Clock.(*clock.Settable).Set(d.Clock.Now().AddDate(0, 11, 5))
	run()
	run()
	if n := notes() - base; n != 1 {
		t.Errorf("%d warnings, want 1", n)
	}
	d.Clock.(*clock.Settable).Set(d.Clock.Now().AddDate(0, 1, 0))
	run()
	run()
	if n := notes() - base; n != 2 {
		t.Errorf("%d notices after expiry, want warning + expiry", n)
	}
	if n := count(t, d.Store, "SELECT count(*) FROM accreditation_awards WHERE user_id = $1 AND expired_at IS NOT NULL", users[0]); n != 1 {
		t.Error("not marked expired")
	}
}
