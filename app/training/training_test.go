package training_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"partnerportal/app/apptest"
	"partnerportal/app/storage"
	"partnerportal/app/training"
	"partnerportal/queries"
)

type fixture struct {
	t        *testing.T
	ctx      context.Context
	store    *queries.Store
	org      int64
	partner  int64 // Globex (Standard)
	user     int64 // admin@globex.test
	user2    int64 // a second Globex member
	premium  int64
	standard int64
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), store: apptest.NewStore(t), now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	f.scan("SELECT o.id, p.id, u.id FROM organizations o JOIN partners p ON p.organization_id = o.id JOIN users u ON u.partner_id = p.id WHERE o.slug = 'acme' AND p.name = 'Globex Partners' AND u.email = 'admin@globex.test'",
		&f.org, &f.partner, &f.user)
	f.scan("SELECT id FROM tiers WHERE organization_id = (SELECT id FROM organizations WHERE slug='acme') AND name = 'Premium'", &f.premium)
	f.scan("SELECT id FROM tiers WHERE organization_id = (SELECT id FROM organizations WHERE slug='acme') AND name = 'Standard'", &f.standard)
	f.user2 = f.int("INSERT INTO users (organization_id, partner_id, role, email, name) VALUES ($1, $2, 'partner_user', 'second@globex.test', 'Second Person') RETURNING id", f.org, f.partner)
	return f
}

