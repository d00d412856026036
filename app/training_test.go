package app_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"partnerportal/app/apptest"
)

func trainingEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.NewEnv(t, apptest.Options{})
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		t.Fatal(err)
	}
	return env
}

func courseID(t *testing.T, env *apptest.Env, title string) int64 {
	t.Helper()
	return queryInt(t, env, "SELECT id FROM courses WHERE title = $1", title)
}

func lessonIDs(t *testing.T, env *apptest.Env, course int64) []int64 {
	t.Helper()
	rows, err := env.Store.Pool.Query(t.Context(), "SELECT id FROM lessons WHERE course_id = $1 AND removed_at IS NULL ORDER BY position, id", course)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// correctAnswers reads the answer key from the database (the test plays a
// partner who studied).
func correctAnswers(t *testing.T, env *apptest.Env, course int64) url.Values {
	t.Helper()
	rows, err := env.Store.Pool.Query(t.Context(), `SELECT q.id, o.id FROM quiz_questions q JOIN quiz_options o ON o.question_id = q.id
		WHERE q.course_id = $1 AND o.correct AND q.removed_at IS NULL`, course)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	v := url.Values{}
	for rows.Next() {
		var q, o int64
		_ = rows.Scan(&q, &o)
		v.Add(fmt.Sprintf("q%d", q), fmt.Sprint(o))
	}
	return v
}

func waitForRow(t *testing.T, env *apptest.Env, sql string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for queryInt(t, env, sql, args...) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no row after 15 s: %s", sql)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTrainingCatalogVisibility(t *testing.T) {
	env := trainingEnv(t)
	globex := signedIn(t, env, "admin@globex.test")
	northwind := signedIn(t, env, "user@northwind.test")
	cat := globex.Get("/training").Doc.Find("#catalog").Text()
	for _, want := range []string{"Acme Cloud Fundamentals", "Selling Acme Cloud to Mid-Market", "Bonus $50.00", "Acme Certified Partner"} {
		if !strings.Contains(cat, want) {
			t.Errorf("Globex catalog lacks %q: %s", want, cat)
		}
	}
	for _, hidden := range []string{"Security Deep Dive", "Partner Onboarding"} {
		if strings.Contains(cat, hidden) {
			t.Errorf("Globex sees %q", hidden)
		}
	}
	if !strings.Contains(northwind.Get("/training").Doc.Find("#catalog").Text(), "Security Deep Dive") {
		t.Error("Premium Northwind does not see the Premium course")
	}
	sec := courseID(t, env, "Security Deep Dive for Premium Partners")
	draft := courseID(t, env, "Partner Onboarding (draft)")
	for _, path := range []string{fmt.Sprintf("/training/courses/%d", sec), fmt.Sprintf("/training/courses/%d", draft),
		fmt.Sprintf("/training/courses/%d/lessons/%d", sec, lessonIDs(t, env, sec)[0]),
		fmt.Sprintf("/training/courses/%d/resume", draft)} {
		if r := globex.Get(path); r.StatusCode != 404 {
			t.Errorf("Globex GET %s: %d, want 404", path, r.StatusCode)
		}
	}
	if r := globex.Post(fmt.Sprintf("/training/courses/%d/enrol", sec), nil); r.StatusCode != 404 {
		t.Errorf("enrol in an invisible course: %d", r.StatusCode)
	}
	// Search and topic filter in the URL; the htmx request gets the fragment.
	r := globex.Get("/training?tab=all&q=pricing&topic=")
	if n := r.Doc.Find("#catalog li").Length(); n != 0 {
		t.Errorf("search for a lesson word matched %d courses (search covers title and summary)", n)
	}
	r = globex.Get("/training?tab=all&topic=Sales")
	if titles := r.Doc.Find("#catalog h2").Text(); titles != "Selling Acme Cloud to Mid-Market" {
		t.Errorf("topic filter: %q", titles)
	}
	frag := globex.Do("GET", "/training?tab=all&q=fundamentals", nil, map[string]string{"HX-Request": "true"})
	if frag.Doc.Find("h1").Length() != 0 || !strings.Contains(frag.Body, "Acme Cloud Fundamentals") {
		t.Errorf("fragment: %s", frag.Body)
	}
	// Staff get their console; signed out goes to sign-in.
	if r := env.Client(t).Get("/training"); r.StatusCode != 303 {
		t.Errorf("signed out: %d", r.StatusCode)
	}
}

func TestTrainingSeededStates(t *testing.T) {
	env := trainingEnv(t)
	admin := signedIn(t, env, "admin@northwind.test")
	user := signedIn(t, env, "user@northwind.test")
	if p := user.Get("/training?tab=progress"); !strings.Contains(p.Doc.Find("#in-progress").Text(), "1 of 3 lessons done") {
		t.Errorf("in progress: %s", p.Doc.Find("main").Text())
	}
	done := admin.Get("/training?tab=completed").Doc.Find("#completed")
	if done.Find("tbody tr").Length() != 2 || !strings.Contains(done.Text(), "100%") {
		t.Errorf("completed: %s", done.Text())
	}
	acc := admin.Get("/training?tab=accreditations")
	if mine := acc.Doc.Find("#my-accreditations").Text(); !strings.Contains(mine, "Acme Certified Partner") || !strings.Contains(mine, "Expired") {
		t.Errorf("accreditations: %s", mine)
	}
	// The expired certificate says so publicly.
	var expired string
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT public_id FROM certificates WHERE course_title LIKE 'Selling%'").Scan(&expired); err != nil {
		t.Fatal(err)
	}
	if s := env.Client(t).Get("/verify/" + expired).Doc.Find("#verify-status").Text(); s != "Expired certificate" {
		t.Errorf("expired certificate shows %q", s)
	}
	// Another person's certificate, even in the same company: 404.
	if r := user.Get("/training/certificates/" + expired + ".pdf"); r.StatusCode != 404 {
		t.Errorf("a colleague downloaded the certificate: %d", r.StatusCode)
	}
	globex := signedIn(t, env, "admin@globex.test")
	if r := globex.Get("/training/certificates/" + expired + ".pdf"); r.StatusCode != 404 {
		t.Errorf("another company downloaded the certificate: %d", r.StatusCode)
	}
	if r := admin.Get("/training/certificates/" + expired + ".pdf"); r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("holder download: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	// Another's progress is not shown: Globex sees none of Northwind's.
	if strings.Contains(globex.Get("/training?tab=progress").Body, "lessons done") {
		t.Error("Globex sees progress it does not have")
	}
}

func TestTrainingTakeCourseQuizCertificateVerify(t *testing.T) {
	env := trainingEnv(t)
	g := signedIn(t, env, "admin@globex.test")
	fund := courseID(t, env, "Acme Cloud Fundamentals")
	ls := lessonIDs(t, env, fund)
	if r := g.Post(fmt.Sprintf("/training/courses/%d/enrol", fund), nil); r.StatusCode != 303 || r.Header.Get("Location") != fmt.Sprintf("/training/courses/%d/lessons/%d", fund, ls[0]) {
		t.Fatalf("enrol: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	lesson := g.Get(fmt.Sprintf("/training/courses/%d/lessons/%d", fund, ls[1]))
	if lesson.Doc.Find(`a[rel=prev]`).Length() != 1 || lesson.Doc.Find(`a[rel=next]`).Length() != 1 {
		t.Error("middle lesson lacks previous/next")
	}
	if h, _ := lesson.Doc.Find(".lesson-body a").Attr("rel"); h != "" && !strings.Contains(h, "noopener") {
		t.Errorf("link rel %q", h)
	}
	for _, l := range ls {
		g.Post(fmt.Sprintf("/training/courses/%d/lessons/%d/done", fund, l), nil)
	}
	// The quiz page never carries the answers.
	quiz := g.Get(fmt.Sprintf("/training/courses/%d/quiz", fund))
	if quiz.Doc.Find("#quiz-form input[type=radio], #quiz-form input[type=checkbox]").Length() < 8 {
		t.Fatalf("quiz form: %s", quiz.Body)
	}
	if strings.Contains(strings.ToLower(quiz.Body), "correct") {
		t.Error("the quiz page mentions correct answers")
	}
	// A failed attempt: which questions were wrong, not the right answers; cool-down.
	bad := correctAnswers(t, env, fund)
	var wrongQ string
	for k := range bad {
		wrongQ = k
		break
	}
	bad.Del(wrongQ)
	if r := g.Post(fmt.Sprintf("/training/courses/%d/quiz", fund), bad); r.StatusCode != 303 {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	res := g.Get(fmt.Sprintf("/training/courses/%d/quiz", fund))
	if res.Doc.Find("#wrong-questions li").Length() != 1 || res.Doc.Find("#cooldown").Length() != 1 || res.Doc.Find("#quiz-form").Length() != 0 {
		t.Errorf("failed result: %s", res.Doc.Find("main").Text())
	}
	if strings.Contains(strings.ToLower(res.Body), "correct answer") {
		t.Error("result reveals answers")
	}
	if r := g.Post(fmt.Sprintf("/training/courses/%d/quiz", fund), correctAnswers(t, env, fund)); r.StatusCode != 422 {
		t.Errorf("retake in the cool-down: %d", r.StatusCode)
	}
	env.Clock.Advance(31 * time.Minute)
	if r := g.Post(fmt.Sprintf("/training/courses/%d/quiz", fund), correctAnswers(t, env, fund)); r.StatusCode != 303 ||
		r.Header.Get("Location") != fmt.Sprintf("/training/courses/%d", fund) {
		t.Fatalf("pass: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	gid := queryInt(t, env, "SELECT id FROM users WHERE email = 'admin@globex.test'")
	waitForRow(t, env, "SELECT count(*) FROM certificates WHERE user_id = $1 AND course_id = $2 AND pdf_key <> ''", gid, fund)
	page := g.Get(fmt.Sprintf("/training/courses/%d", fund))
	href, ok := page.Doc.Find("#certificate-download").Attr("href")
	if !ok {
		t.Fatalf("no certificate link: %s", page.Doc.Find("main").Text())
	}
	pdf := g.Get(href)
	if pdf.StatusCode != 200 || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("certificate: %d", pdf.StatusCode)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(href, "/training/certificates/"), ".pdf")
	// Signed out: valid, for whom, what; LinkedIn link filled in.
	anon := env.Client(t)
	v := anon.Get("/verify/" + id)
	if v.StatusCode != 200 || v.Doc.Find("#verify-status").Text() != "Valid certificate" || !strings.Contains(v.Doc.Find("#verify-person").Text(), "Gina Admin") {
		t.Fatalf("verify: %d %s", v.StatusCode, v.Doc.Find("main").Text())
	}
	li, _ := v.Doc.Find("#linkedin-add").Attr("href")
	lu, _ := url.Parse(li)
	if lu.Host != "www.linkedin.com" || lu.Query().Get("name") != "Acme Cloud Fundamentals" || lu.Query().Get("organizationName") != "Acme Cloud" ||
		lu.Query().Get("certId") != id || lu.Query().Get("certUrl") != env.URL+"/verify/"+id || lu.Query().Get("issueYear") == "" {
		t.Errorf("LinkedIn link %s", li)
	}
	// The JSON credential verifies against the published JWKS.
	var body struct {
		Status string `json:"status"`
		JWT    string `json:"vc_jwt"`
	}
	if err := json.Unmarshal([]byte(anon.Get("/verify/"+id+".json").Body), &body); err != nil || body.Status != "valid" {
		t.Fatalf("json: %v %+v", err, body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(anon.Get("/.well-known/jwks.json").Body), &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(body.JWT, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := jws.Verify(set.Key(jws.Signatures[0].Header.KeyID)[0])
	if err != nil || !strings.Contains(string(payload), "Gina Admin") {
		t.Fatalf("signature: %v", err)
	}
	if r := anon.Get("/verify/NOSUCHCERTIFICATE0000"); r.StatusCode != 404 {
		t.Errorf("unknown id: %d", r.StatusCode)
	}
	// The training bonus is in Payments.
	if !strings.Contains(g.Get("/payments").Doc.Find("main").Text(), "Training bonus") {
		t.Error("no training bonus in Payments")
	}
}

// queryText runs a query that returns one text value.
func queryText(t *testing.T, env *apptest.Env, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := env.Store.Pool.QueryRow(t.Context(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return s
}
