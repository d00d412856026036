package app

import (
	"github.com/gofiber/fiber/v2"
)

// Header limits. fasthttp reads a request's headers into one buffer
// (readBufferSize) and, when they do not fit, refuses the request before it
// has even parsed the request line: its 431 cannot know the path, so it cannot
// tell an API client (JSON) from a browser (a page). maxHeaderBytes is our own
// limit, checked first thing with the path known; the buffer leaves room
// above it so that ours is the one people meet.
const (
	maxHeaderBytes = 8 << 10
	readBufferSize = 16 << 10
)

// errHeadersTooLarge is our 431 (the path is known, so handleError answers the
// API in JSON and a browser with a page).
var errHeadersTooLarge = fiber.NewError(fiber.StatusRequestHeaderFieldsTooLarge,
	"The request's headers are too large. Clear this site's cookies and try again.")

// limitHeaders runs before every route, hot routes included.
func limitHeaders(c *fiber.Ctx) error {
	h := &c.Request().Header
	if len(h.RawHeaders())+len(h.RequestURI()) > maxHeaderBytes {
		return errHeadersTooLarge
	}
	return c.Next()
}
