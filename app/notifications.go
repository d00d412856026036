package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

const notificationsPerPage = 25

func (h *Handler) showNotifications(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	total, err := h.Store.CountNotifications(ctx, queries.CountNotificationsParams{OrganizationID: u.OrganizationID, UserID: u.ID})
	if err != nil {
		return err
	}
	pager := newPager(c, pageNumber(c), notificationsPerPage, total)
	items, err := h.Store.ListNotifications(ctx, queries.ListNotificationsParams{
		OrganizationID: u.OrganizationID, UserID: u.ID, Limit: pager.Limit(), Offset: pager.Offset(),
	})
	if err != nil {
		return err
	}
	p := h.newPage(c, "Notifications")
	p.Data = fiber.Map{"Items": items, "Pager": pager}
	return h.render(c, fiber.StatusOK, "pages/notifications", "", p)
}

func (h *Handler) markNotificationsRead(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := h.Store.MarkNotificationsRead(c.Context(), queries.MarkNotificationsReadParams{Now: h.Clock.Now(),
		OrganizationID: u.OrganizationID, UserID: u.ID}); err != nil {
		return err
	}
	return redirect(c, "/notifications")
}