func (f *fixture) scan(sql string, dest ...any) {
	f.t.Helper()
	if err := f.store.Pool.QueryRow(f.ctx, sql).Scan(dest...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) int(sql string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.store.Pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// course makes a published course with two lessons and a one-question quiz
// (option "right" correct), a bonus of 50.00 USD.
func (f *fixture) course(title string) (course, lesson1, lesson2, question, right, wrong int64) {
	f.t.Helper()
	q := f.store.Queries
	c, err := q.CreateCourse(f.ctx, queries.CreateCourseParams{Now: f.now, OrganizationID: f.org, Title: title, Visibility: "all",
		TierIds: []int64{}, PassMarkPct: 100, CooldownMinutes: 60, ValidMonths: 12, BonusMinor: 5000, BonusCurrency: "USD", BonusTierIds: []int64{}})
	if err != nil {
		f.t.Fatal(err)
	}
	l1, _ := q.CreateLesson(f.ctx, queries.CreateLessonParams{Now: f.now, OrganizationID: f.org, CourseID: c.ID, Title: "One", BodyMd: "Hello"})
	l2, _ := q.CreateLesson(f.ctx, queries.CreateLessonParams{Now: f.now, OrganizationID: f.org, CourseID: c.ID, Title: "Two", BodyMd: "World"})
	qid, err := q.CreateQuestion(f.ctx, queries.CreateQuestionParams{OrganizationID: f.org, CourseID: c.ID, Prompt: "Pick right"})
	if err != nil {
		f.t.Fatal(err)
	}
	_ = q.CreateOption(f.ctx, queries.CreateOptionParams{OrganizationID: f.org, QuestionID: qid, Position: 0, Label: "right", Correct: true})
	_ = q.CreateOption(f.ctx, queries.CreateOptionParams{OrganizationID: f.org, QuestionID: qid, Position: 1, Label: "wrong"})
	if _, err := q.SetCourseStatus(f.ctx, queries.SetCourseStatusParams{Now: f.now, OrganizationID: f.org, ID: c.ID, Status: "published"}); err != nil {
		f.t.Fatal(err)
	}
	right = f.int("SELECT id FROM quiz_options WHERE question_id = $1 AND label = 'right'", qid)
	wrong = f.int("SELECT id FROM quiz_options WHERE question_id = $1 AND label = 'wrong'", qid)
	return c.ID, l1.ID, l2.ID, qid, right, wrong
}

// finish takes the course to the end for a user and returns the outbox event id.
func (f *fixture) finish(user, course, l1, l2, qid, right int64) int64 {
	f.t.Helper()
	w := training.Who{OrganizationID: f.org, PartnerID: f.partner, UserID: user}
	err := f.store.Tx(f.ctx, func(q *queries.Queries) error {
		if _, err := q.Enrol(f.ctx, queries.EnrolParams{Now: f.now, OrganizationID: f.org, PartnerID: f.partner, UserID: user, CourseID: course}); err != nil {
			return err
		}
		for _, l := range []int64{l1, l2} {
			if err := q.MarkLessonDone(f.ctx, queries.MarkLessonDoneParams{Now: f.now, OrganizationID: f.org, PartnerID: f.partner, UserID: user, CourseID: course, LessonID: l}); err != nil {
				return err
			}
		}
		done, err := training.MaybeComplete(f.ctx, q, w, course, f.now)
		if err != nil || done {
			f.t.Fatalf("completed before the quiz: %v %v", done, err)
		}
		keyRows, err := q.ListQuizKey(f.ctx, queries.ListQuizKeyParams{OrganizationID: f.org, CourseID: course})
		if err != nil {
			return err
		}
		res := training.Grade(training.KeyFromRows(keyRows), map[int64][]int64{qid: {right}}, 100)
		if !res.Passed {
			f.t.Fatalf("right answer failed: %+v", res)
		}
		if _, err := q.InsertQuizAttempt(f.ctx, queries.InsertQuizAttemptParams{Now: f.now, OrganizationID: f.org, PartnerID: f.partner, UserID: user,
			CourseID: course, CourseVersion: 1, ScorePct: res.ScorePct, Passed: true, WrongQuestionIds: res.Wrong}); err != nil {
			return err
		}
		done, err = training.MaybeComplete(f.ctx, q, w, course, f.now)
		if err != nil || !done {
			f.t.Fatalf("not completed: %v %v", done, err)
		}
		again, err := training.MaybeComplete(f.ctx, q, w, course, f.now)
		if err != nil || again {
			f.t.Fatalf("completed twice: %v %v", again, err)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.int("SELECT id FROM outbox_events WHERE kind = 'course_completed' AND (payload->>'user_id')::bigint = $1 AND (payload->>'course_id')::bigint = $2", user, course)
}

func (f *fixture) process(outboxID int64) training.Outcome {
	f.t.Helper()
	var row queries.GetOutboxEventRow
	row, err := f.store.GetOutboxEvent(f.ctx, outboxID)
	if err != nil {
		f.t.Fatal(err)
	}
	ev, err := training.EventFromOutbox(row.ID, row.OrganizationID, row.Payload)
	if err != nil {
		f.t.Fatal(err)
	}
	var out training.Outcome
	if err := f.store.Tx(f.ctx, func(q *queries.Queries) (err error) { out, err = training.Process(f.ctx, q, ev); return err }); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func TestGrade(t *testing.T) {
	key := []training.Question{
		{ID: 1, Options: []int64{10, 11, 12}, Correct: []int64{11}},
		{ID: 2, Multiple: true, Options: []int64{20, 21, 22}, Correct: []int64{20, 22}},
	}
	cases := []struct {
		name    string
		answers map[int64][]int64
		score   int32
		passed  bool
		wrong   []int64
	}{
		{"all right", map[int64][]int64{1: {11}, 2: {22, 20}}, 100, true, nil},
		{"partial multiple is wrong", map[int64][]int64{1: {11}, 2: {20}}, 50, false, []int64{2}},
		{"two picks on single", map[int64][]int64{1: {11, 10}, 2: {20, 22}}, 50, false, []int64{1}},
		{"foreign option", map[int64][]int64{1: {21}, 2: {20, 22, 99}}, 0, false, []int64{1, 2}},
		{"nothing", nil, 0, false, []int64{1, 2}},
		{"duplicates collapse", map[int64][]int64{1: {11, 11}, 2: {20, 22, 22}}, 100, true, nil},
	}
	for _, c := range cases {
		r := training.Grade(key, c.answers, 80)
		if r.ScorePct != c.score || r.Passed != c.passed || len(r.Wrong) != len(c.wrong) {
			t.Errorf("%s: %+v", c.name, r)
		}
		for i := range c.wrong {
			if r.Wrong[i] != c.wrong[i] {
				t.Errorf("%s: wrong %v", c.name, r.Wrong)
			}
		}
	}
}

func TestEmbedURL(t *testing.T) {
	good := map[string]string{
		"https://www.youtube.com/watch?v=abc123_-X": "https://www.youtube-nocookie.com/embed/abc123_-X",
		"https://youtu.be/abc123":                   "https://www.youtube-nocookie.com/embed/abc123",
		"https://vimeo.com/76979871":                "https://player.vimeo.com/video/76979871",
		"https://player.vimeo.com/video/76979871":   "https://player.vimeo.com/video/76979871",
		"": "",
	}
	for in, want := range good {
		got, err := training.EmbedURL(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"http://www.youtube.com/watch?v=abc", "https://evil.test/embed", "javascript:alert(1)",
		"https://www.youtube.com/watch?v=<script>", "https://user@player.vimeo.com/video/1", "https://player.vimeo.com:444/video/1"} {
		if _, err := training.EmbedURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if fs := training.FrameSrc("https://player.vimeo.com/video/1"); fs != "https://player.vimeo.com" {
		t.Errorf("frame-src %q", fs)
	}
}

// A completion issues one certificate, one training bonus, the accreditation
// with its bonus and the tier upgrade, however often the event is processed,
// and by two workers at once.
func TestCompletionExactlyOnceUnderReplayAndTwoWorkers(t *testing.T) {
	f := newFixture(t)
	course, l1, l2, qid, right, _ := f.course("Selling Acme Cloud")
	acc := f.int(`INSERT INTO accreditations (organization_id, name, course_ids, valid_months, bonus_minor, bonus_currency, bonus_per, upgrade_tier_id, upgrade_holders, created_at)
		VALUES ($1, 'Acme Certified Seller', ARRAY[$2::bigint], 12, 20000, 'USD', 'company', $3, 2, $4) RETURNING id`, f.org, course, f.premium, f.now)

	ev := f.finish(f.user, course, l1, l2, qid, right)
	var wg sync.WaitGroup
	outs := make([]training.Outcome, 4)
	for i := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i] = f.process(ev) }() // replay + concurrency
	}
	wg.Wait()
	news := 0
	for _, o := range outs {
		if o.NewCert {
			news++
		}
	}
	if news != 1 {
		t.Errorf("%d runs issued a new certificate, want 1", news)
	}
	if n := f.int("SELECT count(*) FROM certificates WHERE user_id = $1 AND course_id = $2", f.user, course); n != 1 {
		t.Errorf("%d certificates", n)
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'training_bonus' AND partner_id = $1 AND amount_minor = 5000", f.partner); n != 1 {
		t.Errorf("%d training bonuses", n)
	}
	if n := f.int("SELECT count(*) FROM accreditation_awards WHERE accreditation_id = $1", acc); n != 1 {
		t.Errorf("%d awards", n)
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'achievement_bonus' AND partner_id = $1", f.partner); n != 1 {
		t.Errorf("%d achievement bonuses", n)
	}
	// One holder of two needed: Globex stays Standard.
	if tier := f.int("SELECT tier_id FROM partners WHERE id = $1", f.partner); tier != f.standard {
		t.Errorf("tier moved with one holder")
	}
	// The second member completes: the company bonus is not paid again, the
	// tier moves up once and the history says so.
	ev2 := f.finish(f.user2, course, l1, l2, qid, right)
	f.process(ev2)
	f.process(ev2)
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'achievement_bonus' AND partner_id = $1", f.partner); n != 1 {
		t.Errorf("company bonus paid %d times", n)
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'training_bonus' AND partner_id = $1", f.partner); n != 2 {
		t.Errorf("%d training bonuses, want one per person", n)
	}
	if tier := f.int("SELECT tier_id FROM partners WHERE id = $1", f.partner); tier != f.premium {
		t.Errorf("Globex did not move to Premium")
	}
	if n := f.int("SELECT count(*) FROM partner_tier_changes WHERE partner_id = $1 AND to_tier_id = $2 AND from_tier_id = $3", f.partner, f.premium, f.standard); n != 1 {
		t.Errorf("%d tier history rows", n)
	}
}

func TestNeverDowngradeAndPerPersonBonus(t *testing.T) {
	f := newFixture(t)
	course, l1, l2, qid, right, _ := f.course("Basics")
	f.int(`INSERT INTO accreditations (organization_id, name, course_ids, bonus_minor, bonus_currency, bonus_per, upgrade_tier_id, upgrade_holders, created_at)
		VALUES ($1, 'Basics badge', ARRAY[$2::bigint], 1000, 'USD', 'person', $3, 1, $4) RETURNING id`, f.org, course, f.standard, f.now)
	if _, err := f.store.Pool.Exec(f.ctx, "UPDATE partners SET tier_id = $1 WHERE id = $2", f.premium, f.partner); err != nil {
		t.Fatal(err)
	}
	f.process(f.finish(f.user, course, l1, l2, qid, right))
	f.process(f.finish(f.user2, course, l1, l2, qid, right))
	if tier := f.int("SELECT tier_id FROM partners WHERE id = $1", f.partner); tier != f.premium {
		t.Error("a Premium partner was moved down to Standard")
	}
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'achievement_bonus' AND partner_id = $1", f.partner); n != 2 {
		t.Errorf("%d per-person bonuses, want 2", n)
	}
}

func TestBonusOnlyForChosenTiers(t *testing.T) {
	f := newFixture(t)
	course, l1, l2, qid, right, _ := f.course("Premium only bonus")
	if _, err := f.store.Pool.Exec(f.ctx, "UPDATE courses SET bonus_tier_ids = ARRAY[$1::bigint] WHERE id = $2", f.premium, course); err != nil {
		t.Fatal(err)
	}
	f.process(f.finish(f.user, course, l1, l2, qid, right))
	if n := f.int("SELECT count(*) FROM commissions WHERE kind = 'training_bonus' AND partner_id = $1", f.partner); n != 0 {
		t.Error("a Standard partner got a Premium-only bonus")
	}
}

func TestCertificatePDFAndSignedCredential(t *testing.T) {
	f := newFixture(t)
	course, l1, l2, qid, right, _ := f.course("Zoë's Ünïcode course")
	out := f.process(f.finish(f.user, course, l1, l2, qid, right))
	files, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key, err := training.EnsurePDF(f.ctx, f.store, files, out.Certificate, "https://partners.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "org/") {
		t.Errorf("key %q not scoped by organization", key)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		b, _ := training.RenderPDF(out.Certificate, training.VerifyURL("https://partners.example.com", out.Certificate.PublicID))
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = strings.NewReader(string(b))
		text, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Gina Admin", "Zoë's Ünïcode course", "Acme Cloud", out.Certificate.PublicID,
			"https://partners.example.com/verify/" + out.Certificate.PublicID, "2 March 2026"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("PDF lacks %q:\n%s", want, text)
			}
		}
	}

	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	base, _ := url.Parse("http://localhost:8080")
	iss := &training.Issuer{Key: ed25519.NewKeyFromSeed(seed), Base: base}
	if iss.DID() != "did:web:localhost%3A8080" {
		t.Errorf("did %q", iss.DID())
	}
	token, err := iss.Sign(out.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	// A third party: the published JWKS, go-jose, EdDSA only.
	jwks, _ := json.Marshal(iss.JWKS())
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in the JWKS", kid)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims struct {
		Iss string `json:"iss"`
		VC  struct {
			Type              []string `json:"type"`
			CredentialSubject struct {
				Name        string                `json:"name"`
				Achievement struct{ Name string } `json:"achievement"`
			} `json:"credentialSubject"`
		} `json:"vc"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Iss != iss.DID() || claims.VC.CredentialSubject.Name != "Gina Admin" ||
		claims.VC.CredentialSubject.Achievement.Name != "Zoë's Ünïcode course" || claims.VC.Type[1] != "OpenBadgeCredential" {
		t.Errorf("claims %s", payload)
	}
	// Tampered: refused.
	parts := strings.Split(token, ".")
	tampered := parts[0] + "." + strings.Replace(parts[1], parts[1][10:14], "AAAA", 1) + "." + parts[2]
	if j, err := jose.ParseSigned(tampered, []jose.SignatureAlgorithm{jose.EdDSA}); err == nil {
		if _, err := j.Verify(keys[0]); err == nil {
			t.Error("a tampered credential verified")
		}
	}
	// Another key: refused.
	other := ed25519.NewKeyFromSeed(make([]byte, 32))
	if _, err := jws.Verify(other.Public()); err == nil {
		t.Error("verified with the wrong key")
	}
}

func TestExpiryWarnsOnceAndExpires(t *testing.T) {
	f := newFixture(t)
	course, l1, l2, qid, right, _ := f.course("Short lived")
	acc := f.int(`INSERT INTO accreditations (organization_id, name, course_ids, valid_months, created_at)
		VALUES ($1, 'Short badge', ARRAY[$2::bigint], 2, $3) RETURNING id`, f.org, course, f.now)
	f.process(f.finish(f.user, course, l1, l2, qid, right))
	notes := func(at time.Time) int {
		var total int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 2 { // two schedulers' runs at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids, err := training.RunExpiry(f.ctx, f.store, at)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += len(ids)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return total
	}
	if n := notes(f.now.AddDate(0, 0, 20)); n != 0 {
		t.Errorf("warned 40 days early: %d", n)
	}
	if n := notes(f.now.AddDate(0, 1, 5)); n != 1 {
		t.Errorf("%d warnings, want 1", n)
	}
	if n := notes(f.now.AddDate(0, 1, 6)); n != 0 {
		t.Errorf("warned again: %d", n)
	}
	if n := notes(f.now.AddDate(0, 2, 1)); n != 1 {
		t.Errorf("%d expiry notices", n)
	}
	if n := f.int("SELECT count(*) FROM accreditation_awards WHERE accreditation_id = $1 AND expired_at IS NOT NULL", acc); n != 1 {
		t.Error("not marked expired")
	}
	if n := f.int("SELECT count(*) FROM notifications WHERE user_id = $1 AND body LIKE '%Short badge%'", f.user); n != 3 {
		t.Errorf("%d notifications about the badge (award, warning, expiry)", n)
	}
}
