package app

import "github.com/gofiber/fiber/v2"

// The portal sections whose features belong to later releases answer with an
// honest empty state: the page works, says what will appear, and invents nothing.

func (h *Handler) showPartnerRoom(c *fiber.Ctx) error {
	p := h.newPage(c, "Partner Room")
	p.Section = "partner-room"
	return h.render(c, fiber.StatusOK, "pages/partner_room", "", p)
}
