// Package app is the web tier: the Fiber app, its route table, middleware and
// one handler per page or action.
package app

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/template/html/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"partnerportal/app/assets"
	"partnerportal/app/clicks"
	"partnerportal/app/clock"
	"partnerportal/app/config"
	"partnerportal/app/storage"
	"partnerportal/queries"
	"partnerportal/static"
	"partnerportal/views"
)

// Deps is everything the web tier talks to.
type Deps struct {
	Config *config.Config
	Store  *queries.Store
	Redis  redis.UniversalClient
	Queue  *asynq.Client
	Log    *slog.Logger
	Links  *clicks.Cache    // code → link, for the redirect
	Clicks *clicks.Recorder // buffers clicks into Redis
	Clock  clock.Clock      // the time; nil means the real clock
	Files  storage.Store    // uploaded and generated files
}

// Handler carries the dependencies into every handler method.
type Handler struct {
	*Deps
	sitemapCache *sitemapCache // per web process (directory_sitemap_cache.go)
	views        *html.Engine  // the templates, for renderInLayout
}

// sitemaps is the handler's sitemap cache.
func (h *Handler) sitemaps() *sitemapCache { return h.sitemapCache }

// staticAssets is static.FS fingerprinted and precompressed, built once per
// process (brotli at its best level takes a moment).
//
// Pico is served trimmed to what the templates and scripts can use
// (assets.Trim): every page's first load carries it, and most of it (the
// dark theme, components no page has) never applies.
var staticAssets = sync.OnceValue(func() *assets.Set {
	var texts []string
	for _, fsys := range []fs.FS{views.FS, static.FS} {
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".js")) && p != "htmx.min.js" {
				b, _ := fs.ReadFile(fsys, p)
				texts = append(texts, string(b))
			}
			return nil
		})
	}
	appCSS, _ := fs.ReadFile(static.FS, "app.css")
	used := assets.Words(texts...)
	s, err := assets.Load(static.FS, map[string]func([]byte) []byte{
		"pico.min.css": func(b []byte) []byte { return []byte(assets.Trim(string(b), used, string(appCSS))) },
	})
	if err != nil {
		panic("static files: " + err.Error()) // embedded at build time: cannot fail at run time
	}
	return s
})

// New builds the Fiber app with every route.
func New(d *Deps) *fiber.App {
	engine := html.NewFileSystem(http.FS(views.FS), ".html")
	engine.AddFuncMap(templateFuncs())
	d.Clock = clock.Or(d.Clock)
	h := &Handler{Deps: d, sitemapCache: &sitemapCache{}, views: engine}
	app := fiber.New(fiber.Config{
		Views:                 engine,
		ErrorHandler:          h.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		// Bodies stream (the Partner Room uploads read theirs as they arrive);
		// limitBody refuses any other body over maxBodyBytes, and the first
		// BodyLimit bytes of a streamed one are read ahead.
		BodyLimit:         maxBodyBytes,
		StreamRequestBody: true,
		AppName:           "partnerportal",
		ReadBufferSize:    readBufferSize, // see request_limits.go

		// Multipart bodies are parsed when read (checkInput), with the path
		// known, instead of by fasthttp before routing, where a malformed one
		// loses the path and the API could not answer it in JSON.
		DisablePreParseMultipartForm: true,
	})
	app.Use(recover.New())
	app.Use(limitHeaders)
	app.Use(limitBody)
	h.registerRoutes(app, h.hotRoutes())
	// Static files before the page middleware: they need no request id,
	// session or page security headers (CSP and framing rules apply to
	// documents; nosniff is set by the handler), which would add half a
	// kilobyte of headers to every file.
	app.Use(staticAssets().Handler())
	app.Use(requestid.New())
	app.Use(h.logRequests)
	app.Use(h.securityHeaders)
	// Pages and fragments are compressed when the client asks (brotli or
	// gzip; compress.go); static files come precompressed (app/assets).
	// ETags (from the body) let a public page be revalidated with a 304;
	// signed-in pages stay no-store.
	app.Use(compressResponses)
	app.Use(etagUnlessNoStore)
	app.Use(h.loadSession)
	app.Use(h.checkCSRF)
	app.Use(checkInput) // NUL or non-UTF-8 input: 422 before any handler (input_check.go)
	h.registerRoutes(app, h.routes())
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	// The tracking redirect is answered before Fiber's router (redirect.go).
	app.Server().Handler = h.frontRedirects(app.Server().Handler)
	return app
}

