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

type consoleAccreditationsData struct {
	List    []queries.ListAccreditationsRow
	Courses []queries.ListCoursesForStaffRow
	Tiers   []queries.Tier
	Edit    *queries.Accreditation
}

func (h *Handler) renderAccreditations(c *fiber.Ctx, status int, edit *queries.Accreditation, errs, form map[string]string) error {
	u := currentUser(c)
	d := &consoleAccreditationsData{Edit: edit}
	var err error
	if d.List, err = h.Store.ListAccreditations(c.Context(), u.OrganizationID); err != nil {
		return err
	}
	if d.Courses, err = h.Store.ListCoursesForStaff(c.Context(), u.OrganizationID); err != nil {
		return err
	}
	if d.Tiers, err = h.Store.ListTiers(c.Context(), u.OrganizationID); err != nil {
		return err
	}
	if form == nil {
		form = map[string]string{"currency": u.Currency, "per": "company", "holders": "1", "valid_months": "12", "active": "1"}
		if edit != nil {
			form = map[string]string{"name": edit.Name, "description": edit.Description, "valid_months": strconv.Itoa(int(edit.ValidMonths)),
				"currency": edit.BonusCurrency, "per": edit.BonusPer, "holders": strconv.Itoa(int(edit.UpgradeHolders))}
			if edit.Active {
				form["active"] = "1"
			}
			if edit.BonusMinor > 0 {
				form["bonus"] = money.Input(edit.BonusMinor, edit.BonusCurrency)
			}
			if edit.UpgradeTierID != nil {
				form["tier"] = strconv.FormatInt(*edit.UpgradeTierID, 10)
			}
			for _, id := range edit.CourseIds {
				form[fmt.Sprintf("course:%d", id)] = "1"
			}
		}
	}
	title := "Accreditations"
	if edit != nil {
		title = "Accreditation: " + edit.Name
	}
	p := h.newPage(c, title)
	p.Section = "training"
	p.Data, p.Errors, p.Form = d, errs, form
	return h.render(c, status, "pages/console_accreditations", "", p)
}

func (h *Handler) showConsoleAccreditations(c *fiber.Ctx) error {
	return h.renderAccreditations(c, fiber.StatusOK, nil, nil, nil)
}

func (h *Handler) staffAccreditation(c *fiber.Ctx) (queries.Accreditation, error) {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return queries.Accreditation{}, fiber.ErrNotFound
	}
	return h.Store.GetAccreditation(c.Context(), queries.GetAccreditationParams{OrganizationID: currentUser(c).OrganizationID, ID: int64(id)})
}

func (h *Handler) showConsoleAccreditation(c *fiber.Ctx) error {
	a, err := h.staffAccreditation(c)
	if err != nil {
		return err
	}
	return h.renderAccreditations(c, fiber.StatusOK, &a, nil, nil)
}

type accreditationInput struct {
	Name, Description, Currency, Per string
	Courses                          []int64
	ValidMonths, Holders             int32
	Bonus                            int64
	Tier                             *int64
	Active                           bool
}

