// Package training holds the rules of courses and accreditations that the web
// tier and the worker share: quiz grading (on the server; the answer key
// never leaves this package's callers), progress and completion (the
// 'course_completed' outbox event in the completion's transaction), the
// worker's processing of that event (certificate, training bonus,
// accreditation, achievement bonus, tier upgrade, exactly once by unique
// keys), certificates as PDF and as Open Badges 3.0 VC-JWT, video embeds
// from allow-listed hosts, and the daily expiry of accreditations.
package training

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"partnerportal/queries"
)

// Who is the partner user a call is about; every query takes all three.
type Who struct {
	OrganizationID, PartnerID, UserID int64
}

// Question is one quiz question's answer key.
type Question struct {
	ID       int64
	Multiple bool
	Options  []int64 // in order
	Correct  []int64
}

// KeyFromRows groups the answer key rows by question, in order.
func KeyFromRows(rows []queries.ListQuizKeyRow) []Question {
	var out []Question
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.QuestionID {
			out = append(out, Question{ID: r.QuestionID, Multiple: r.Multiple})
		}
		q := &out[len(out)-1]
		q.Options = append(q.Options, r.OptionID)
		if r.Correct {
			q.Correct = append(q.Correct, r.OptionID)
		}
	}
	return out
}

// Result of grading one attempt.
type Result struct {
	ScorePct int32
	Passed   bool
	Wrong    []int64 // question ids answered wrongly (or not at all)
}

// Grade checks answers (question id → chosen option ids) against the key.
// A question is right when exactly its correct options are chosen; options
// not belonging to the question make it wrong. The score is the share of
// right questions, rounded down to a whole percent.
func Grade(key []Question, answers map[int64][]int64, passMark int32) Result {
	if len(key) == 0 {
		return Result{ScorePct: 100, Passed: true}
	}
	right := 0
	wrong := []int64{}
	for _, q := range key {
		got := slices.Clone(answers[q.ID])
		slices.Sort(got)
		got = slices.Compact(got)
		want := slices.Clone(q.Correct)
		slices.Sort(want)
		ok := len(got) > 0 && slices.Equal(got, want) && (q.Multiple || len(got) == 1)
		for _, g := range got {
			if !slices.Contains(q.Options, g) {
				ok = false
			}
		}
		if ok {
			right++
		} else {
			wrong = append(wrong, q.ID)
		}
	}
	score := int32(right * 100 / len(key))
	return Result{ScorePct: score, Passed: score >= passMark, Wrong: wrong}
}

// ErrCoolDown is returned for a retake before the course's cool-down ended.
var ErrCoolDown = errors.New("training: the quiz cool-down has not ended")

// NextAttemptAt is when the user may take the quiz again after last (zero:
// now); a passed quiz is not retaken.
func NextAttemptAt(last *queries.QuizAttempt, cooldownMinutes int32) time.Time {
	if last == nil {
		return time.Time{}
	}
	return last.CreatedAt.Add(time.Duration(cooldownMinutes) * time.Minute)
}

// Progress of one user in one course.
type Progress struct {
	Lessons   []queries.ListLessonsRow
	Done      map[int64]bool
	DoneCount int
	Percent   int
	Next      int64 // the first lesson not done; 0 when all are
}

// LoadProgress reads a user's progress; only lessons that still exist count.
func LoadProgress(ctx context.Context, q *queries.Queries, w Who, courseID int64) (Progress, error) {
	lessons, err := q.ListLessons(ctx, queries.ListLessonsParams{OrganizationID: w.OrganizationID, CourseID: courseID})
	if err != nil {
		return Progress{}, err
	}
	ids, err := q.ListDoneLessonIDs(ctx, queries.ListDoneLessonIDsParams{OrganizationID: w.OrganizationID,
		PartnerID: w.PartnerID, UserID: w.UserID, CourseID: courseID})
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Lessons: lessons, Done: map[int64]bool{}}
	for _, id := range ids {
		p.Done[id] = true
	}
	for _, l := range lessons {
		if p.Done[l.ID] {
			p.DoneCount++
		} else if p.Next == 0 {
			p.Next = l.ID
		}
	}
	if len(lessons) > 0 {
		p.Percent = p.DoneCount * 100 / len(lessons)
	} else {
		p.Percent = 100
	}
	return p, nil
}

