// Package app is the web tier: the Fiber app, its route table, middleware and
// one handler per page or action.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/template/html/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

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
}

// New builds the Fiber app with every route.
func New(d *Deps) *fiber.App {
	engine := html.NewFileSystem(http.FS(views.FS), ".html")
	engine.AddFuncMap(templateFuncs())
	d.Clock = clock.Or(d.Clock)
	h := &Handler{Deps: d}
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
	app.Use(requestid.New())
	app.Use(h.logRequests)
	app.Use(h.securityHeaders)
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))
	app.Use(h.loadSession)
	app.Use(h.checkCSRF)
	app.Use(checkInput) // NUL or non-UTF-8 input: 422 before any handler (input_check.go)
	h.registerRoutes(app, h.routes())
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app
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
	return c.Render("pages/error", p, "layouts/base")
}