// etagUnlessNoStore gives a 200 GET response a weak ETag (its length and
// CRC-32) and answers 304 when the client already has it, as Fiber's etag
// middleware does, except for no-store responses (every signed-in page),
// which no cache keeps and so never revalidates.
func etagUnlessNoStore(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	m := c.Method()
	if res.IsBodyStream() { // a stored file: hashing it would read it whole into memory
		return nil
	}
	if res.StatusCode() != fiber.StatusOK || (m != fiber.MethodGet && m != fiber.MethodHead) || len(res.Body()) == 0 ||
		len(res.Header.Peek(fiber.HeaderETag)) > 0 || string(res.Header.Peek(fiber.HeaderCacheControl)) == "no-store" {
		return nil
	}
	tag := fmt.Sprintf(`W/"%d-%08x"`, len(res.Body()), crc32.ChecksumIEEE(res.Body()))
	res.Header.Set(fiber.HeaderETag, tag)
	for part := range strings.SplitSeq(c.Get(fiber.HeaderIfNoneMatch), ",") {
		if strings.TrimSpace(part) == tag {
			c.Status(fiber.StatusNotModified)
			res.ResetBody()
			return nil
		}
	}
	return nil
}

// logRequests writes one line per request: the route pattern, never the raw
// path (a sign-in link carries its token in the path).
func (h *Handler) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the response now so the status is known.
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	if strings.HasPrefix(c.Path(), "/static/") || c.Path() == "/healthz" {
		return nil
	}
	attrs := []any{"method", c.Method(), "route", c.Route().Path, "status", status,
		"ms", time.Since(start).Milliseconds(), "request_id", c.Locals(requestid.ConfigDefault.ContextKey)}
	if u := currentUser(c); u != nil {
		attrs = append(attrs, "user_id", u.ID)
	}
	h.Log.Debug("request", attrs...)
	return nil
}

// handleError turns any returned error into a page or fragment with a clear
// message: 4xx logged at Warn, 5xx at Error with the request id.
func (h *Handler) handleError(c *fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	msg := "Something went wrong on our side. Please try again; if it keeps happening, contact the program team."
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		code = fe.Code
		msg = fe.Message
		if code == fiber.StatusNotFound {
			msg = "We could not find that page. It may have been moved or you may not have access to it."
		}
	case queries.IsNotFound(err):
		code = fiber.StatusNotFound
		msg = "We could not find that page. It may have been moved or you may not have access to it."
	case errors.Is(err, context.DeadlineExceeded):
		code = fiber.StatusServiceUnavailable
		msg = "The portal is busy right now. Please try again in a moment."
	case unavailable(err):
		code = fiber.StatusServiceUnavailable
		msg = unavailableMessage
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	rid := c.Locals(requestid.ConfigDefault.ContextKey)
	if code >= 500 {
		h.Log.Error("request failed", "route", c.Route().Path, "status", code, "request_id", rid, "err", err)
	} else {
		h.Log.Warn("request refused", "route", c.Route().Path, "status", code, "request_id", rid, "err", err)
	}
	if isAPIRequest(c) || err == fiber.ErrRequestHeaderFieldsTooLarge { //nolint:errorlint // the very value fasthttp's refusal arrives as
		// The API answers JSON even when fasthttp refused the request before
		// any route ran (413 body too large, 431 headers too large). Headers
		// past fasthttp's buffer (request_limits.go) arrive without a path:
		// only a program sends those, so they get JSON too.
		return c.Status(code).JSON(fiber.Map{"error": apiErrorMessage(code, msg)})
	}
	p := h.newPage(c, "Error")
	p.Data = fiber.Map{"Code": code, "Message": msg, "RequestID": rid}
	c.Status(code)
	if isFragmentRequest(c) {
		c.Set("HX-Reswap", "none")
		return c.Render("partials/error", p, "")
	}
	h.countUnread(c, p)
	return h.renderInLayout(c, "pages/error", p)
}
