package app

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/app/resource"
	"partnerportal/app/secret"
	"partnerportal/queries"
)

type consoleCourseData struct {
	Course    queries.Course
	Tiers     []queries.Tier
	Lessons   []queries.Lesson
	Questions []staffQuestion
	MaxUpload string // UPLOAD_MAX_BYTES, e.g. "100 MB"
}

type staffQuestion struct {
	ID       int64
	Prompt   string
	Multiple bool
	Options  []queries.ListQuizForStaffRow
}

// staffCourse is the :id course of the staff user's organization.
func (h *Handler) staffCourse(c *fiber.Ctx) (queries.Course, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return queries.Course{}, fiber.ErrNotFound
	}
	return h.Store.GetCourse(c.Context(), queries.GetCourseParams{OrganizationID: currentUser(c).OrganizationID, ID: int64(id)})
}

func courseFormValues(co queries.Course) map[string]string {
	f := map[string]string{"title": co.Title, "summary": co.Summary, "topic": co.Topic, "minutes": strconv.Itoa(int(co.Minutes)),
		"visibility": co.Visibility, "pass_mark": strconv.Itoa(int(co.PassMarkPct)), "cooldown": strconv.Itoa(int(co.CooldownMinutes)),
		"valid_months": strconv.Itoa(int(co.ValidMonths)), "currency": co.BonusCurrency}
	if co.BonusMinor > 0 {
		f["bonus"] = money.Input(co.BonusMinor, co.BonusCurrency)
	}
	for _, id := range co.TierIds {
		f[fmt.Sprintf("tier:%d", id)] = "1"
	}
	for _, id := range co.BonusTierIds {
		f[fmt.Sprintf("bonus_tier:%d", id)] = "1"
	}
	return f
}

func (h *Handler) loadConsoleCourse(c *fiber.Ctx, co queries.Course) (*consoleCourseData, error) {
	u := currentUser(c)
	ctx := c.Context()
	d := &consoleCourseData{Course: co, MaxUpload: resource.Size(h.Config.UploadMaxBytes)}
	var err error
	if d.Tiers, err = h.Store.ListTiers(ctx, u.OrganizationID); err != nil {
		return nil, err
	}
	if d.Lessons, err = h.Store.ListLessonsForStaff(ctx, queries.ListLessonsForStaffParams{OrganizationID: u.OrganizationID, CourseID: co.ID}); err != nil {
		return nil, err
	}
	rows, err := h.Store.ListQuizForStaff(ctx, queries.ListQuizForStaffParams{OrganizationID: u.OrganizationID, CourseID: co.ID})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if len(d.Questions) == 0 || d.Questions[len(d.Questions)-1].ID != r.QuestionID {
			d.Questions = append(d.Questions, staffQuestion{ID: r.QuestionID, Prompt: r.Prompt, Multiple: r.Multiple})
		}
		q := &d.Questions[len(d.Questions)-1]
		q.Options = append(q.Options, r)
	}
	return d, nil
}

func (h *Handler) showConsoleCourse(c *fiber.Ctx) error {
	co, err := h.staffCourse(c)
	if err != nil {
		return err
	}
	return h.renderConsoleCourse(c, fiber.StatusOK, co, nil, courseFormValues(co))
}

func (h *Handler) renderConsoleCourse(c *fiber.Ctx, status int, co queries.Course, errs, form map[string]string) error {
	d, err := h.loadConsoleCourse(c, co)
	if err != nil {
		return err
	}
	if form == nil {
		form = courseFormValues(co)
	}
	if form["lesson_key"] == "" {
		form["lesson_key"] = secret.New()[:16]
	}
	p := h.newPage(c, co.Title)
	p.Section = "training"
	p.Data, p.Errors, p.Form = d, errs, form
	return h.render(c, status, "pages/console_course", "", p)
}

// saveCourse saves the settings; a published course gets a new version.
func (h *Handler) saveCourse(c *fiber.Ctx) error {
	u := currentUser(c)
	co, err := h.staffCourse(c)
	if err != nil {
		return err
	}
	tiers, err := h.Store.ListTiers(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	in, errs, form := h.readCourseForm(c, tiers)
	if len(errs) > 0 {
		return h.renderConsoleCourse(c, fiber.StatusUnprocessableEntity, co, errs, form)
	}
	if _, err := h.Store.UpdateCourse(c.Context(), queries.UpdateCourseParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID, ID: co.ID,
		Title: in.Title, Summary: in.Summary, Topic: in.Topic, Minutes: in.Minutes, Visibility: in.Visibility, TierIds: in.TierIDs,
		PassMarkPct: in.PassMark, CooldownMinutes: in.Cooldown, ValidMonths: in.ValidMonths, BonusMinor: in.Bonus,
		BonusCurrency: in.Currency, BonusTierIds: in.BonusTierIDs}); err != nil {
		return err
	}
	h.flash(c, "Course saved.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d", co.ID))
}

// setCourseStatus publishes, archives or returns a course to draft.
func (h *Handler) setCourseStatus(c *fiber.Ctx) error {
	u := currentUser(c)
	co, err := h.staffCourse(c)
	if err != nil {
		return err
	}
	status := c.FormValue("status")
	switch status {
	case "published", "archived", "draft":
	default:
		return h.renderConsoleCourse(c, fiber.StatusUnprocessableEntity, co, map[string]string{"status": "Choose publish, archive or draft."}, nil)
	}
	if status == "published" {
		n, err := h.Store.ListLessons(c.Context(), queries.ListLessonsParams{OrganizationID: u.OrganizationID, CourseID: co.ID})
		if err != nil {
			return err
		}
		if len(n) == 0 {
			return h.renderConsoleCourse(c, fiber.StatusUnprocessableEntity, co, map[string]string{"status": "Add at least one lesson before publishing."}, nil)
		}
	}
	if _, err := h.Store.SetCourseStatus(c.Context(), queries.SetCourseStatusParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID, ID: co.ID, Status: status}); err != nil {
		return err
	}
	h.flash(c, map[string]string{"published": "Course published.", "archived": "Course archived.", "draft": "Course back to draft."}[status])
	return redirect(c, fmt.Sprintf("/console/training/courses/%d", co.ID))
}
