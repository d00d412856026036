package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/app/clicks"
)

// visitorCookie identifies a browser across clicks (for unique visitors). It
// is random, carries no authority and is set only by the redirect.
const visitorCookie = "pp_vid"

// visitorCookieAttrs are the attributes of the visitor cookie after its
// value, as fasthttp would write them for a Lax, HttpOnly cookie on /r/ kept
// a year ("; secure" is added over HTTPS).
const visitorCookieAttrs = "; max-age=31536000; path=/r/; HttpOnly; SameSite=Lax"

// redirectLink is GET /r/{code}: an active link answers 302 to its
// destination with a click id appended and records the click (in memory; the
// recorder writes it to Redis in batches). No PostgreSQL query per click: the
// code is resolved through the in-process cache.
//
// This is the hottest path of the portal, so it allocates almost nothing:
// the code is checked without a regular expression, the bot filter scans
// the User-Agent once, both ids come from one random read, and the cookie
// and Location headers are written from stack buffers
// (docs/BENCHMARKS.md, "Redirect").
func (h *Handler) redirectLink(c *fiber.Ctx) error {
	code := c.Params("code")
	if !validLinkCode(code) {
		return h.linkUnavailable(c)
	}
	link, err := h.Links.Get(c.Context(), code)
	if err != nil {
		return err
	}
	if !link.Found || !link.Active {
		return h.linkUnavailable(c)
	}
	res := &c.Response().Header
	res.Set(fiber.HeaderCacheControl, "no-store")
	if c.Method() != fiber.MethodGet || clicks.IsBot(c.Get(fiber.HeaderUserAgent)) {
		return c.Redirect(link.Destination, fiber.StatusFound)
	}
	ids := clicks.NewIDs()
	id := ids[:clicks.IDLen]
	visitor := c.Request().Header.Cookie(visitorCookie)
	var vid string
	if clicks.ValidID(visitor) {
		vid = string(visitor) // a copy: Fiber reuses the buffer after the handler returns
	} else {
		vid = ids[clicks.IDLen:]
		var buf [128]byte
		v := append(append(append(append(buf[:0], visitorCookie...), '='), vid...), visitorCookieAttrs...)
		if h.Config.Secure() {
			v = append(v, "; secure"...)
		}
		res.AddBytesV(fiber.HeaderSetCookie, v)
	}
	h.Clicks.Record(clicks.Click{ID: id, LinkID: link.ID, VisitorID: vid, At: h.Clock.Now()})
	var buf [1024]byte
	res.SetBytesV(fiber.HeaderLocation, clicks.AppendClickIDBytes(buf[:0], link.Destination, id))
	c.Status(fiber.StatusFound)
	return nil
}

// validLinkCode is ^[A-Za-z0-9_-]{4,64}$, the shape of every link code.
func validLinkCode(code string) bool {
	if len(code) < 4 || len(code) > 64 {
		return false
	}
	for i := 0; i < len(code); i++ {
		b := code[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_' || b == '-') {
			return false
		}
	}
	return true
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
