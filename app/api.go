package app

// JSON API plumbing for /api/v1: every answer is JSON, errors included, and
// no API handler ever sees a session. The API routes are hot routes (see
// routes.go), so the session and CSRF middleware never run for them: they
// authenticate with an API key or, for the browser endpoint, with the CORS
// origin and a click id, never with a cookie of ours, so there is no ambient
// authority a cross-site request could borrow and nothing for CSRF to protect.

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// apiError is an answer other than success: a message ({"error": ...}) or a
// message per field ({"errors": {...}}, status 422).
type apiError struct {
	Status int
	Msg    string
	Fields map[string]string
}

func (e *apiError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return "invalid fields"
}

func apiFail(status int, msg string) error { return &apiError{Status: status, Msg: msg} }

func apiFields(errs map[string]string) error {
	return &apiError{Status: fiber.StatusUnprocessableEntity, Fields: errs}
}

// api wraps an API handler: no caching, JSON errors, one log line (4xx at
// Warn, 5xx at Error; hot routes skip logRequests and handleError's pages).
func (h *Handler) api(fn fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		err := apiInputProblem(c)
		if err == nil {
			err = fn(c)
		}
		if err != nil {
			status, body := fiber.StatusInternalServerError, fiber.Map{
				"error": "Something went wrong on our side. Please try again later."}
			var ae *apiError
			var fe *fiber.Error
			switch {
			case errors.As(err, &ae):
				status = ae.Status
				if ae.Fields != nil {
					body = fiber.Map{"errors": ae.Fields}
				} else {
					body = fiber.Map{"error": ae.Msg}
				}
			case errors.As(err, &fe):
				status, body = fe.Code, fiber.Map{"error": fe.Message}
			case unavailable(err):
				status, body = fiber.StatusServiceUnavailable, fiber.Map{"error": unavailableMessage}
				c.Set(fiber.HeaderRetryAfter, "60")
			}
			attrs := []any{"method", c.Method(), "route", c.Route().Path, "status", status,
				"ms", time.Since(start).Milliseconds(), "err", err}
			if status >= 500 {
				h.Log.Error("api request failed", attrs...)
			} else {
				h.Log.Warn("api request refused", attrs...)
			}
			return c.Status(status).JSON(body)
		}
		h.Log.Debug("api request", "method", c.Method(), "route", c.Route().Path,
			"status", c.Response().StatusCode(), "ms", time.Since(start).Milliseconds())
		return nil
	}
}

// isAPIRequest is true for a request to the JSON API, /api/… .
func isAPIRequest(c *fiber.Ctx) bool {
	p := c.Path()
	return p == "/api" || strings.HasPrefix(p, "/api/")
}

// apiErrorMessage words the errors that reach the API from outside its
// handlers (refused by the server before routing, or no such route).
func apiErrorMessage(code int, msg string) string {
	switch code {
	case fiber.StatusRequestEntityTooLarge:
		return "The request body is too large."
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return "The request headers are too large."
	case fiber.StatusNotFound:
		return "There is no such API endpoint."
	case fiber.StatusMethodNotAllowed:
		return "This method is not allowed on this API endpoint."
	}
	return msg
}
