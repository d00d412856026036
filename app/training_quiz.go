package app

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/training"
	"partnerportal/queries"
)

type quizQuestion struct {
	ID       int64
	Prompt   string
	Multiple bool
	Options  []quizOption
	Wrong    bool // in the last failed attempt
}

type quizOption struct {
	ID    int64
	Label string
}

type quizData struct {
	Course    queries.GetVisibleCourseRow
	Questions []quizQuestion
	Last      *queries.QuizAttempt
	WrongN    int
	Passed    bool
	NextAt    time.Time
	Waiting   bool // in the cool-down
	LessonsOK bool
}

func (h *Handler) loadQuiz(c *fiber.Ctx, course queries.GetVisibleCourseRow) (*quizData, error) {
	u := currentUser(c)
	ctx := c.Context()
	rows, err := h.Store.ListQuizForTaking(ctx, queries.ListQuizForTakingParams{OrganizationID: u.OrganizationID, CourseID: course.ID})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fiber.ErrNotFound
	}
	d := &quizData{Course: course}
	for _, r := range rows {
		if len(d.Questions) == 0 || d.Questions[len(d.Questions)-1].ID != r.QuestionID {
			d.Questions = append(d.Questions, quizQuestion{ID: r.QuestionID, Prompt: r.Prompt, Multiple: r.Multiple})
		}
		q := &d.Questions[len(d.Questions)-1]
		q.Options = append(q.Options, quizOption{ID: r.OptionID, Label: r.Label})
	}
	last, err := h.Store.LastQuizAttempt(ctx, queries.LastQuizAttemptParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, UserID: u.ID, CourseID: course.ID})
	if err != nil && !queries.IsNotFound(err) {
		return nil, err
	}
	if err == nil {
		d.Last = &last
		if _, err := h.Store.BestPassedAttempt(ctx, queries.BestPassedAttemptParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
			UserID: u.ID, CourseID: course.ID}); err == nil {
			d.Passed = true
		}
		if !last.Passed {
			d.NextAt = training.NextAttemptAt(&last, course.CooldownMinutes)
			d.Waiting = h.Clock.Now().Before(d.NextAt)
			for i := range d.Questions {
				for _, w := range last.WrongQuestionIds {
					if d.Questions[i].ID == w {
						d.Questions[i].Wrong = true
						d.WrongN++
					}
				}
			}
		}
	}
	pr, err := training.LoadProgress(ctx, h.Store.Queries, trainingWho(u), course.ID)
	if err != nil {
		return nil, err
	}
	d.LessonsOK = pr.Next == 0
	return d, nil
}

func (h *Handler) showQuiz(c *fiber.Ctx) error {
	course, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	d, err := h.loadQuiz(c, course)
	if err != nil {
		return err
	}
	return h.renderQuiz(c, fiber.StatusOK, d, nil)
}

func (h *Handler) renderQuiz(c *fiber.Ctx, status int, d *quizData, errs map[string]string) error {
	p := h.newPage(c, "Quiz · "+d.Course.Title)
	p.Section = "training"
	p.Data, p.Errors = d, errs
	return h.render(c, status, "pages/training_quiz", "", p)
}

// submitQuiz grades an attempt on the server, records it and completes the
// course when the lessons are done and the quiz passed; then the quiz page
// shows the result (which questions were wrong, never the right answers).
func (h *Handler) submitQuiz(c *fiber.Ctx) error {
	u := currentUser(c)
	course, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	d, err := h.loadQuiz(c, course)
	if err != nil {
		return err
	}
	if d.Passed {
		return redirect(c, fmt.Sprintf("/training/courses/%d/quiz", course.ID))
	}
	if d.Waiting {
		return h.renderQuiz(c, fiber.StatusUnprocessableEntity, d, map[string]string{
			"quiz": "You can take the quiz again after " + datetimeIn(d.NextAt, u.TimeZone, u.OrganizationTZ) + "."})
	}
	answers := map[int64][]int64{}
	args := c.Request().PostArgs()
	for _, q := range d.Questions {
		for _, raw := range args.PeekMulti("q" + strconv.FormatInt(q.ID, 10)) {
			if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
				answers[q.ID] = append(answers[q.ID], id)
			}
		}
	}
	now := h.Clock.Now()
	w := trainingWho(u)
	var res training.Result
	completed := false
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		e, err := q.Enrol(c.Context(), queries.EnrolParams{Now: now, OrganizationID: w.OrganizationID, PartnerID: w.PartnerID, UserID: w.UserID, CourseID: course.ID})
		if err != nil {
			return err
		}
		key, err := q.ListQuizKey(c.Context(), queries.ListQuizKeyParams{OrganizationID: w.OrganizationID, CourseID: course.ID})
		if err != nil {
			return err
		}
		res = training.Grade(training.KeyFromRows(key), answers, course.PassMarkPct)
		if _, err := q.InsertQuizAttempt(c.Context(), queries.InsertQuizAttemptParams{Now: now, OrganizationID: w.OrganizationID,
			PartnerID: w.PartnerID, UserID: w.UserID, CourseID: course.ID, CourseVersion: e.CourseVersion, ScorePct: res.ScorePct,
			Passed: res.Passed, WrongQuestionIds: res.Wrong}); err != nil {
			return err
		}
		if res.Passed {
			completed, err = training.MaybeComplete(c.Context(), q, w, course.ID, now)
		}
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case completed:
		h.flash(c, fmt.Sprintf("You passed with %d%% and completed the course. Your certificate is being issued.", res.ScorePct))
		return redirect(c, fmt.Sprintf("/training/courses/%d", course.ID))
	case res.Passed:
		h.flash(c, fmt.Sprintf("You passed with %d%%. Finish the remaining lessons to complete the course.", res.ScorePct))
	default:
		h.flash(c, fmt.Sprintf("You scored %d%%; the pass mark is %d%%.", res.ScorePct, course.PassMarkPct))
	}
	return redirect(c, fmt.Sprintf("/training/courses/%d/quiz", course.ID))
}

// datetimeIn shows a moment in the user's zone, else the organization's.
func datetimeIn(t time.Time, userTZ, orgTZ string) string {
	zone := userTZ
	if zone == "" {
		zone = orgTZ
	}
	return inZone(t, zone).Format("Jan 2, 2006 15:04 MST")
}
