package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// addQuestion adds a quiz question: options one per line, a leading "*"
// marks a correct one.
func (h *Handler) addQuestion(c *fiber.Ctx) error {
	u := currentUser(c)
	co, err := h.staffCourse(c)
	if err != nil {
		return err
	}
	form := map[string]string{"q_prompt": strings.TrimSpace(c.FormValue("prompt")), "q_options": c.FormValue("options"), "q_multiple": c.FormValue("multiple")}
	errs := map[string]string{}
	if l := len([]rune(form["q_prompt"])); l < 1 || l > 1000 {
		errs["q_prompt"] = "Write the question (up to 1,000 characters)."
	}
	type opt struct {
		label   string
		correct bool
	}
	var opts []opt
	correct := 0
	for _, line := range strings.Split(form["q_options"], "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		o := opt{label: line}
		if strings.HasPrefix(line, "*") {
			o = opt{label: strings.TrimSpace(line[1:]), correct: true}
			correct++
		}
		if o.label == "" || len([]rune(o.label)) > 500 {
			errs["q_options"] = "Each answer needs a text of up to 500 characters."
		}
		opts = append(opts, o)
	}
	multiple := form["q_multiple"] == "1"
	switch {
	case errs["q_options"] != "":
	case len(opts) < 2 || len(opts) > 10:
		errs["q_options"] = "Give between 2 and 10 answers, one per line."
	case correct == 0:
		errs["q_options"] = "Mark the correct answer with a * at the start of its line."
	case !multiple && correct > 1:
		errs["q_options"] = "A single-choice question has one correct answer; tick multiple choice for more."
	}
	if len(errs) > 0 {
		f := courseFormValues(co)
		for k, v := range form {
			f[k] = v
		}
		return h.renderConsoleCourse(c, fiber.StatusUnprocessableEntity, co, errs, f)
	}
	now := h.Clock.Now()
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		qid, err := q.CreateQuestion(c.Context(), queries.CreateQuestionParams{OrganizationID: u.OrganizationID, CourseID: co.ID, Prompt: form["q_prompt"], Multiple: multiple})
		if err != nil {
			return err
		}
		for i, o := range opts {
			if err := q.CreateOption(c.Context(), queries.CreateOptionParams{OrganizationID: u.OrganizationID, QuestionID: qid, Position: int32(i), Label: o.label, Correct: o.correct}); err != nil {
				return err
			}
		}
		return q.BumpCourseVersion(c.Context(), queries.BumpCourseVersionParams{Now: now, OrganizationID: u.OrganizationID, ID: co.ID})
	})
	if err != nil {
		return err
	}
	h.flash(c, "Question added.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d#quiz", co.ID))
}

func (h *Handler) removeQuestion(c *fiber.Ctx) error {
	u := currentUser(c)
	co, err := h.staffCourse(c)
	if err != nil {
		return err
	}
	qid, err := c.ParamsInt("question")
	if err != nil || qid <= 0 {
		return fiber.ErrNotFound
	}
	now := h.Clock.Now()
	err = h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		if _, err := q.RemoveQuestion(c.Context(), queries.RemoveQuestionParams{Now: now, OrganizationID: u.OrganizationID, CourseID: co.ID, ID: int64(qid)}); err != nil {
			return err
		}
		return q.BumpCourseVersion(c.Context(), queries.BumpCourseVersionParams{Now: now, OrganizationID: u.OrganizationID, ID: co.ID})
	})
	if err != nil {
		return err
	}
	h.flash(c, "Question removed.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d#quiz", co.ID))
}
