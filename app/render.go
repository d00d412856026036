package app

import (
	"github.com/gofiber/fiber/v2"
)

// Page is the data every template receives.
type Page struct {
	Title   string
	Section string // highlighted navigation entry
	User    *User
	CSRF    string
	Unread  int64
	Flash   string
	Errors  map[string]string // field name → message
	Form    map[string]string // submitted values, echoed back on error
	Data    any
}

// newPage starts the page data for the current request.
func (h *Handler) newPage(c *fiber.Ctx, title string) *Page {
	return &Page{Title: title, User: currentUser(c), CSRF: csrfToken(c), Flash: h.takeFlash(c)}
}

// countUnread fills in the top bar's unread count. Only a whole page shows
// the top bar, so a fragment skips the query.
func (h *Handler) countUnread(c *fiber.Ctx, p *Page) {
	if p.User == nil {
		return
	}
	if n, err := h.Store.CountUnreadNotifications(c.Context(), unreadParams(p.User)); err == nil {
		p.Unread = n
	}
}

// isFragmentRequest is true for an htmx request that wants a fragment: not a
// boosted navigation and not a history restore, which both need the page.
func isFragmentRequest(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-Boosted") == "" &&
		c.Get("HX-History-Restore-Request") == ""
}

// render is the one place that picks full page or fragment. page names a
// template in pages/ (rendered in the layout); fragment, if not empty, names
// the partial an htmx request gets instead.
func (h *Handler) render(c *fiber.Ctx, status int, page, fragment string, p *Page) error {
	c.Vary("HX-Request")
	c.Status(status)
	if fragment != "" && isFragmentRequest(c) {
		return c.Render(fragment, p, "")
	}
	h.countUnread(c, p)
	return c.Render(page, p, "layouts/base")
}

// redirect sends the browser elsewhere after a POST (303), or tells htmx to.
func redirect(c *fiber.Ctx, to string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}
