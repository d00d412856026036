package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/training"
	"partnerportal/queries"
)

func trainingWho(u *User) training.Who {
	return training.Who{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, UserID: u.ID}
}

// visibleCourse is the course of the :id parameter as the signed-in partner
// user may see it: published and open to the partner's tier, else 404.
func (h *Handler) visibleCourse(c *fiber.Ctx) (queries.GetVisibleCourseRow, error) {
	u := currentUser(c)
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return queries.GetVisibleCourseRow{}, fiber.ErrNotFound
	}
	return h.Store.GetVisibleCourse(c.Context(), queries.GetVisibleCourseParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, ID: int64(id)})
}

type courseData struct {
	Course      queries.GetVisibleCourseRow
	Progress    training.Progress
	Enrolled    bool
	Completed   bool
	HasQuiz     bool
	Passed      bool
	Certificate string
	Badges      []queries.ListAccreditationsForCourseRow
}

func (h *Handler) loadCourse(c *fiber.Ctx) (*courseData, error) {
	u := currentUser(c)
	ctx := c.Context()
	course, err := h.visibleCourse(c)
	if err != nil {
		return nil, err
	}
	d := &courseData{Course: course}
	w := trainingWho(u)
	if d.Progress, err = training.LoadProgress(ctx, h.Store.Queries, w, course.ID); err != nil {
		return nil, err
	}
	e, err := h.Store.GetEnrolment(ctx, queries.GetEnrolmentParams{OrganizationID: w.OrganizationID, PartnerID: w.PartnerID, UserID: w.UserID, CourseID: course.ID})
	switch {
	case err == nil:
		d.Enrolled, d.Completed = true, e.CompletedAt != nil
	case !queries.IsNotFound(err):
		return nil, err
	}
	n, err := h.Store.CountQuizQuestions(ctx, queries.CountQuizQuestionsParams{OrganizationID: w.OrganizationID, CourseID: course.ID})
	if err != nil {
		return nil, err
	}
	d.HasQuiz = n > 0
	if d.HasQuiz && d.Enrolled {
		_, err := h.Store.BestPassedAttempt(ctx, queries.BestPassedAttemptParams{OrganizationID: w.OrganizationID, PartnerID: w.PartnerID, UserID: w.UserID, CourseID: course.ID})
		d.Passed = err == nil
	}
	if d.Completed {
		if cert, err := h.Store.GetUserCertificateForCourse(ctx, queries.GetUserCertificateForCourseParams{OrganizationID: w.OrganizationID,
			PartnerID: w.PartnerID, UserID: w.UserID, CourseID: course.ID}); err == nil {
			d.Certificate = cert.PublicID
		}
	}
	d.Badges, err = h.Store.ListAccreditationsForCourse(ctx, queries.ListAccreditationsForCourseParams{OrganizationID: w.OrganizationID,
		PartnerID: w.PartnerID, UserID: w.UserID, CourseID: course.ID})
	return d, err
}

func (h *Handler) showCourse(c *fiber.Ctx) error {
	d, err := h.loadCourse(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, d.Course.Title)
	p.Section = "training"
	p.Data = d
	return h.render(c, fiber.StatusOK, "pages/training_course", "", p)
}

// enrolCourse enrols the user (again: nothing changes) and opens the next
// unfinished lesson.
func (h *Handler) enrolCourse(c *fiber.Ctx) error {
	u := currentUser(c)
	course, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	if _, err := h.Store.Enrol(c.Context(), queries.EnrolParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID,
		PartnerID: u.PartnerID, UserID: u.ID, CourseID: course.ID}); err != nil {
		return err
	}
	return h.resumeTo(c, course.ID)
}

// resumeCourse opens the next unfinished lesson, else the quiz, else the course.
func (h *Handler) resumeCourse(c *fiber.Ctx) error {
	course, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	return h.resumeTo(c, course.ID)
}

func (h *Handler) resumeTo(c *fiber.Ctx, courseID int64) error {
	u := currentUser(c)
	pr, err := training.LoadProgress(c.Context(), h.Store.Queries, trainingWho(u), courseID)
	if err != nil {
		return err
	}
	if pr.Next != 0 {
		return redirect(c, fmt.Sprintf("/training/courses/%d/lessons/%d", courseID, pr.Next))
	}
	n, err := h.Store.CountQuizQuestions(c.Context(), queries.CountQuizQuestionsParams{OrganizationID: u.OrganizationID, CourseID: courseID})
	if err != nil {
		return err
	}
	if n > 0 {
		return redirect(c, fmt.Sprintf("/training/courses/%d/quiz", courseID))
	}
	return redirect(c, fmt.Sprintf("/training/courses/%d", courseID))
}
