package app

import (
	"fmt"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/markdown"
	"partnerportal/app/training"
	"partnerportal/queries"
)

type lessonData struct {
	Course     queries.GetVisibleCourseRow
	Lesson     queries.Lesson
	Body       template.HTML
	Index      int
	Count      int
	Prev, Next int64
	Done       bool
	HasQuiz    bool
}

// lessonInCourse loads the :lesson of a visible :id course.
func (h *Handler) lessonInCourse(c *fiber.Ctx) (queries.GetVisibleCourseRow, queries.Lesson, error) {
	u := currentUser(c)
	course, err := h.visibleCourse(c)
	if err != nil {
		return course, queries.Lesson{}, err
	}
	lid, err := c.ParamsInt("lesson")
	if err != nil || lid <= 0 {
		return course, queries.Lesson{}, fiber.ErrNotFound
	}
	l, err := h.Store.GetLesson(c.Context(), queries.GetLessonParams{OrganizationID: u.OrganizationID, CourseID: course.ID, ID: int64(lid)})
	return course, l, err
}

func (h *Handler) showLesson(c *fiber.Ctx) error {
	u := currentUser(c)
	course, l, err := h.lessonInCourse(c)
	if err != nil {
		return err
	}
	pr, err := training.LoadProgress(c.Context(), h.Store.Queries, trainingWho(u), course.ID)
	if err != nil {
		return err
	}
	d := &lessonData{Course: course, Lesson: l, Body: markdown.Render(l.BodyMd), Count: len(pr.Lessons), Done: pr.Done[l.ID]}
	for i, x := range pr.Lessons {
		if x.ID == l.ID {
			d.Index = i + 1
			if i > 0 {
				d.Prev = pr.Lessons[i-1].ID
			}
			if i+1 < len(pr.Lessons) {
				d.Next = pr.Lessons[i+1].ID
			}
		}
	}
	n, err := h.Store.CountQuizQuestions(c.Context(), queries.CountQuizQuestionsParams{OrganizationID: u.OrganizationID, CourseID: course.ID})
	if err != nil {
		return err
	}
	d.HasQuiz = n > 0
	if l.EmbedUrl != "" {
		// The one page that frames another site: only the embed's host.
		if src := training.FrameSrc(l.EmbedUrl); src != "" {
			c.Set("Content-Security-Policy", csp+"; frame-src "+src)
		}
	}
	p := h.newPage(c, l.Title+" · "+course.Title)
	p.Section = "training"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/training_lesson", "", p)
}

// markLessonDone enrols (if needed), marks the lesson done and completes
// the course when that was the last step, in one transaction; then the next
// lesson (or the quiz, or the course page) opens.
func (h *Handler) markLessonDone(c *fiber.Ctx) error {
	u := currentUser(c)
	course, l, err := h.lessonInCourse(c)
	if err != nil {
		return err
	}
	now := h.Clock.Now()
	w := trainingWho(u)
	completed := false
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if _, err := q.Enrol(c.Context(), queries.EnrolParams{Now: now, OrganizationID: w.OrganizationID, PartnerID: w.PartnerID, UserID: w.UserID, CourseID: course.ID}); err != nil {
			return err
		}
		if err := q.MarkLessonDone(c.Context(), queries.MarkLessonDoneParams{Now: now, OrganizationID: w.OrganizationID, PartnerID: w.PartnerID,
			UserID: w.UserID, CourseID: course.ID, LessonID: l.ID}); err != nil {
			return err
		}
		completed, err = training.MaybeComplete(c.Context(), q, w, course.ID, now)
		return err
	})
	if err != nil {
		return err
	}
	if completed {
		h.flash(c, "Course completed. Your certificate is being issued.")
		return redirect(c, fmt.Sprintf("/training/courses/%d", course.ID))
	}
	return h.resumeTo(c, course.ID)
}
