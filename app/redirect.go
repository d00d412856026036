package app

import (
	"bytes"
	"unsafe"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"partnerportal/app/clicks"
)

// visitorCookie identifies a browser across clicks (for unique visitors). It
// is random, carries no authority and is set only by the redirect.
const visitorCookie = "pp_vid"

// visitorCookieAttrs are the attributes of the visitor cookie after its
// value, as fasthttp would write them for a Lax, HttpOnly cookie on /r/ kept
// a year ("; secure" is added over HTTPS).
const visitorCookieAttrs = "; max-age=31536000; path=/r/; HttpOnly; SameSite=Lax"

// frontRedirects puts the tracking redirect in front of Fiber's router: a
// GET or HEAD of /r/{code} for an active link is answered straight from
// fasthttp, without Fiber's context, router or the middlewares before the
// hot routes; everything else (an unknown or inactive code, another shape of
// the path, a body, oversized headers, an error looking the code up) goes to
// Fiber as before, where redirectLink and the friendly pages answer it.
//
// This is the hottest path of the portal: Fiber's share of a redirect
// (context, routing, recover/limitHeaders/limitBody) was about a fifth of
// its CPU (docs/BENCHMARKS.md, "Redirect"). What those middlewares guard
// is checked here: the header limit, no body, and a panic becomes a 500.
func (h *Handler) frontRedirects(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		if !h.redirectFront(ctx) {
			next(ctx)
		}
	}
}

// redirectFront serves the request when it is a plain redirect of an active
// link and reports whether it did.
func (h *Handler) redirectFront(ctx *fasthttp.RequestCtx) (served bool) {
	req := &ctx.Request
	// ContentLength: -2 is no body (no Content-Length header), -1 chunked.
	if n := req.Header.ContentLength(); n > 0 || n == -1 || !ctx.IsGet() && !ctx.IsHead() ||
		len(req.Header.RawHeaders())+len(req.Header.RequestURI()) > maxHeaderBytes {
		return false
	}
	// The request line's path as sent, without parsing the whole URI: a
	// path in any other form (absolute, escaped, …) fails these checks and
	// goes to Fiber.
	p := req.Header.RequestURI()
	if i := bytes.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if len(p) < 3 || p[0] != '/' || p[1] != 'r' || p[2] != '/' || !validLinkCode(b2s(p[3:])) {
		return false
	}
	defer func() {
		if r := recover(); r != nil {
			h.Log.Error("redirect panicked", "panic", r)
			ctx.Response.Reset()
			ctx.Error(fasthttp.StatusMessage(fasthttp.StatusInternalServerError), fasthttp.StatusInternalServerError)
			served = true
		}
	}()
	// A view of the request buffer, no copy: Get keeps a clone of the code
	// when it caches a miss.
	link, err := h.Links.Get(ctx, b2s(p[3:]))
	if err != nil || !link.Found || !link.Active {
		return false // Fiber answers: the error page, or the friendly one
	}
	h.serveRedirect(ctx, link)
	return true
}

// redirectLink is the route GET /r/{code}, for what the front path leaves to
// Fiber: an active link answers 302 to its destination with a click id
// appended and records the click; anything else gets the friendly page.
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
	h.serveRedirect(c.Context(), link)
	return nil
}

// serveRedirect answers 302 to the link's destination. A person's visit (a
// GET from something that is not a bot) gets a click id appended and is
// recorded (in memory; the recorder writes it to Redis in batches), and a
// first visit gets the visitor cookie. No PostgreSQL query per click: the
// code is resolved through the in-process cache.
//
// It allocates almost nothing: the bot filter scans the User-Agent once,
// both ids come from one random read, and the cookie and Location headers
// are written from stack buffers (docs/BENCHMARKS.md, "Redirect").
func (h *Handler) serveRedirect(ctx *fasthttp.RequestCtx, link clicks.Link) {
	res := &ctx.Response.Header
	res.Set(fiber.HeaderCacheControl, "no-store")
	ctx.SetStatusCode(fiber.StatusFound)
	if !ctx.IsGet() || clicks.IsBot(b2s(ctx.Request.Header.UserAgent())) {
		res.Set(fiber.HeaderLocation, link.Destination)
		return
	}
	ids := clicks.NewIDs()
	id := ids[:clicks.IDLen]
	visitor := ctx.Request.Header.Cookie(visitorCookie)
	var vid string
	if clicks.ValidID(visitor) {
		vid = string(visitor) // a copy: fasthttp reuses the buffer after the request
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
}

// b2s views b as a string without copying, for callees that only read it
// during the call.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

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
	return h.renderInLayout(c, "pages/link_unavailable", p)
}

// securityHeadersOnly applies the security headers on hot routes, which run
// before the middleware that normally sets them.
func securityHeadersOnly(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", csp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
}
