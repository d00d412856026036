package app_test

// The Training pages at size: 500 published courses (5 lessons each) and
// 100,000 enrolments (200 Globex members × 500 courses), on a fresh database
// of the test harness; the benchmark user is enrolled in every course with
// progress in each, 100 of them completed with a certificate, and holds 10
// of 25 accreditations (the seven views: catalog first page, search, topic,
// last page; In-Progress, Completed, Accreditations; and a lesson). Wall time of the whole request on loopback, p50/p95/p99;
// no timing is asserted. docs/BENCHMARKS.md has the figures:
//
//	go test ./app -run '^$' -bench TrainingPages -benchtime 200x -count 1

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
-- One course in five is completed by everyone (20,000 completions; the
-- benchmark user: 100 completed with certificates, 400 in progress).
UPDATE enrolments e SET completed_at = now() - (c.id % 300) * interval '1 day', score_pct = 80 + c.id % 20
FROM courses c WHERE c.id = e.course_id AND c.title LIKE 'Bench course %' AND substr(c.title, 14)::int % 5 = 0;
INSERT INTO certificates (public_id, organization_id, partner_id, user_id, course_id, course_version, course_title,
                          person_name, partner_name, org_name, score_pct, issued_at)
SELECT upper(substr(md5(e.id::text), 1, 20)), e.organization_id, e.partner_id, e.user_id, e.course_id, 1, c.title,
       u.name, 'Globex Partners', 'Acme', e.score_pct, e.completed_at
FROM enrolments e JOIN courses c ON c.id = e.course_id JOIN users u ON u.id = e.user_id AND u.email = 'admin@globex.test'
WHERE e.completed_at IS NOT NULL;
-- 25 accreditations of 4 courses each; the benchmark user holds 10.
INSERT INTO accreditations (organization_id, name, description, course_ids, valid_months, bonus_minor, created_at)
SELECT o.id, 'Bench accreditation ' || g, 'Awarded for four bench courses.',
       (SELECT array_agg(id ORDER BY id) FROM courses WHERE title IN ('Bench course ' || (g * 4), 'Bench course ' || (g * 4 + 1),
                                                                   'Bench course ' || (g * 4 + 2), 'Bench course ' || (g * 4 + 3))),
       12, 10000, now()
FROM (SELECT id FROM organizations WHERE slug = 'acme') o, generate_series(1, 25) g;
INSERT INTO accreditation_awards (organization_id, partner_id, user_id, accreditation_id, awarded_at, expires_at)
SELECT a.organization_id, u.partner_id, u.id, a.id, now(), now() + interval '1 year'
FROM accreditations a JOIN users u ON u.organization_id = a.organization_id AND u.email = 'admin@globex.test'
WHERE a.name LIKE 'Bench accreditation %' AND substr(a.name, 21)::int <= 10;
ANALYZE courses, lessons, enrolments, lesson_progress, users, certificates, accreditations, accreditation_awards;`
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
		{"catalog_topic", "/training?tab=all&q=&topic=Topic+7", "Bench course 103"},
		{"catalog_last_page", "/training?tab=all&q=&topic=&page=21", "Bench course 99"},
		{"in_progress", "/training?tab=progress", "2 of 5 lessons done"},
		{"completed", "/training?tab=completed", "Bench course 250"},
		{"accreditations", "/training?tab=accreditations", "Bench accreditation 25"},
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
