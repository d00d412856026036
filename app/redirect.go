package app

import (
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/clicks"
	"partnerportal/app/secret"
)

var linkCodeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{4,64}$`)

// visitorCookie identifies a browser across clicks (for unique visitors). It
// is random, carries no authority and is set only by the redirect.
const visitorCookie = "pp_vid"

// redirectLink is GET /r/{code}: an active link answers 302 to its
// destination with a click id appended and records the click (in memory; the
// recorder writes it to Redis in batches). No PostgreSQL query per click: the
// code is resolved through the in-process cache.
func (h *Handler) redirectLink(c *fiber.Ctx) error {
	code := c.Params("code")
	if !linkCodeRe.MatchString(code) {
		return h.linkUnavailable(c)
	}
	link, err := h.Links.Get(c.Context(), code)
	if err != nil {
		return err
	}
	if !link.Found || !link.Active {
		return h.linkUnavailable(c)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	dest := link.Destination
	if c.Method() == fiber.MethodGet && !clicks.IsBot(c.Get(fiber.HeaderUserAgent)) {
		visitor := strings.Clone(c.Cookies(visitorCookie)) // Fiber reuses the buffer after the handler returns
		if len(visitor) != 22 {
			visitor = secret.New()[:22]
			c.Cookie(&fiber.Cookie{Name: visitorCookie, Value: visitor, Path: "/r/", MaxAge: 365 * 24 * 3600,
				HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.Config.Secure()})
		}
		id := secret.New()[:22]
		h.Clicks.Record(clicks.Click{ID: id, LinkID: link.ID, VisitorID: visitor, At: h.Clock.Now()})
		dest = clicks.AppendClickID(dest, id)
	}
	return c.Redirect(dest, fiber.StatusFound)
}

// linkUnavailable is the friendly page for an unknown or inactive code:
// never a redirect.
func (h *Handler) linkUnavailable(c *fiber.Ctx) error {
	securityHeadersOnly(c)
	if h.Config.Secure() {
		c.Set("Strict-Transport-Security", hsts)
	}
	p := &Page{Title: "Link not available"}
	c.Status(fiber.StatusNotFound)
	return c.Render("pages/link_unavailable", p, "layouts/base")
}

// securityHeadersOnly applies the security headers on hot routes, which run
// before the middleware that normally sets them.
func securityHeadersOnly(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", csp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
}