// MaybeComplete completes the enrolment when every lesson is done and the
// quiz (if the course has one) is passed: completed_at and the outbox event
// 'course_completed' are written in the caller's transaction, once. It
// reports whether this call completed the course.
func MaybeComplete(ctx context.Context, q *queries.Queries, w Who, courseID int64, now time.Time) (bool, error) {
	p, err := LoadProgress(ctx, q, w, courseID)
	if err != nil {
		return false, err
	}
	if p.Next != 0 {
		return false, nil
	}
	n, err := q.CountQuizQuestions(ctx, queries.CountQuizQuestionsParams{OrganizationID: w.OrganizationID, CourseID: courseID})
	if err != nil {
		return false, err
	}
	var score *int32
	if n > 0 {
		best, err := q.BestPassedAttempt(ctx, queries.BestPassedAttemptParams{OrganizationID: w.OrganizationID,
			PartnerID: w.PartnerID, UserID: w.UserID, CourseID: courseID})
		if queries.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		score = &best.ScorePct
	}
	e, err := q.CompleteEnrolment(ctx, queries.CompleteEnrolmentParams{Now: now, ScorePct: score,
		OrganizationID: w.OrganizationID, PartnerID: w.PartnerID, UserID: w.UserID, CourseID: courseID})
	if queries.IsNotFound(err) {
		return false, nil // already completed
	}
	if err != nil {
		return false, err
	}
	if _, err := q.CreateCourseCompletedEvent(ctx, queries.CreateCourseCompletedEventParams{Now: now,
		OrganizationID: w.OrganizationID, EnrolmentID: e.ID, PartnerID: w.PartnerID, UserID: w.UserID, CourseID: courseID}); err != nil {
		return false, err
	}
	return true, nil
}

// EventCourseCompleted is the outbox kind this package consumes.
const EventCourseCompleted = "course_completed"

// embedHosts are the video hosts lessons may embed, with the frame-src each
// needs in the lesson page's CSP.
var embedHosts = map[string]string{
	"www.youtube-nocookie.com": "https://www.youtube-nocookie.com",
	"player.vimeo.com":         "https://player.vimeo.com",
}

// EmbedURL checks an embed URL: https, an allow-listed host, no user info.
// YouTube watch links become their privacy-enhanced embed form.
func EmbedURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Host == "" {
		return "", errors.New("enter an https:// link from YouTube or Vimeo")
	}
	switch u.Hostname() {
	case "www.youtube.com", "youtube.com", "youtu.be":
		id := u.Query().Get("v")
		if u.Hostname() == "youtu.be" {
			id = strings.Trim(u.Path, "/")
		}
		if strings.HasPrefix(u.Path, "/embed/") {
			id = strings.TrimPrefix(u.Path, "/embed/")
		}
		if !validVideoID(id) {
			return "", errors.New("that YouTube link names no video")
		}
		return "https://www.youtube-nocookie.com/embed/" + id, nil
	case "vimeo.com":
		id := strings.Trim(u.Path, "/")
		if !validVideoID(id) {
			return "", errors.New("that Vimeo link names no video")
		}
		return "https://player.vimeo.com/video/" + id, nil
	}
	if _, ok := embedHosts[u.Host]; !ok || u.Port() != "" {
		return "", errors.New("videos can be embedded from YouTube or Vimeo only")
	}
	u.Fragment = ""
	return u.String(), nil
}

// FrameSrc is the CSP frame-src origin an embed URL (already checked) needs.
func FrameSrc(embed string) string {
	u, err := url.Parse(embed)
	if err != nil {
		return ""
	}
	return embedHosts[u.Host]
}

func validVideoID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

const publicAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewPublicID is a certificate's public id: 20 characters of a 32-letter
// alphabet (100 bits), unguessable.
func NewPublicID() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("training: no randomness: %v", err))
	}
	for i := range b {
		b[i] = publicAlphabet[int(b[i])%len(publicAlphabet)]
	}
	return string(b)
}

// Status of a certificate at a moment.
func Status(c queries.Certificate, now time.Time) string {
	switch {
	case c.RevokedAt != nil:
		return "revoked"
	case c.ExpiresAt != nil && !now.Before(*c.ExpiresAt):
		return "expired"
	}
	return "valid"
}