func (h *Handler) readAccreditationForm(c *fiber.Ctx) (accreditationInput, map[string]string, map[string]string, error) {
	u := currentUser(c)
	form := map[string]string{}
	for _, k := range []string{"name", "description", "valid_months", "bonus", "currency", "per", "tier", "holders", "active"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	form["currency"] = strings.ToUpper(form["currency"])
	errs := map[string]string{}
	in := accreditationInput{Name: form["name"], Description: form["description"], Currency: form["currency"], Per: form["per"], Active: form["active"] == "1"}
	if l := len([]rune(in.Name)); l < 1 || l > 200 {
		errs["name"] = "Give the accreditation a name of up to 200 characters."
	}
	if len([]rune(in.Description)) > 4000 {
		errs["description"] = "At most 4,000 characters."
	}
	courses, err := h.Store.ListCoursesForStaff(c.Context(), u.OrganizationID)
	if err != nil {
		return in, nil, nil, err
	}
	for _, raw := range formMulti(c, "course") {
		form["course:"+raw] = "1"
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !slices.ContainsFunc(courses, func(x queries.ListCoursesForStaffRow) bool { return x.ID == id }) {
			errs["course"] = "Choose courses from the list."
			continue
		}
		if !slices.Contains(in.Courses, id) {
			in.Courses = append(in.Courses, id)
		}
	}
	if len(in.Courses) == 0 && errs["course"] == "" {
		errs["course"] = "Choose the courses that earn it (all of them are needed)."
	}
	in.ValidMonths = intField(form, errs, "valid_months", 0, 120, "Enter months between 0 (never expires) and 120.")
	in.Holders = intField(form, errs, "holders", 1, 1000, "Enter how many holders move the company up, 1 or more.")
	if in.Per != "person" {
		in.Per = "company"
	}
	if in.Currency == "" {
		in.Currency = u.Currency
		form["currency"] = in.Currency
	}
	if !currencyCodeRe.MatchString(in.Currency) {
		errs["currency"] = "Enter a three-letter currency code, like USD."
	} else if form["bonus"] != "" {
		amount, err := money.Parse(form["bonus"], in.Currency)
		if err != nil || amount < 0 {
			errs["bonus"] = "Enter the achievement bonus, or leave it empty for none."
		}
		in.Bonus = amount
	}
	if form["tier"] != "" {
		id, err := strconv.ParseInt(form["tier"], 10, 64)
		tiers, terr := h.Store.ListTiers(c.Context(), u.OrganizationID)
		if terr != nil {
			return in, nil, nil, terr
		}
		if err != nil || !slices.ContainsFunc(tiers, func(t queries.Tier) bool { return t.ID == id }) {
			errs["tier"] = "Choose a tier from the list."
		} else {
			in.Tier = &id
		}
	}
	return in, errs, form, nil
}

func (h *Handler) createAccreditation(c *fiber.Ctx) error {
	u := currentUser(c)
	in, errs, form, err := h.readAccreditationForm(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderAccreditations(c, fiber.StatusUnprocessableEntity, nil, errs, form)
	}
	if _, err := h.Store.CreateAccreditation(c.Context(), queries.CreateAccreditationParams{Now: h.Clock.Now(), OrganizationID: u.OrganizationID,
		Name: in.Name, Description: in.Description, CourseIds: in.Courses, ValidMonths: in.ValidMonths, BonusMinor: in.Bonus,
		BonusCurrency: in.Currency, BonusPer: in.Per, UpgradeTierID: in.Tier, UpgradeHolders: in.Holders}); err != nil {
		if queries.IsDuplicate(err) {
			errs["name"] = "An accreditation of this name exists."
			return h.renderAccreditations(c, fiber.StatusUnprocessableEntity, nil, errs, form)
		}
		return err
	}
	h.flash(c, "Accreditation created.")
	return redirect(c, "/console/training/accreditations")
}

func (h *Handler) saveAccreditation(c *fiber.Ctx) error {
	u := currentUser(c)
	a, err := h.staffAccreditation(c)
	if err != nil {
		return err
	}
	in, errs, form, err := h.readAccreditationForm(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderAccreditations(c, fiber.StatusUnprocessableEntity, &a, errs, form)
	}
	if _, err := h.Store.UpdateAccreditation(c.Context(), queries.UpdateAccreditationParams{OrganizationID: u.OrganizationID, ID: a.ID,
		Name: in.Name, Description: in.Description, CourseIds: in.Courses, ValidMonths: in.ValidMonths, BonusMinor: in.Bonus,
		BonusCurrency: in.Currency, BonusPer: in.Per, UpgradeTierID: in.Tier, UpgradeHolders: in.Holders, Active: in.Active}); err != nil {
		if queries.IsDuplicate(err) {
			errs["name"] = "An accreditation of this name exists."
			return h.renderAccreditations(c, fiber.StatusUnprocessableEntity, &a, errs, form)
		}
		return err
	}
	h.flash(c, "Accreditation saved.")
	return redirect(c, "/console/training/accreditations")
}

func (h *Handler) uploadAccreditationBadge(c *fiber.Ctx) error {
	u := currentUser(c)
	a, err := h.staffAccreditation(c)
	if err != nil {
		return err
	}
	fh := formFile(c, "badge")
	if fh == nil {
		return h.renderAccreditations(c, fiber.StatusUnprocessableEntity, &a, map[string]string{"badge": "Choose an image to upload."}, nil)
	}
	up, msg := h.storeTrainingFile(c, fh, fmt.Sprintf("org/%d/training/accreditations/%d", u.OrganizationID, a.ID), "badge")
	if msg != "" {
		return h.renderAccreditations(c, fiber.StatusUnprocessableEntity, &a, map[string]string{"badge": msg}, nil)
	}
	if err := h.Store.SetAccreditationBadge(c.Context(), queries.SetAccreditationBadgeParams{OrganizationID: u.OrganizationID, ID: a.ID, BadgeKey: up.Key}); err != nil {
		return err
	}
	h.flash(c, "Badge image saved.")
	return redirect(c, fmt.Sprintf("/console/training/accreditations/%d", a.ID))
}
