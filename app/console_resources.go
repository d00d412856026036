package app

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// The console's Partner Room: every resource (or the archived ones) with its
// file, views and downloads, and the category list.

type consoleResourcesData struct {
	Rows       []queries.ListResourcesForStaffRow
	Categories []queries.ListResourceCategoriesRow
	Archived   bool
	Page       int
	PrevURL    string
	NextURL    string
}

const consoleResourcesPerPage = 50

func (h *Handler) showConsoleResources(c *fiber.Ctx) error {
	return h.renderConsoleResources(c, fiber.StatusOK, nil, nil)
}

func (h *Handler) renderConsoleResources(c *fiber.Ctx, status int, errs, form map[string]string) error {
	u := currentUser(c)
	ctx := c.Context()
	d := &consoleResourcesData{Archived: c.Query("archived") == "1", Page: pageNumber(c)}
	rows, err := h.Store.ListResourcesForStaff(ctx, queries.ListResourcesForStaffParams{
		OrganizationID: u.OrganizationID, Archived: d.Archived,
		Lim: consoleResourcesPerPage + 1, Off: int32((d.Page - 1) * consoleResourcesPerPage),
	})
	if err != nil {
		return err
	}
	if len(rows) > consoleResourcesPerPage {
		rows = rows[:consoleResourcesPerPage]
		d.NextURL = pageURL(c, d.Page+1)
	}
	if d.Page > 1 {
		d.PrevURL = pageURL(c, d.Page-1)
	}
	d.Rows = rows
	if d.Categories, err = h.Store.ListResourceCategories(ctx, u.OrganizationID); err != nil {
		return err
	}
	p := h.newPage(c, "Partner Room")
	p.Section = "resources"
	p.Data, p.Errors, p.Form = d, errs, form
	return h.render(c, status, "pages/console_resources", "", p)
}

// pageURL is the current address with ?page=n.
func pageURL(c *fiber.Ctx, n int) string {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Set("page", strconv.Itoa(n))
	return c.Path() + "?" + q.Encode()
}

// createResourceCategory adds a category to the staff-managed list.
func (h *Handler) createResourceCategory(c *fiber.Ctx) error {
	u := currentUser(c)
	name := strings.TrimSpace(c.FormValue("name"))
	form := map[string]string{"name": name}
	if l := len([]rune(name)); l < 1 || l > 100 {
		return h.renderConsoleResources(c, fiber.StatusUnprocessableEntity, map[string]string{"name": "Name the category (up to 100 characters)."}, form)
	}
	cats, err := h.Store.ListResourceCategories(c.Context(), u.OrganizationID)
	if err != nil {
		return err
	}
	_, err = h.Store.CreateResourceCategory(c.Context(), queries.CreateResourceCategoryParams{
		OrganizationID: u.OrganizationID, Name: name, Position: int32(len(cats) + 1), Now: h.Clock.Now(),
	})
	if queries.IsDuplicate(err) {
		return h.renderConsoleResources(c, fiber.StatusUnprocessableEntity, map[string]string{"name": "There is already a category of that name."}, form)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Category “"+name+"” added.")
	return redirect(c, "/console/resources")
}

// renameResourceCategory renames one category (its resources follow).
func (h *Handler) renameResourceCategory(c *fiber.Ctx) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	name := strings.TrimSpace(c.FormValue("name"))
	key := "name-" + c.Params("id")
	form := map[string]string{key: name}
	if l := len([]rune(name)); l < 1 || l > 100 {
		return h.renderConsoleResources(c, fiber.StatusUnprocessableEntity, map[string]string{key: "Name the category (up to 100 characters)."}, form)
	}
	pos, _ := strconv.Atoi(c.FormValue("position"))
	_, err = h.Store.RenameResourceCategory(c.Context(), queries.RenameResourceCategoryParams{
		OrganizationID: u.OrganizationID, ID: id, Name: name, Position: int32(max(min(pos, 1000), 0)),
	})
	if queries.IsDuplicate(err) {
		return h.renderConsoleResources(c, fiber.StatusUnprocessableEntity, map[string]string{key: "There is already a category of that name."}, form)
	}
	if err != nil {
		return err
	}
	h.flash(c, "Category renamed to “"+name+"”.")
	return redirect(c, "/console/resources")
}
