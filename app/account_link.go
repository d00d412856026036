package app

import (
	"github.com/gofiber/fiber/v2"
)

// accountLink is what the pages behind emailed account links show: an
// invitation, a new address's confirmation, the old address's report. A GET
// shows the page with a button (mail scanners open links; only the POST acts).
type accountLink struct {
	Heading    string
	Lines      []string
	Action     string // the POST target of the button; empty: no button
	Button     string
	Danger     bool
	Reason     string // why a link does not work (for tests and styling)
	SignInLink bool
}

func (h *Handler) renderAccountLink(c *fiber.Ctx, status int, title string, d accountLink) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	p := h.newPage(c, title)
	p.Data = d
	return h.render(c, status, "pages/account_link", "", p)
}

// badAccountLink is the page for a link that is unknown, used, expired or
// withdrawn.
func (h *Handler) badAccountLink(c *fiber.Ctx, title, reason, msg string) error {
	status := fiber.StatusGone
	if reason == "unknown" {
		status = fiber.StatusNotFound
	}
	return h.renderAccountLink(c, status, title, accountLink{Heading: title, Lines: []string{msg}, Reason: reason, SignInLink: true})
}
