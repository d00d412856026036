package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// The console's Training section: courses (list, create), with the course
// editor, lessons, quiz, accreditations, reports and certificates in the
// console_training_*.go files.

type consoleTrainingData struct {
	Courses []queries.ListCoursesForStaffRow
	Tiers   []queries.Tier
}

func (h *Handler) showConsoleTraining(c *fiber.Ctx) error {
	return h.renderConsoleTraining(c, fiber.StatusOK, nil, map[string]string{"visibility": "all", "pass_mark": "80", "cooldown": "60", "currency": currentUser(c).Currency})
}

func (h *Handler) renderConsoleTraining(c *fiber.Ctx, status int, errs, form map[string]string) error {
	u := currentUser(c)
	d := &consoleTrainingData{}
	var err error
	if d.Courses, err = h.Store.ListCoursesForStaff(c.Context(), u.OrganizationID); err != nil {
		return err
	}
	if d.Tiers, err = h.Store.ListTiers(c.Context(), u.OrganizationID); err != nil {
		return err
	}
	p := h.newPage(c, "Training")
	p.Section = "training"
	p.Data, p.Errors, p.Form = d, errs, form
	return h.render(c, status, "pages/console_training", "", p)
}

// formMulti reads every value of a field, URL-encoded or multipart.
func formMulti(c *fiber.Ctx, name string) []string {
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		if f, err := c.MultipartForm(); err == nil {
			return f.Value[name]
		}
		return nil
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// tierIDsFrom reads checked tier ids and checks they are the organization's.
func tierIDsFrom(c *fiber.Ctx, name string, tiers []queries.Tier) ([]int64, bool) {
	ids := []int64{}
	for _, raw := range formMulti(c, name) {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !slices.ContainsFunc(tiers, func(t queries.Tier) bool { return t.ID == id }) {
			return ids, false
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, true
}

func intField(form, errs map[string]string, name string, min, max int, msg string) int32 {
	if form[name] == "" {
		form[name] = strconv.Itoa(min)
	}
	n, err := strconv.Atoi(form[name])
	if err != nil || n < min || n > max {
		errs[name] = msg
		return int32(min)
	}
	return int32(n)
}

// courseForm validates the course settings form.
type courseInput struct {
	Title, Summary, Topic, Visibility string
	Minutes, PassMark, Cooldown       int32
	ValidMonths                       int32
	TierIDs, BonusTierIDs             []int64
	Bonus                             int64
	Currency                          string
}

func (h *Handler) readCourseForm(c *fiber.Ctx, tiers []queries.Tier) (courseInput, map[string]string, map[string]string) {
	form := map[string]string{}
	for _, k := range []string{"title", "summary", "topic", "minutes", "visibility", "pass_mark", "cooldown", "valid_months", "bonus", "currency"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	form["currency"] = strings.ToUpper(form["currency"])
	errs := map[string]string{}
	in := courseInput{Title: form["title"], Summary: form["summary"], Topic: form["topic"], Visibility: form["visibility"], Currency: form["currency"]}
	if l := len([]rune(in.Title)); l < 1 || l > 200 {
		errs["title"] = "Give the course a title of up to 200 characters."
	}
	if len([]rune(in.Summary)) > 2000 {
		errs["summary"] = "At most 2,000 characters."
	}
	if len([]rune(in.Topic)) > 60 {
		errs["topic"] = "At most 60 characters."
	}
	in.Minutes = intField(form, errs, "minutes", 0, 10000, "Enter the minutes it takes, a whole number.")
	if form["pass_mark"] == "" {
		form["pass_mark"] = "80"
	}
	in.PassMark = intField(form, errs, "pass_mark", 1, 100, "Enter a pass mark between 1 and 100 percent.")
	in.Cooldown = intField(form, errs, "cooldown", 0, 525600, "Enter the minutes before a retake, 0 or more.")
	in.ValidMonths = intField(form, errs, "valid_months", 0, 120, "Enter months between 0 (no expiry) and 120.")
	if in.Visibility != "tiers" {
		in.Visibility = "all"
	}
	var ok bool
	for _, raw := range formMulti(c, "tier") {
		form["tier:"+raw] = "1"
	}
	for _, raw := range formMulti(c, "bonus_tier") {
		form["bonus_tier:"+raw] = "1"
	}
	if in.TierIDs, ok = tierIDsFrom(c, "tier", tiers); !ok {
		errs["tier"] = "Choose tiers from the list."
	}
	if in.Visibility == "tiers" && len(in.TierIDs) == 0 {
		errs["tier"] = "Choose at least one tier, or make the course visible to every partner."
	}
	if in.BonusTierIDs, ok = tierIDsFrom(c, "bonus_tier", tiers); !ok {
		errs["bonus_tier"] = "Choose tiers from the list."
	}
	if in.Currency == "" {
		in.Currency = currentUser(c).Currency
		form["currency"] = in.Currency
	}
	if !currencyCodeRe.MatchString(in.Currency) {
		errs["currency"] = "Enter a three-letter currency code, like USD."
	} else if form["bonus"] != "" {
		amount, err := money.Parse(form["bonus"], in.Currency)
		if err != nil || amount < 0 {
			errs["bonus"] = "Enter the bonus per person, or leave it empty for none."
		}
		in.Bonus = amount
	}
	return in, errs, form
}

func (h *Handler) createCourse(c *fiber.Ctx) error {
	u := currentUser(c)
	tiers, err := h.Store.ListTiers(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	in, errs, form := h.readCourseForm(c, tiers)
	if len(errs) > 0 {
		return h.renderConsoleTraining(c, fiber.StatusUnprocessableEntity, errs, form)
	}
	row, err := h.Store.CreateCourse(c.Context(), queries.CreateCourseParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID,
		Title: in.Title, Summary: in.Summary, Topic: in.Topic, Minutes: in.Minutes, Visibility: in.Visibility, TierIds: in.TierIDs,
		PassMarkPct: in.PassMark, CooldownMinutes: in.Cooldown, ValidMonths: in.ValidMonths, BonusMinor: in.Bonus,
		BonusCurrency: in.Currency, BonusTierIds: in.BonusTierIDs})
	if err != nil {
		return err
	}
	h.flash(c, "Course created as a draft. Add lessons, then publish it.")
	return redirect(c, fmt.Sprintf("/console/training/courses/%d", row.ID))
}
