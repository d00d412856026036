package app_test

// The Training pages at size: 500 published courses (5 lessons each) and
// 100,000 enrolments (200 Globex members × 500 courses), on a fresh database
// of the test harness; the benchmark user is enrolled in every course with
// progress in each. Wall time of the whole request on loopback, p50/p95/p99;
// no timing is asserted. docs/BENCHMARKS.md has the figures:
//
//	go test ./app -run '^$' -bench TrainingPages -benchtime 300x -count 1

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"partnerportal/app/apptest"
)

func BenchmarkTrainingPages(b *testing.B) {
	env := apptest.NewEnv(b, apptest.Options{})
	ctx := context.Background()
	setup := `
UPDATE organizations SET agreements_enabled = false;
WITH o AS (SELECT id FROM organizations WHERE slug = 'acme')
INSERT INTO courses (organization_id, title, summary, topic, minutes, status, bonus_minor, created_at, updated_at, published_at)
SELECT o.id, 'Bench course ' || g, 'Summary of bench course ' || g, 'Topic ' || (g % 12), 30, 'published', CASE WHEN g % 3 = 0 THEN 2500 ELSE 0 END, now(), now(), now()
FROM o, generate_series(1, 500) g;
INSERT INTO lessons (organization_id, course_id, position, title, body_md, created_at)
SELECT c.organization_id, c.id, p, 'Lesson ' || p, repeat('Some **markdown** text with a [link](https://acme.test/). ', 40), now()
FROM courses c, generate_series(1, 5) p WHERE c.title LIKE 'Bench course %';
INSERT INTO users (organization_id, partner_id, role, email, name)
SELECT p.organization_id, p.id, 'partner_user', 'bench' || g || '@globex.test', 'Bench ' || g
FROM partners p, generate_series(1, 199) g WHERE p.name = 'Globex Partners';
INSERT INTO enrolments (organization_id, partner_id, user_id, course_id, enrolled_at, last_seen_at)
SELECT u.organization_id, u.partner_id, u.id, c.id, now(), now()
FROM users u JOIN courses c ON c.organization_id = u.organization_id AND c.title LIKE 'Bench course %'
WHERE u.partner_id = (SELECT id FROM partners WHERE name = 'Globex Partners');
INSERT INTO lesson_progress (organization_id, partner_id, user_id, course_id, lesson_id, done_at)
SELECT e.organization_id, e.partner_id, e.user_id, e.course_id, l.id, now()
FROM enrolments e JOIN users u ON u.id = e.user_id AND u.email = 'admin@globex.test'
JOIN lessons l ON l.course_id = e.course_id AND l.position <= 2;
ANALYZE courses, lessons, enrolments, lesson_progress, users;`
	if _, err := env.Store.Pool.Exec(ctx, setup); err != nil {
		b.Fatal(err)
	}
	var n int64
	_ = env.Store.Pool.QueryRow(ctx, "SELECT count(*) FROM enrolments").Scan(&n)
	b.Logf("%d enrolments, %d courses", n, func() (c int64) {
		_ = env.Store.Pool.QueryRow(ctx, "SELECT count(*) FROM courses").Scan(&c)
		return
	}())
	var lessonPath string
	if err := env.Store.Pool.QueryRow(ctx, `SELECT '/training/courses/' || course_id || '/lessons/' || id FROM lessons
		WHERE title = 'Lesson 3' AND course_id = (SELECT id FROM courses WHERE title = 'Bench course 250')`).Scan(&lessonPath); err != nil {
		b.Fatal(err)
	}
	cl := env.Client(b)
	cl.SignIn("admin@globex.test")
	var pairs []string
	for _, ck := range cl.Cookies() {
		pairs = append(pairs, ck.Name+"="+ck.Value)
	}
	cookie := strings.Join(pairs, "; ")
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cases := []struct{ name, path, marker string }{
		{"catalog", "/training", "Bench course 1"},
		{"catalog_search", "/training?tab=all&q=course+25&topic=", "Bench course 25"},
		{"in_progress", "/training?tab=progress", "2 of 5 lessons done"},
		{"lesson", lessonPath, "Lesson 3"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			get := func() (int, string) {
				req, _ := http.NewRequest(http.MethodGet, env.URL+c.path, nil)
				req.Header.Set("Cookie", cookie)
				res, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				return res.StatusCode, string(body)
			}
			if status, body := get(); status != 200 || !strings.Contains(body, c.marker) {
				b.Fatalf("GET %s: %d, want %q:\n%.1500s", c.path, status, c.marker, body)
			}
			for range 5 {
				get()
			}
			web := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if status, _ := get(); status != 200 {
					b.Fatalf("GET %s: %d", c.path, status)
				}
				web = append(web, time.Since(start))
			}
			b.StopTimer()
			w := percentiles(web)
			b.ReportMetric(w[0], "p50-ms")
			b.ReportMetric(w[1], "p95-ms")
			b.ReportMetric(w[2], "p99-ms")
		})
	}
}
