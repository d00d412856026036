package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// The public partner directory (no sign-in): /partners/{directory slug}.
// Every page of it may be framed by the origins the vendor allows; the rest
// of the portal keeps frame-ancestors 'none'.

// loadDirectory finds an enabled directory by its slug (404 otherwise) and
// sets the framing policy of the response.
func (h *Handler) loadDirectory(c *fiber.Ctx) (queries.GetDirectoryBySlugRow, error) {
	slug := c.Params("org")
	if !spotlight.ValidSlug(slug) {
		return queries.GetDirectoryBySlugRow{}, fiber.ErrNotFound
	}
	d, err := h.Store.GetDirectoryBySlug(c.Context(), slug)
	if err != nil {
		return d, err
	}
	allowFraming(c, d.FrameOrigins)
	return d, nil
}

// allowFraming replaces the default frame-ancestors 'none' with the
// organization's allow-list for this response only.
func allowFraming(c *fiber.Ctx, origins []string) {
	if len(origins) == 0 {
		return
	}
	c.Set("Content-Security-Policy", cspWithFrameAncestors(spotlight.FrameAncestors(origins)))
	c.Response().Header.Del("X-Frame-Options") // superseded by frame-ancestors; DENY would block the allowed origins in old browsers
}

func directoryBase(d queries.GetDirectoryBySlugRow) string { return "/partners/" + d.Slug }

func directoryRules(d queries.GetDirectoryBySlugRow) spotlight.Settings {
	return spotlight.Settings{Specialties: d.Specialties, Platforms: d.Platforms, BudgetBands: d.BudgetBands}
}

// absURL makes a path absolute on the portal's public address.
func (h *Handler) absURL(path string) string {
	u := *h.Config.BaseURL
	return u.Scheme + "://" + u.Host + path
}
